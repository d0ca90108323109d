import { describeWithPostgres } from '../support/postgres';
import { sampleRequest, startTestApp, TestApp } from '../support/test-app';

/** Issue 11, findings 4 and 8: many requests racing on one idempotency key, and on one case. */
// Hundreds of concurrent requests per test: give them time on a loaded machine.
jest.setTimeout(300_000);

function contention(store: 'pglite' | 'postgres'): void {
  let t: TestApp;
  let agent: string;

  beforeAll(async () => {
    t = await startTestApp({ store });
    agent = t.token('agent_ann', ['agent']);
  });
  afterAll(() => t?.close());

  it('one Idempotency-Key sent by 50 concurrent requests with two bodies: one body wins, every other-body request is a 409 (20 rounds)', async () => {
    const problems: string[] = [];
    for (let round = 0; round < 20; round++) {
      const key = `race-${store}-${round}-${Date.now()}`;
      const base = sampleRequest(t.clock.now());
      const bodies = {
        A: { ...base, customer: { id: `cus_a${round}`, name: 'Anna A', locale: 'en' } },
        B: { ...base, customer: { id: `cus_b${round}`, name: 'Bruno B', locale: 'it' } },
      };
      const sent = Array.from({ length: 50 }, (_, i) => (i % 2 === 0 ? 'A' : 'B') as 'A' | 'B');
      const results = await Promise.all(
        sent.map((which) => t.request('POST', '/v1/cases', { token: agent, body: bodies[which], headers: { 'idempotency-key': key } })),
      );
      const created = results.filter((r) => r.status === 201);
      if (created.length === 0) {
        problems.push(`round ${round}: nobody got 201 (${results.map((r) => r.status).join(',')})`);
        continue;
      }
      const caseId = created[0].body.caseId as string;
      const stored = await t.request('GET', `/v1/cases/${caseId}`, { token: agent });
      const winner = stored.body.request.customer.id === bodies.A.customer.id ? 'A' : 'B';
      results.forEach((result, i) => {
        const expected = sent[i] === winner ? 201 : 409;
        if (result.status !== expected) {
          problems.push(`round ${round}: a body ${sent[i]} request got ${result.status} (replayed: ${result.headers.get('idempotent-replayed')}), the case holds body ${winner}`);
        }
      });
      if (results.filter((r) => r.status === 201 && r.headers.get('idempotent-replayed') !== 'true').length !== 1) {
        problems.push(`round ${round}: not exactly one first answer`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('24 notes without If-Match among 32 concurrent commands on one case all succeed', async () => {
    const { body: logged } = await t.request('POST', '/v1/cases', { token: agent, body: sampleRequest(t.clock.now()) });
    const caseId = logged.caseId as string;
    const evaluated = await t.request('POST', `/v1/cases/${caseId}/evaluation`, { token: agent });
    expect(evaluated.body.status).toBe('escalated');
    const managers = Array.from({ length: 8 }, (_, i) => t.token(`mgr_${i}`, ['manager']));
    const commands = [
      ...Array.from({ length: 24 }, (_, i) => () => t.request('POST', `/v1/cases/${caseId}/notes`, { token: agent, body: { text: `note ${i}` } })),
      // Other writers on the same stream: assignments, and notes pinned to the version they saw.
      ...managers.slice(0, 4).map((token) => () => t.request('POST', `/v1/cases/${caseId}/assignment`, { token, body: { assignee: 'mgr_0' } })),
      ...managers.slice(4).map((token) => () =>
        t.request('POST', `/v1/cases/${caseId}/notes`, { token, body: { text: 'pinned' }, headers: { 'if-match': `"${evaluated.body.version}"` } })),
    ];
    const results = await Promise.all(commands.map((send) => send()));
    const notes = results.slice(0, 24);
    expect(notes.map((r) => r.status)).toEqual(Array(24).fill(200));
    for (const other of results.slice(24)) expect([200, 409, 412]).toContain(other.status);
    const view = await t.request('GET', `/v1/cases/${caseId}`, { token: agent });
    const texts = (view.body.notes as Array<{ text: string }>).map((n) => n.text);
    for (let i = 0; i < 24; i++) expect(texts).toContain(`note ${i}`);
  });

  it('a note is still refused once the case is closed, however the race goes', async () => {
    const { body: logged } = await t.request('POST', '/v1/cases', { token: agent, body: sampleRequest(t.clock.now()) });
    const caseId = logged.caseId as string;
    const accepted: string[] = [];
    const refusals: Array<{ status: number; type: string }> = [];
    // Ten writers add notes until the case refuses them; meanwhile the case is closed (retried by
    // the client if it loses its own race to the notes).
    const writer = async (w: number): Promise<void> => {
      for (let i = 0; i < 200; i++) {
        const result = await t.request('POST', `/v1/cases/${caseId}/notes`, { token: agent, body: { text: `w${w}-${i}` } });
        if (result.status !== 200) return void refusals.push({ status: result.status, type: result.body.type });
        accepted.push(`w${w}-${i}`);
      }
    };
    const closer = async (): Promise<number> => {
      await new Promise((resolve) => setTimeout(resolve, 50));
      for (let attempt = 0; ; attempt++) {
        const result = await t.request('POST', `/v1/cases/${caseId}/closure`, { token: agent, body: { summary: 'done' } });
        if (result.status !== 409 || attempt > 50) return result.status;
      }
    };
    const [closed] = await Promise.all([closer(), ...Array.from({ length: 10 }, (_, w) => writer(w))]);
    expect(closed).toBe(200);
    const { body: audit } = await t.request('GET', `/v1/audit/cases/${caseId}/events`, { token: t.token('aud', ['auditor']) });
    const types = (audit.events as Array<{ type: string }>).map((e) => e.type);
    expect(types[types.length - 1]).toBe('CaseClosed');
    expect(types.filter((type) => type === 'NoteAdded')).toHaveLength(accepted.length);
    expect(refusals).toHaveLength(10);
    for (const refusal of refusals) expect(refusal).toEqual({ status: 409, type: expect.stringContaining('illegal-transition') });
  });
}

describe('contention on embedded PGlite', () => contention('pglite'));
describeWithPostgres('contention on PostgreSQL', () => contention('postgres'));
