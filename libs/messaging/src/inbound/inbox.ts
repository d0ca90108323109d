import { Migration, SqlExecutor } from '@refund-desk/database';

export const INBOX_MIGRATIONS: readonly Migration[] = [
  {
    id: '001_kafka_inbox',
    statements: [
      `CREATE TABLE kafka_inbox (
        topic text NOT NULL,
        message_id text NOT NULL,
        case_id text NOT NULL,
        event_ids text[] NOT NULL,
        position bigint,
        source_partition integer NOT NULL,
        source_offset bigint NOT NULL,
        processed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (topic, message_id)
      )`,
    ],
  },
];

export interface InboxEntry {
  readonly topic: string;
  readonly messageId: string;
  readonly caseId: string;
  readonly eventIds: readonly string[];
  readonly position: number | null;
  readonly partition: number;
  readonly offset: string;
}

/**
 * The messages whose effect is recorded, by topic and messageId.
 *
 * The effect (events appended through the event store port) and this row cannot share one
 * transaction: the port may be EventStoreDB, which has no transaction with the SQL database.
 * So the effect is idempotent on its own (the event ids and, for a request, the case id are
 * derived from the messageId, and the store appends an event id once), and the row is written
 * after it. A crash between the two leaves no row; the redelivered message then runs its
 * command again, which finds its events already stored and changes nothing. The row makes a
 * redelivery cheap (no command at all) and says which message caused which events.
 */
export class Inbox {
  constructor(private readonly db: SqlExecutor) {}

  /** The ids among `messageIds` already recorded for the topic. */
  async recorded(topic: string, messageIds: readonly string[]): Promise<Set<string>> {
    if (messageIds.length === 0) return new Set();
    const { rows } = await this.db.query<{ message_id: string }>(
      'SELECT message_id FROM kafka_inbox WHERE topic = $1 AND message_id = ANY($2::text[])',
      [topic, [...new Set(messageIds)]],
    );
    return new Set(rows.map((row) => row.message_id));
  }

  async record(entries: readonly InboxEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await this.db.query(
      `INSERT INTO kafka_inbox (topic, message_id, case_id, event_ids, position, source_partition, source_offset)
       SELECT t, m, c, ARRAY(SELECT jsonb_array_elements_text(e)), p, sp, so
         FROM unnest($1::text[], $2::text[], $3::text[], $4::jsonb[], $5::bigint[], $6::int[], $7::bigint[])
           AS x(t, m, c, e, p, sp, so)
       ON CONFLICT (topic, message_id) DO NOTHING`,
      [
        entries.map((e) => e.topic),
        entries.map((e) => e.messageId),
        entries.map((e) => e.caseId),
        entries.map((e) => JSON.stringify(e.eventIds)),
        entries.map((e) => e.position),
        entries.map((e) => e.partition),
        entries.map((e) => e.offset),
      ],
    );
  }

  async count(topic?: string): Promise<number> {
    const { rows } = await this.db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM kafka_inbox WHERE $1::text IS NULL OR topic = $1',
      [topic ?? null],
    );
    return rows[0].n;
  }
}
