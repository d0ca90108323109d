import { Priority } from '@refund-desk/domain';
import { actors, eur, events as ev, histories, outOfPolicyRequest } from '@refund-desk/domain/testing';
import { asCaseEvents, harnessForSuite, recorded } from '../testing/projection-test-kit';
import { managerQueueProjection } from './manager-queue.projection';
import { ManagerQueueItem, ManagerQueueQuery } from './manager-queue.query';

const NOW = new Date('2026-10-15T12:00:00.000Z');
const at = (hours: number): string => new Date(NOW.getTime() + hours * 3_600_000).toISOString();

interface Spec {
  readonly id: string;
  readonly priority: Priority;
  readonly dueInHours: number;
  readonly assignee?: string;
  readonly category?: string;
  readonly decided?: boolean;
  readonly requiredAuthority?: 'manager' | 'senior_manager';
}

const SPECS: Spec[] = [
  { id: 'q-a', priority: 'normal', dueInHours: 10 },
  { id: 'q-b', priority: 'urgent', dueInHours: 3, assignee: 'mgr-1' },
  { id: 'q-c', priority: 'normal', dueInHours: -2, category: 'electronics' },
  { id: 'q-d', priority: 'high', dueInHours: 20, assignee: 'mgr-2', requiredAuthority: 'senior_manager' },
  { id: 'q-e', priority: 'urgent', dueInHours: -1 },
  { id: 'q-f', priority: 'low', dueInHours: 100 },
  { id: 'q-g', priority: 'normal', dueInHours: 10 },
  { id: 'q-h', priority: 'high', dueInHours: 5, decided: true },
];

describe('manager queue query', () => {
  const h = harnessForSuite(managerQueueProjection);
  let query: ManagerQueueQuery;
  const ids = (items: readonly ManagerQueueItem[]): string[] => items.map((i) => i.caseId);
  const list = (filter: Partial<Parameters<ManagerQueueQuery['list']>[0]> = {}) => query.list({ limit: 50, ...filter }, NOW);

  beforeAll(async () => {
    query = new ManagerQueueQuery(h.db);
    for (const spec of SPECS) {
      const events = [
        ev.requestLogged(outOfPolicyRequest({ product: { category: spec.category ?? 'small-appliances' }, customer: { id: `cus-${spec.id}` } })),
        ev.policyEvaluated(),
        ev.escalated({ priority: spec.priority, slaDueAt: at(spec.dueInHours), requiredAuthority: spec.requiredAuthority ?? 'manager' }),
        ...(spec.assignee ? [ev.caseAssigned({ assignee: spec.assignee })] : []),
        ...(spec.decided ? [ev.decided()] : []),
      ];
      await h.apply(recorded(asCaseEvents(events), { caseId: spec.id, customerId: `cus-${spec.id}` }));
    }
    // A case only logged and one closed undecided are not in the queue either.
    await h.apply(recorded(asCaseEvents([ev.requestLogged()]), { caseId: 'q-logged' }));
    await h.apply(recorded(asCaseEvents([ev.requestLogged(), ev.policyEvaluated(), ev.escalated(), ev.caseClosed()]), { caseId: 'q-closed' }));
  });

  it('orders escalated, undecided cases by priority, then earliest deadline, then case id', async () => {
    expect(ids((await list()).items)).toEqual(['q-e', 'q-b', 'q-h', 'q-d', 'q-c', 'q-a', 'q-g', 'q-f'].filter((id) => id !== 'q-h'));
  });

  it('computes slaBreached against the time of the query', async () => {
    const { items } = await list();
    expect(items.filter((i) => i.slaBreached).map((i) => i.caseId).sort()).toEqual(['q-c', 'q-e']);
    const later = await query.list({ limit: 50 }, new Date(NOW.getTime() + 11 * 3_600_000));
    expect(later.items.filter((i) => i.slaBreached).map((i) => i.caseId).sort()).toEqual(['q-a', 'q-b', 'q-c', 'q-e', 'q-g']);
    // Exactly at the deadline it is not yet breached.
    const atDue = await query.list({ limit: 50 }, new Date(at(3)));
    expect(atDue.items.find((i) => i.caseId === 'q-b')!.slaBreached).toBe(false);
  });

  it('filters by assignee, unassigned, priority, breach, category, required authority and customer', async () => {
    expect(ids((await list({ assignee: 'mgr-1' })).items)).toEqual(['q-b']);
    expect(ids((await list({ unassigned: true })).items)).toEqual(['q-e', 'q-c', 'q-a', 'q-g', 'q-f']);
    expect(ids((await list({ priorities: ['urgent', 'low'] })).items)).toEqual(['q-e', 'q-b', 'q-f']);
    expect(ids((await list({ slaBreached: true })).items)).toEqual(['q-e', 'q-c']);
    expect(ids((await list({ slaBreached: false })).items)).toEqual(['q-b', 'q-d', 'q-a', 'q-g', 'q-f']);
    expect(ids((await list({ category: 'electronics' })).items)).toEqual(['q-c']);
    expect(ids((await list({ customerId: 'cus-q-d' })).items)).toEqual(['q-d']);
    expect(ids((await list({ requiredAuthority: 'senior_manager' })).items)).toEqual(['q-d']);
    expect(ids((await list({ requiredAuthority: 'manager' })).items)).toEqual(['q-e', 'q-b', 'q-c', 'q-a', 'q-g', 'q-f']);
    expect(ids((await list({ priorities: ['normal'], slaBreached: false })).items)).toEqual(['q-a', 'q-g']);
  });

  it('pages with a cursor: no item twice, none left out, same order', async () => {
    const all = ids((await list()).items);
    for (const limit of [1, 2, 3]) {
      const seen: string[] = [];
      let cursor: string | undefined;
      for (;;) {
        const page = await list({ limit, cursor });
        expect(page.items.length).toBeLessThanOrEqual(limit);
        seen.push(...ids(page.items));
        if (!page.nextCursor) break;
        cursor = page.nextCursor;
      }
      expect(seen).toEqual(all);
    }
    const first = await list({ limit: 3, priorities: ['normal'] });
    expect(ids(first.items)).toEqual(['q-c', 'q-a', 'q-g']);
    expect(first.nextCursor).toBeNull();
  });

  it('refuses a cursor it did not hand out', async () => {
    await expect(list({ cursor: 'garbage' })).rejects.toMatchObject({ code: 'invalid_command', field: 'cursor' });
    await expect(list({ cursor: Buffer.from('[1,"not a time","x"]').toString('base64url') })).rejects.toMatchObject({ field: 'cursor' });
  });

  it('serves the item fields of the contract', async () => {
    const item = (await list({ customerId: 'cus-q-b' })).items[0];
    expect(item).toEqual({
      caseId: 'q-b',
      customerId: 'cus-q-b',
      product: { sku: 'KTL-200', name: 'Electric kettle', category: 'small-appliances' },
      amount: { minor: 4990, currency: 'EUR' },
      reasonCode: 'changed_mind',
      priority: 'urgent',
      escalationReasonCodes: ['return_window'],
      requiredAuthority: 'manager',
      escalatedAt: ev.escalated().data.escalatedAt,
      slaDueAt: at(3),
      slaBreached: false,
      assignee: 'mgr-1',
      waitingFor: 'decision',
      waitingSince: ev.escalated().data.escalatedAt,
      slaMissedAt: null,
      decision: null,
      firstDecidedBy: null,
    });
  });
});

