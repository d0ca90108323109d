import { PgliteDatabase } from './pglite-database';
import { isUnstorableTextError, withoutParameters } from './database-errors';

describe('database errors', () => {
  let db: PgliteDatabase;
  beforeAll(async () => (db = await PgliteDatabase.open()));
  afterAll(() => db.close());

  const failure = async (sql: string, params: unknown[]): Promise<Record<string, unknown>> => {
    try {
      await db.query(sql, params);
    } catch (error) {
      return error as Record<string, unknown>;
    }
    throw new Error('the statement did not fail');
  };

  it('never carries the statement or its parameters (they are logged with the error)', async () => {
    for (const error of [
      await failure('SELECT $1::jsonb', [JSON.stringify({ name: 'Maria Rossi \u0000' })]),
      (await db.transaction((tx) => tx.query('SELECT $1::int', ['Maria Rossi'])).catch((e: unknown) => e)) as Record<string, unknown>,
    ]) {
      expect(error.code).toMatch(/^22/);
      for (const field of ['query', 'params', 'queryOptions', 'where', 'internalQuery']) expect(error).not.toHaveProperty(field);
      expect(JSON.stringify(error)).not.toContain('Maria Rossi \\u0000');
    }
  });

  it('recognises text PostgreSQL cannot store, and only that', async () => {
    expect(isUnstorableTextError(await failure('SELECT $1::text', ['a\u0000b']))).toBe(true);
    expect(isUnstorableTextError(await failure('SELECT $1::jsonb', [JSON.stringify({ a: 'a\u0000b' })]))).toBe(true);
    expect(isUnstorableTextError(await failure('SELECT $1::jsonb', [JSON.stringify({ a: '\ud800' })]))).toBe(true);
    expect(isUnstorableTextError(await failure('SELECT $1::int', ['x']))).toBe(false);
    expect(isUnstorableTextError(await failure('SELECT 1/0', []))).toBe(false);
    expect(withoutParameters(null)).toBeNull();
  });
});
