import { Migration } from '@refund-desk/database';

/**
 * transaction_id is what closes the late-commit gap: a reader only takes rows whose writing
 * transaction is older than every transaction still running, and orders by (transaction_id,
 * global_position), so a row that commits late can never land behind a checkpoint (as in
 * Marten and Emmett).
 */
export const EVENT_LOG_MIGRATIONS: readonly Migration[] = [
  {
    id: '001_events',
    statements: [
      `CREATE TABLE events (
        global_position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        transaction_id xid8 NOT NULL DEFAULT pg_current_xact_id(),
        stream_id text NOT NULL,
        stream_version integer NOT NULL CHECK (stream_version > 0),
        event_id uuid NOT NULL,
        event_type text NOT NULL,
        schema_version smallint NOT NULL DEFAULT 1,
        data jsonb NOT NULL,
        metadata jsonb NOT NULL,
        occurred_at timestamptz NOT NULL,
        -- One append is one recorded moment, at the precision the API shows (asOf queries match it).
        recorded_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
        CONSTRAINT events_stream_version_key UNIQUE (stream_id, stream_version),
        CONSTRAINT events_event_id_key UNIQUE (event_id)
      )`,
      `CREATE INDEX events_log_order_idx ON events (transaction_id, global_position)`,
    ],
  },
];
