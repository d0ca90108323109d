import { events, histories } from '../testing/fixtures';
import { openDeadlines } from './deadlines';
import { CaseEvent } from './events';
import { foldCase } from './evolve';

const open = (...given: CaseEvent[]) => openDeadlines(foldCase(given));

describe('the deadlines a case runs against', () => {
  const refundDue = { by: '2026-11-01T00:00:00.000Z', under: 'policy' as const, source: null };
  const followUpDueAt = events.decided().data.followUpDueAt;
  const appeal = events.decisionAppealed();

  it('none before an escalation, and none once closed', () => {
    expect(openDeadlines({ status: 'none' })).toEqual([]);
    expect(open(...histories.logged())).toEqual([]);
    expect(open(...histories.evaluated())).toEqual([]);
    expect(open(...histories.decided({ refundDue }), events.caseClosed())).toEqual([]);
    expect(open(...histories.escalated(), events.caseClosed())).toEqual([]);
  });

  it('an escalated case runs against its decision SLA', () => {
    const slaDueAt = '2026-10-16T09:00:00.000Z';
    expect(open(...histories.escalated({ slaDueAt }))).toEqual([{ deadline: 'decision_sla', dueAt: slaDueAt }]);
  });

  it('a decided case runs against its appeal, its money and its follow-up, in that order', () => {
    expect(open(...histories.decided({ refundDue }), appeal)).toEqual([
      { deadline: 'appeal_sla', dueAt: appeal.data.slaDueAt },
      { deadline: 'refund_settlement', dueAt: refundDue.by },
      { deadline: 'follow_up', dueAt: followUpDueAt },
    ]);
  });

  it('each leaves the list when what it waits for happens', () => {
    expect(open(...histories.decided({ refundDue }), appeal, events.appealDecided())).toEqual([
      { deadline: 'refund_settlement', dueAt: refundDue.by },
      { deadline: 'follow_up', dueAt: followUpDueAt },
    ]);
    // Issued or failed money is still due; only settled money is not.
    expect(open(...histories.decided({ refundDue }), events.refundIssued())).toContainEqual({ deadline: 'refund_settlement', dueAt: refundDue.by });
    expect(open(...histories.decided({ refundDue }), events.refundIssued(), events.refundFailed())).toContainEqual({ deadline: 'refund_settlement', dueAt: refundDue.by });
    expect(open(...histories.decided({ refundDue }), events.refundIssued(), events.refundSettled())).toEqual([{ deadline: 'follow_up', dueAt: followUpDueAt }]);
    expect(open(...histories.decided({ refundDue }), events.followedUp())).toEqual([{ deadline: 'refund_settlement', dueAt: refundDue.by }]);
  });

  it('no money deadline when no money is due', () => {
    expect(open(...histories.decided())).toEqual([{ deadline: 'follow_up', dueAt: followUpDueAt }]);
    expect(open(...histories.denied())).toEqual([{ deadline: 'follow_up', dueAt: followUpDueAt }]);
  });

  it('leaves out a deadline recorded as missed, matched by kind and due time both', () => {
    const slaDueAt = '2026-10-16T09:00:00.000Z';
    expect(open(...histories.escalated({ slaDueAt }), events.deadlineMissed({ deadline: 'decision_sla', dueAt: slaDueAt }))).toEqual([]);
    // The same kind missed at another due time (before a re-escalation) does not hide this one.
    expect(open(...histories.escalated({ slaDueAt }), events.deadlineMissed({ deadline: 'decision_sla', dueAt: '2026-10-15T00:00:00.000Z' }))).toEqual([
      { deadline: 'decision_sla', dueAt: slaDueAt },
    ]);
    // Another kind missed at the same time does not hide it either.
    expect(open(...histories.escalated({ slaDueAt }), events.deadlineMissed({ deadline: 'appeal_sla', dueAt: slaDueAt }))).toEqual([
      { deadline: 'decision_sla', dueAt: slaDueAt },
    ]);
    expect(open(...histories.decided({ refundDue }), events.deadlineMissed({ deadline: 'follow_up', dueAt: followUpDueAt }))).toEqual([
      { deadline: 'refund_settlement', dueAt: refundDue.by },
    ]);
  });
});
