import { randomBytes } from 'node:crypto';
import { PostgresDatabase } from '@refund-desk/database';
import { caseStreamName } from '@refund-desk/domain';
import { DeadlineScheduler } from '@refund-desk/deadlines';
import { SealedEventLog } from '@refund-desk/event-store';
import { describeWithPostgres, openTestSchema, POSTGRES_TEST_URL } from '../../support/postgres';
import { sampleRequest, startTestApp, TestApp, waitForProjections } from '../../support/test-app';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const missed = async (t: TestApp, caseId: string): Promise<Array<{ deadline: string; dueAt: string; raisedTo: unknown }>> =>
  (await t.app.get(SealedEventLog).readStream(caseStreamName(caseId)))
    .filter((e) => e.type === 'DeadlineMissed')
    .map((e) => ({ deadline: e.data.deadline as string, dueAt: e.data.dueAt as string, raisedTo: e.data.raisedTo }));

/** An escalated exception (normal priority: 48 h to a decision) and a refund an agent decided, on the same clock. */
async function escalatedAndRefunded(t: TestApp): Promise<{ escalated: string; refunded: string }> {
  const agent = t.token('agent_ann', ['agent']);
  const now = t.clock.now();
  const a = await t.request('POST', '/v1/cases', { token: agent, body: sampleRequest(now) });
  expect((await t.request('POST', `/v1/cases/${a.body.caseId}/evaluation`, { token: agent })).body.status).toBe('escalated');
  const inPolicy = sampleRequest(now, {
    order: { id: 'ord_1', purchasedAt: new Date(now.getTime() - 5 * DAY).toISOString(), country: 'CH', paymentMethod: 'card' },
    product: { sku: 'KTL-200', name: 'Electric kettle', category: 'small-appliances', condition: 'new' },
    reason: { code: 'changed_mind', description: 'No longer needed' },
  });
  const b = await t.request('POST', '/v1/cases', { token: agent, body: inPolicy });
  expect((await t.request('POST', `/v1/cases/${b.body.caseId}/evaluation`, { token: agent })).body.status).toBe('evaluated');
  const decided = await t.request('POST', `/v1/cases/${b.body.caseId}/decision`, { token: agent, body: { outcome: 'refund', rationale: 'Inside the window' } });
  expect(decided.status).toBe(200);
  return { escalated: a.body.caseId, refunded: b.body.caseId };
}

function schedulerSuite(name: string, open: () => Promise<{ apps: [TestApp, TestApp]; reopen(): Promise<TestApp>; close(): Promise<void> }>): void {
  describe(name, () => {
    it('records each deadline once, at or after its time and never before, whichever scheduler finds it', async () => {
      const env = await open();
      try {
        const [a, b] = env.apps;
        const { escalated, refunded } = await escalatedAndRefunded(a);
        await waitForProjections(a);
        const scheduler = (t: TestApp) => t.app.get(DeadlineScheduler);

        // 47 h 59 min after escalation: nothing is due, by either scheduler.
        a.clock.advance(48 * HOUR - 60_000);
        b.clock.advance(48 * HOUR - 60_000);
        await Promise.all([scheduler(a).tick(), scheduler(b).tick()]);
        expect(await missed(a, escalated)).toEqual([]);

        // Past the SLA: both schedulers tick at once; the case moves up exactly once.
        a.clock.advance(2 * 60_000);
        b.clock.advance(2 * 60_000);
        const ticks = await Promise.all([scheduler(a).tick(), scheduler(b).tick()]);
        expect(ticks.filter((tick) => tick.leader)).toHaveLength(1);
        expect(await missed(a, escalated)).toEqual([{ deadline: 'decision_sla', dueAt: expect.any(String), raisedTo: { priority: 'high', requiredAuthority: 'senior_manager' } }]);

        // The leader gives way (a restart): the other takes over and records nothing twice.
        const restarted = await env.reopen();
        restarted.clock.advance(50 * HOUR);
        await waitForProjections(restarted);
        await Promise.all([scheduler(restarted).tick(), scheduler(b).tick()]);
        await Promise.all([scheduler(restarted).tick(), scheduler(b).tick()]);
        expect(await missed(restarted, escalated)).toHaveLength(1);

        // 10 business days after the decision the refund has not settled: flagged once; the
        // follow-up (7 days) is overdue too.
        for (const t of [restarted, b]) t.clock.advance(15 * DAY);
        await waitForProjections(restarted);
        for (let i = 0; i < 3; i++) await Promise.all([scheduler(restarted).tick(), scheduler(b).tick()]);
        const flagged = await missed(restarted, refunded);
        expect(flagged.map((m) => m.deadline).sort()).toEqual(['follow_up', 'refund_settlement']);
        expect(flagged.every((m) => m.raisedTo === null)).toBe(true);
        // The unsettled refund is on the late refunds list, flagged when the scheduler recorded it.
        await waitForProjections(restarted);
        const late = await restarted.request('GET', '/v1/queues/late-refunds', { token: restarted.token('mgr', ['manager']) });
        expect(late.status).toBe(200);
        expect(late.body.items).toEqual([
          expect.objectContaining({ caseId: refunded, amount: { minor: 4990, currency: 'EUR' }, under: 'policy', missedAt: expect.any(String) }),
        ]);
      } finally {
        await env.close();
      }
    }, 120_000);
  });
}

describeWithPostgres('deadline scheduler (PostgreSQL, two replicas on one store)', () => {
  schedulerSuite('two schedulers and a restart', async () => {
    const schema = await openTestSchema('deadlines');
    const now = new Date();
    // Replicas of one store share its master key (each test app would generate its own).
    const env = { PII_MASTER_KEY: randomBytes(32).toString('base64') };
    const second = () => PostgresDatabase.open({ connectionString: POSTGRES_TEST_URL, schema: schema.schema, poolSize: 4 });
    const a = await startTestApp({ database: await second(), now, env });
    const b = await startTestApp({ database: await second(), now, env }).catch(async (error: unknown) => {
      await a.close();
      throw error;
    });
    const opened: TestApp[] = [a, b];
    return {
      apps: [a, b],
      reopen: async () => {
        const offset = a.clock.now().getTime() - now.getTime();
        await a.close();
        opened.splice(opened.indexOf(a), 1);
        const again = await startTestApp({ database: await second(), now, env });
        again.clock.advance(offset);
        opened.push(again);
        return again;
      },
      close: async () => {
        for (const t of opened) await t.close();
        await schema.drop();
      },
    };
  });
});
