import { randomInt } from 'node:crypto';
import { describeWithPostgres, openTestSchema } from '../../support/postgres';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describeWithPostgres('a statement chosen as a deadlock victim', () => {
  it('is run again and answers, instead of failing the request', async () => {
    const schema = await openTestSchema('deadlock');
    const holder = await schema.db.connect();
    // Advisory locks make the deadlock without a transaction id: a held xid would stall the log
    // horizon that suites running beside this one read up to.
    const [first, second] = [randomInt(1, 2 ** 40), randomInt(1, 2 ** 40)];
    try {
      // The other party holds `second` and will want `first`. Its own deadlock check waits 30 s, so
      // the server's check on our statement runs first and makes it the victim.
      await holder.query("SET deadlock_timeout = '30s'");
      await holder.query('SELECT pg_advisory_lock($1)', [second]);

      // Our statement takes `first`, then waits for `second`.
      const read = schema.db.query<{ answer: number }>('SELECT pg_advisory_xact_lock($1), pg_advisory_xact_lock($2), 42 AS answer', [first, second]);
      await sleep(300);
      const other = (async () => {
        await holder.query('SELECT pg_advisory_lock($1)', [first]);
        await holder.query('SELECT pg_advisory_unlock_all()');
      })();

      const { rows } = await read;
      await other;
      expect(rows[0].answer).toBe(42);
    } finally {
      holder.release();
      await schema.drop();
    }
  }, 30_000);
});
