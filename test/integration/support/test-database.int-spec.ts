import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { ensureTestDatabase, POSTGRES_TEST_URL } from '../../support/postgres-probe';
import { describeWithPostgres } from '../../support/postgres';

describeWithPostgres('the test database is created when the server lacks it', () => {
  const name = `refund_desk_setup_${randomBytes(4).toString('hex')}`;
  const url = new URL(POSTGRES_TEST_URL);
  url.pathname = `/${name}`;
  const admin = new URL(POSTGRES_TEST_URL);
  admin.pathname = '/postgres';

  afterAll(async () => {
    const client = new Client({ connectionString: admin.toString() });
    await client.connect();
    try {
      await client.query(`DROP DATABASE IF EXISTS ${name}`);
    } finally {
      await client.end();
    }
  });

  it('creates a missing database from the postgres database, once', async () => {
    expect(await ensureTestDatabase(url.toString())).toBe('created');
    expect(await ensureTestDatabase(url.toString())).toBe('exists');
    const client = new Client({ connectionString: url.toString() });
    await client.connect();
    try {
      expect((await client.query('SELECT current_database() AS db')).rows[0].db).toBe(name);
    } finally {
      await client.end();
    }
  });
});
