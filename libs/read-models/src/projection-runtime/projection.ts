import { Migration, SqlExecutor } from '@refund-desk/database';
import { RecordedEvent } from '@refund-desk/event-store';

/**
 * A read model's projection: the tables it owns and how a batch of events changes them.
 * `apply` runs inside the transaction that also stores the checkpoint, and must give the same
 * rows when it sees an event twice (a rebuild, or a retry after a crash before the commit).
 */
export interface Projection {
  readonly name: string;
  readonly migrations: readonly Migration[];
  /** Event types it reads; the log is filtered to them. */
  readonly eventTypes: readonly string[];
  apply(events: readonly RecordedEvent[], tx: SqlExecutor): Promise<void>;
}

export const PROJECTIONS = Symbol('PROJECTIONS');
