import { SqlExecutor } from '@refund-desk/database';
import { caseIdFromStream } from '@refund-desk/domain';
import { RecordedEvent } from '@refund-desk/event-store';

/** A read-model row per case; `version` is the stream version of the last event folded into it. */
export interface CaseRow {
  readonly case_id: string;
  readonly version: number;
}

/**
 * The next row for a case: `row` itself when the event changes nothing, else a new object of the
 * evolve's own making, which the fold then owns (it stamps the event's version on it in place, so
 * a rebuild does not copy every row twice per event). Never a shared constant.
 */
export type CaseRowEvolve<Row extends CaseRow> = (row: Row | undefined, event: RecordedEvent, caseId: string) => Row | undefined;

const plain = (row: Record<string, unknown>): Record<string, unknown> => {
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) copy[key] = value instanceof Date ? value.toISOString() : value;
  return copy;
};

/**
 * Folds a batch into per-case rows: one query loads every row the batch touches, the events are
 * folded in memory, one statement writes back the rows that changed. An event at or below the
 * row's version was already applied and is skipped, which makes replays harmless. Returns the rows
 * it wrote, for read models that derive more tables from them.
 */
export async function foldCaseRows<Row extends CaseRow>(
  tx: SqlExecutor,
  table: string,
  events: readonly RecordedEvent[],
  evolve: CaseRowEvolve<Row>,
): Promise<readonly Row[]> {
  const caseEvents = events.flatMap((event) => {
    const caseId = caseIdFromStream(event.streamId);
    return caseId ? [{ event, caseId }] : [];
  });
  if (caseEvents.length === 0) return [];
  const ids = [...new Set(caseEvents.map((e) => e.caseId))];
  const { rows } = await tx.query<Record<string, unknown>>(`SELECT * FROM ${table} WHERE case_id = ANY($1::text[])`, [ids]);
  const byCase = new Map<string, Row>(rows.map((row) => [row.case_id as string, plain(row) as unknown as Row]));
  const changed = new Set<string>();
  for (const { event, caseId } of caseEvents) {
    const row = byCase.get(caseId);
    if (row && event.version <= row.version) continue;
    const next = evolve(row, event, caseId);
    if (next === undefined || next === row) continue;
    (next as { version: number }).version = event.version;
    byCase.set(caseId, next);
    changed.add(caseId);
  }
  const written = [...changed].map((id) => byCase.get(id)!);
  await upsertRows(tx, table, 'case_id', written);
  return written;
}

/**
 * One multi-row upsert; every row carries every column (a missing key would be written as null).
 * The rows travel as json, not jsonb: the server reads each value once instead of first building
 * a jsonb document of the whole batch.
 */
export async function upsertRows(tx: SqlExecutor, table: string, key: string, rows: readonly object[]): Promise<void> {
  if (rows.length === 0) return;
  const columns = Object.keys(rows[0]).filter((column) => column !== key);
  const set = columns.length === 1 ? `${columns[0]} = EXCLUDED.${columns[0]}` : `(${columns.join(', ')}) = ROW(${columns.map((c) => `EXCLUDED.${c}`).join(', ')})`;
  await tx.query(
    `INSERT INTO ${table} SELECT * FROM json_populate_recordset(NULL::${table}, $1::json)
     ON CONFLICT (${key}) DO UPDATE SET ${set}`,
    [JSON.stringify(rows)],
  );
}
