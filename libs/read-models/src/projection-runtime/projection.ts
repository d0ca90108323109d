import { SqlExecutor } from '@refund-desk/database';
import { RecordedEvent } from '@refund-desk/event-store';

/**
 * A table of a read model. Each generation of the read model gets its own physical table
 * (`<name>_g<generation>`); queries read the view `<name>`, which points at the live generation,
 * so a rebuild fills fresh tables while the old ones keep serving and then swaps the views.
 */
export interface ReadModelTable {
  /** The view the queries read; lower-case identifier. */
  readonly name: string;
  /** The body of CREATE TABLE: columns and constraints. */
  readonly columns: string;
  /**
   * What follows `CREATE INDEX … ON <table>`, e.g. `(customer_id, position)`. A rebuild creates
   * them once its rows are in (one sorted pass costs far less than keeping each up to date row by
   * row), except those also listed in `lookups`.
   */
  readonly indexes?: readonly string[];
  /** Those of `indexes` the projection's own reads go by while it applies events: there from the start. */
  readonly lookups?: readonly string[];
}

/** Physical table names of one generation, by the table's view name. */
export type TableNames = Readonly<Record<string, string>>;

/**
 * A read model's projection: the tables it owns and how a batch of events changes them.
 * `apply` runs inside the transaction that also stores the checkpoint, must give the same rows
 * when it sees an event twice (a rebuild, or a retry after a crash before the commit), must not
 * throw on odd data, and must not write anything that is not derived from the events (no now()),
 * so that a rebuild equals the live tables row for row.
 */
export interface Projection {
  readonly name: string;
  readonly tables: readonly ReadModelTable[];
  /** Event types it reads; the log is filtered to them. */
  readonly eventTypes: readonly string[];
  apply(events: readonly RecordedEvent[], tx: SqlExecutor, tables: TableNames): Promise<void>;
}

/** A projection whose name the compiler knows, so a read model's name is typed wherever it is used. */
export const defineProjection = <const Name extends string>(projection: Projection & { readonly name: Name }): Projection & { readonly name: Name } =>
  projection;

export const PROJECTIONS = Symbol('PROJECTIONS');
