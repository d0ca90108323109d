import { events as ev } from '@refund-desk/domain/testing';
import { asCaseEvents, harnessForSuite, recorded } from '../testing/projection-test-kit';
import { followUpQueueProjection } from './follow-up-queue.projection';
import { FollowUpQueueQuery } from './follow-up-queue.query';

const NOW = new Date('2026-10-15T12:00:00.000Z');
const at = (days: number): string => new Date(NOW.getTime() + days * 86_400_000).toISOString();

describe('follow-up queue query', () => {
  const h = harnessForSuite(followUpQueueProjection);
  let query: FollowUpQueueQuery;
  const list = async (filter: Partial<Parameters<FollowUpQueueQuery['list']>[0]> = {}, now = NOW) =>
    (await query.list({ limit: 50, ...filter }, now)).items.map((i) => i.caseId);

  beforeAll(async () => {
    query = new FollowUpQueueQuery(h.db);
    const decided = (id: string, dueInDays: number, outcome: 'refund' | 'denied' = 'refund', more: ReturnType<typeof ev.followedUp>[] = []) =>
      h.apply(recorded(asCaseEvents([ev.requestLogged(), ev.policyEvaluated(), ev.decided({ outcome, followUpDueAt: at(dueInDays) }), ...more]), { caseId: id }));
    await decided('f-due-3', -3);
    await decided('f-due-1', -1, 'denied');
    await decided('f-due-now', 0);
    await decided('f-future', 2);
    await decided('f-asked', -5, 'refund', [ev.followedUp()]);
    await h.apply(recorded(asCaseEvents([ev.requestLogged(), ev.policyEvaluated(), ev.decided({ followUpDueAt: at(-4) }), ev.caseClosed()]), { caseId: 'f-closed' }));
    await h.apply(recorded(asCaseEvents([ev.requestLogged(), ev.policyEvaluated()]), { caseId: 'f-undecided' }));
  });

  it('lists decided cases whose follow-up is due, longest overdue first', async () => {
    expect(await list()).toEqual(['f-due-3', 'f-due-1', 'f-due-now']);
    expect(await list({}, new Date(at(3)))).toEqual(['f-due-3', 'f-due-1', 'f-due-now', 'f-future']);
  });

  it('filters by outcome and channel, and pages', async () => {
    expect(await list({ outcome: 'denied' })).toEqual(['f-due-1']);
    expect(await list({ channel: 'phone' })).toEqual([]);
    const first = await query.list({ limit: 2 }, NOW);
    const second = await query.list({ limit: 2, cursor: first.nextCursor! }, NOW);
    expect([...first.items, ...second.items].map((i) => i.caseId)).toEqual(['f-due-3', 'f-due-1', 'f-due-now']);
    expect(second.nextCursor).toBeNull();
    expect(first.items[0]).toMatchObject({ daysOverdue: 3, outcome: 'refund', followUpDueAt: at(-3), locale: 'it', channel: 'email' });
  });
});
