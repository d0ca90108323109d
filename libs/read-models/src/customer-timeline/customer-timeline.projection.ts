import { SqlExecutor } from '@refund-desk/database';
import { CASE_EVENT_TYPES, caseIdFromStream, withoutPersonalData } from '@refund-desk/domain';
import { RecordedEvent } from '@refund-desk/event-store';
import { defineProjection, ReadModelTable, TableNames } from '../projection-runtime/projection';
import { customerOf, str, time } from '../shared/event-data';

export const CUSTOMER_TIMELINE = 'rm_customer_timeline';

const TABLE: ReadModelTable = {
  name: CUSTOMER_TIMELINE,
  columns: `event_id text PRIMARY KEY,
    position bigint NOT NULL,
    customer_id text NOT NULL,
    case_id text NOT NULL,
    version integer NOT NULL,
    type text NOT NULL,
    occurred_at timestamptz NOT NULL,
    recorded_at timestamptz NOT NULL,
    actor text,
    data json NOT NULL`,
  indexes: ['(customer_id, position)', '(case_id)'],
  lookups: ['(case_id)'],
};

const ROW_COLUMNS = ['event_id', 'position', 'customer_id', 'case_id', 'version', 'type', 'occurred_at', 'recorded_at', 'actor', 'data'] as const;

/**
 * Every event of every case of a customer, with the event's data minus personal data (names,
 * contacts, the customer's words, notes, messages): erasing a customer's personal data in the
 * log then leaves nothing of it here.
 */
export const customerTimelineProjection = defineProjection({
  name: 'customer_timeline',
  tables: [TABLE],
  eventTypes: [...CASE_EVENT_TYPES],
  async apply(events: readonly RecordedEvent[], tx: SqlExecutor, tables: TableNames): Promise<void> {
    const table = tables[CUSTOMER_TIMELINE];
    const customers = new Map<string, string>();
    const pending: RecordedEvent[] = [];
    for (const event of events) {
      const caseId = caseIdFromStream(event.streamId);
      if (!caseId) continue;
      const customer = customerOf(event.data, event.metadata);
      if (customer) customers.set(caseId, customer);
      pending.push(event);
    }
    // Events recorded before metadata carried the customer: the case's earlier rows know it.
    const unknown = [...new Set(pending.map((e) => caseIdFromStream(e.streamId)!).filter((id) => !customers.has(id)))];
    if (unknown.length > 0) {
      const { rows } = await tx.query<{ case_id: string; customer_id: string }>(
        `SELECT DISTINCT ON (case_id) case_id, customer_id FROM ${table} WHERE case_id = ANY($1::text[])`,
        [unknown],
      );
      for (const row of rows) customers.set(row.case_id, row.customer_id);
    }
    const rows = pending.flatMap((event) => {
      const caseId = caseIdFromStream(event.streamId)!;
      const customerId = customerOf(event.data, event.metadata) ?? customers.get(caseId);
      if (!customerId) return [];
      return [
        {
          event_id: event.eventId,
          position: event.position,
          customer_id: customerId,
          case_id: caseId,
          version: event.version,
          type: event.type,
          occurred_at: time(event.metadata.occurredAt) ?? event.recordedAt,
          recorded_at: event.recordedAt,
          actor: str(event.metadata.actor),
          data: withoutPersonalData(event.type, event.data),
        },
      ];
    });
    if (rows.length === 0) return;
    // Each column travels as a json array of its own: the server takes the event data as text
    // (json keeps it as it is) instead of building jsonb of the whole batch and taking it apart.
    // A generation made before the column was json converts it on the way in.
    await tx.query(
      `INSERT INTO ${table} (${ROW_COLUMNS.join(', ')})
       SELECT event_id, position::bigint, customer_id, case_id, version::integer, type, occurred_at::timestamptz,
              recorded_at::timestamptz, actor, data
         FROM ROWS FROM (${ROW_COLUMNS.map((column, i) => `json_array_elements${column === 'data' ? '' : '_text'}($${i + 1}::json)`).join(', ')})
           AS r(${ROW_COLUMNS.join(', ')})
       ON CONFLICT (event_id) DO NOTHING`,
      ROW_COLUMNS.map((column) => JSON.stringify(rows.map((row) => row[column]))),
    );
  },
});