describe('manager queue query: what a case waits for', () => {
  const h = harnessForSuite(managerQueueProjection);
  let query: ManagerQueueQuery;
  const ids = (items: readonly ManagerQueueItem[]): string[] => items.map((i) => i.caseId);
  const list = (filter: Partial<Parameters<ManagerQueueQuery['list']>[0]> = {}) => query.list({ limit: 50, ...filter }, NOW);

  beforeAll(async () => {
    query = new ManagerQueueQuery(h.db);
    const cases: Record<string, Parameters<typeof asCaseEvents>[0]> = {
      'w-decision': histories.escalated({ priority: 'normal', slaDueAt: at(5) }),
      'w-appeal': [...histories.denied(), ev.decisionAppealed({ priority: 'high', slaDueAt: at(-1) })],
      'w-approval': histories.awaitingApproval(),
      'w-late': [
        ...histories.escalated({ priority: 'normal', slaDueAt: at(-3) }),
        ev.deadlineMissed({ deadline: 'decision_sla', dueAt: at(-3), missedAt: at(-2), raisedTo: { priority: 'high', requiredAuthority: 'senior_manager' } }),
      ],
      'w-upheld': [...histories.denied(), ev.decisionAppealed(), ev.appealDecided()],
      'w-approved': [...histories.awaitingApproval(), ev.decisionApproved()],
    };
    for (const [id, events] of Object.entries(cases)) await h.apply(recorded(asCaseEvents(events), { caseId: id }));
  });

  it('lists every case waiting for a manager, by urgency then deadline, and filters by what it waits for', async () => {
    expect(ids((await list()).items)).toEqual(['w-late', 'w-appeal', 'w-approval', 'w-decision']);
    expect(ids((await list({ waitingFor: 'decision' })).items)).toEqual(['w-late', 'w-decision']);
    expect(ids((await list({ waitingFor: 'appeal' })).items)).toEqual(['w-appeal']);
    expect(ids((await list({ waitingFor: 'approval' })).items)).toEqual(['w-approval']);
    expect(ids((await list({ waitingFor: 'appeal', requiredAuthority: 'senior_manager' })).items)).toEqual([]);
  });

  it('an approval names the decider and the amount decided, so the desk can hide "approve" for them', async () => {
    const item = (await list({ waitingFor: 'approval' })).items[0];
    expect(item).toMatchObject({
      waitingFor: 'approval',
      requiredAuthority: 'senior_manager',
      decision: { decidedBy: actors.seniorManager.id, outcome: 'refund', amount: eur(150_000), decidedAt: ev.decided().data.decidedAt },
      firstDecidedBy: null,
      waitingSince: ev.decided().data.decidedAt,
    });
  });

  it('an appeal names the first decider and the decision appealed', async () => {
    const item = (await list({ waitingFor: 'appeal' })).items[0];
    expect(item).toMatchObject({
      priority: 'high',
      slaDueAt: at(-1),
      slaBreached: true,
      firstDecidedBy: actors.manager.id,
      decision: { decidedBy: actors.manager.id, outcome: 'denied', amount: null },
    });
  });

  it('a missed decision deadline shows when it was missed, with priority and authority raised', async () => {
    const item = (await list({ waitingFor: 'decision', requiredAuthority: 'senior_manager' })).items[0];
    expect(item).toMatchObject({ caseId: 'w-late', priority: 'high', slaMissedAt: at(-2), decision: null });
  });
});
