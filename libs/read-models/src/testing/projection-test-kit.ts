/**
 * Test support for projection specs: an in-memory PGlite with the read models prepared, and
 * domain events dressed as recorded events. Not exported from the library's index.
 */
import { randomUUID } from 'node:crypto';
import { PgliteDatabase } from '@refund-desk/database';
import { caseStreamName, CaseEvent } from '@refund-desk/domain';
import { RecordedEvent } from '@refund-desk/event-store';
import { loadLiveGeneration } from '../projection-runtime/checkpoints';
import { Projection } from '../projection-runtime/projection';
import { prepareReadModels, tableNames } from '../projection-runtime/generations';

export interface RecordOptions {
  readonly caseId?: string;
  readonly customerId?: string | null;
  readonly streamId?: string;
  /** Stream version of the first event. */
  readonly fromVersion?: number;
}

let nextPosition = 1;

/** Domain events as the store would hand them to a projection, with increasing positions. */
export function recorded(events: readonly { type: string; data: object }[], options: RecordOptions = {}): RecordedEvent[] {
  const caseId = options.caseId ?? (events[0]?.data as { caseId?: string })?.caseId ?? 'case-0001';
  return events.map((event, i) => {
    const position = nextPosition++;
    const recordedAt = new Date(Date.UTC(2026, 9, 1) + position * 1000).toISOString();
    return {
      eventId: randomUUID(),
      streamId: options.streamId ?? caseStreamName(caseId),
      version: (options.fromVersion ?? 1) + i,
      position,
      checkpoint: `1:${position}`,
      type: event.type,
      schemaVersion: 1,
      data: { ...(event.data as Record<string, unknown>), ...(options.streamId ? {} : { caseId }) },
      metadata: {
        actor: 'tester',
        occurredAt: recordedAt,
        correlationId: randomUUID(),
        causationId: null,
        customerId: options.customerId === undefined ? 'cus_81' : options.customerId,
        prevHash: '',
        hash: '',
      },
      recordedAt,
    };
  });
}

export const asCaseEvents = (events: readonly CaseEvent[]): { type: string; data: object }[] => events.map((e) => ({ type: e.type, data: e.data }));

export interface ProjectionHarness {
  readonly db: PgliteDatabase;
  /** Applies events to the live generation in one transaction, as the runtime does. */
  apply(events: readonly RecordedEvent[]): Promise<void>;
  /** Every row of a read-model view, ordered by `orderBy`. */
  rows<T = Record<string, unknown>>(view: string, orderBy: string): Promise<T[]>;
  close(): Promise<void>;
}

export async function projectionHarness(projection: Projection): Promise<ProjectionHarness> {
  const db = await PgliteDatabase.open();
  await prepareReadModels(db, [projection]);
  const live = await loadLiveGeneration(db, projection.name);
  const tables = tableNames(projection, live!.generation);
  return {
    db,
    apply: (events) => db.transaction((tx) => projection.apply(events, tx, tables)),
    rows: async <T>(view: string, orderBy: string) => (await db.query<T>(`SELECT * FROM ${view} ORDER BY ${orderBy}`)).rows,
    close: () => db.close(),
  };
}

/** A harness for the enclosing `describe`: opened before its tests, closed after them. */
export function harnessForSuite(projection: Projection): ProjectionHarness {
  let harness: ProjectionHarness | undefined;
  beforeAll(async () => {
    harness = await projectionHarness(projection);
  });
  afterAll(() => harness?.close());
  const opened = (): ProjectionHarness => {
    if (!harness) throw new Error('the harness opens in beforeAll: use it inside a test');
    return harness;
  };
  return {
    get db() {
      return opened().db;
    },
    apply: (events) => opened().apply(events),
    rows: <T>(view: string, orderBy: string) => opened().rows<T>(view, orderBy),
    close: () => opened().close(),
  };
}

/** For read models with a row per case: a fresh case id per test, and that case's row of `view`. */
export function caseRows(
  h: ProjectionHarness,
  view: string,
  prefix: string,
): { caseId(): string; row(id: string): Promise<Record<string, unknown> | undefined> } {
  let n = 0;
  return {
    caseId: () => `${prefix}-${++n}`,
    row: async (id) => (await h.rows(view, 'case_id')).find((r) => r.case_id === id),
  };
}
