import { randomUUID } from 'node:crypto';
import { SqlExecutor } from '@refund-desk/database';
import { NewEvent, RecordedEvent } from '@refund-desk/event-store';
import { Projection, TableNames } from '@refund-desk/read-models/testing';

/**
 * A read model for the rebuild suites: counts every event it is handed, per stream, without any
 * guard against seeing one twice, so a batch applied twice shows; throws on an event marked poison
 * unless told it can digest it.
 */
export class TallyProjection implements Projection {
  readonly tables: Projection['tables'];
  readonly eventTypes = ['Counted'];

  constructor(
    readonly name: string,
    private readonly digestsPoison = false,
  ) {
    this.tables = [{ name: `rm_${name}`, columns: 'stream_id text PRIMARY KEY, n integer NOT NULL' }];
  }

  async apply(events: readonly RecordedEvent[], tx: SqlExecutor, tables: TableNames): Promise<void> {
    if (!this.digestsPoison && events.some((e) => e.data.poison === true)) throw new Error('cannot digest this one');
    const counts = new Map<string, number>();
    for (const event of events) counts.set(event.streamId, (counts.get(event.streamId) ?? 0) + 1);
    await tx.query(
      `INSERT INTO ${tables[`rm_${this.name}`]} SELECT * FROM unnest($1::text[], $2::int[])
       ON CONFLICT (stream_id) DO UPDATE SET n = ${tables[`rm_${this.name}`]}.n + EXCLUDED.n`,
      [[...counts.keys()], [...counts.values()]],
    );
  }
}

/** An event the tally counts. */
export const countedEvent = (data: Record<string, unknown> = {}): NewEvent => ({
  eventId: randomUUID(),
  type: 'Counted',
  data,
  metadata: { actor: 't', occurredAt: new Date().toISOString(), correlationId: randomUUID(), causationId: null },
});
