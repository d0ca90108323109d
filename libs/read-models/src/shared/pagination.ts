import { InvalidCommandError } from '@refund-desk/domain';

/** Keyset pagination: the cursor is the sort key of the last item served, opaque to clients. */
export interface Page<T> {
  readonly items: readonly T[];
  /** Pass as `cursor` for the next page; null on the last page. */
  readonly nextCursor: string | null;
}

export const encodeCursor = (key: readonly (string | number)[]): string =>
  Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');

/** The key inside a cursor, or undefined when it is not one this list handed out. */
export type CursorShape = readonly ('string' | 'number' | 'time')[];

const fits = (value: unknown, kind: CursorShape[number]): boolean =>
  kind === 'number'
    ? Number.isSafeInteger(value)
    : typeof value === 'string' && (kind === 'string' || /^\d{4}-\d{2}-\d{2}T[\d:.]+Z$/.test(value) && !Number.isNaN(Date.parse(value)));

export function decodeCursor(cursor: string, shape: CursorShape): (string | number)[] | undefined {
  try {
    const key: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (!Array.isArray(key) || key.length !== shape.length) return undefined;
    return key.every((value, i) => fits(value, shape[i])) ? (key as (string | number)[]) : undefined;
  } catch {
    return undefined;
  }
}

/** The key of a cursor; a cursor this list did not hand out is bad input naming `cursor` (400). */
export function cursorKey(cursor: string | undefined, shape: CursorShape): (string | number)[] | undefined {
  if (cursor === undefined) return undefined;
  const key = decodeCursor(cursor, shape);
  if (!key) throw new InvalidCommandError('cursor is not one this list handed out; start again without it', 'cursor');
  return key;
}

/** Splits a LIMIT n+1 result into a page and the cursor that follows it. */
export function pageOf<Row, T>(rows: readonly Row[], limit: number, toItem: (row: Row) => T, keyOf: (row: Row) => (string | number)[]): Page<T> {
  const more = rows.length > limit;
  const served = more ? rows.slice(0, limit) : rows;
  return { items: served.map(toItem), nextCursor: more ? encodeCursor(keyOf(served[served.length - 1])) : null };
}
