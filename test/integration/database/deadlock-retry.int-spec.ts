import { describeWithPostgres, openTestSchema } from '../../support/postgres';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describeWithPostgres('a statement chosen as a deadlock victim', () => {
  it('is run again and answers, instead of failing the request', async () => {
    const schema = await openTestSchema('deadlock');
    const { db } = schema;
    const holder = await db.connect();
    try {
      await db.query('CREATE TABLE a (n int)');
      await db.query('CREATE TABLE b (n int)');
      await db.query('INSERT INTO a VALUES (1)');
      await db.query('INSERT INTO b VALUES (2)');

      // The other party (think: a rebuild swapping tables) holds a and will want b. Its deadlock check
      // waits 30 s, so the server's check on our statement runs first and makes it the victim.
      await holder.query('BEGIN');
      await holder.query("SET LOCAL deadlock_timeout = '30s'");
      await holder.query('LOCK TABLE a IN ACCESS EXCLUSIVE MODE');

      // Our read takes b, then waits for a.
      const read = db.query<{ total: number }>('SELECT (SELECT sum(n) FROM b) + (SELECT sum(n) FROM a) AS total');
      await sleep(300);
      const swap = (async () => {
        await holder.query('LOCK TABLE b IN ACCESS EXCLUSIVE MODE');
        await holder.query('COMMIT');
      })();

      const { rows } = await read;
      await swap;
      expect(Number(rows[0].total)).toBe(3);
    } finally {
      holder.release();
      await schema.drop();
    }
  }, 30_000);
});
