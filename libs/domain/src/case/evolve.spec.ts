import { eur, events, histories, outOfPolicyRequest, sampleRequest } from '../testing/fixtures';
import { CaseEvent } from './events';
import { evolve, foldCase } from './evolve';
import { CaseState, ClosedCase, DecidedCase, EscalatedCase, NO_REFUND } from './state';

const fold = (...given: CaseEvent[]): CaseState => foldCase(given);
function as<S extends CaseState['status']>(state: CaseState, status: S): Extract<CaseState, { status: S }> {
  expect(state.status).toBe(status);
  return state as Extract<CaseState, { status: S }>;
}

describe('evolve', () => {
  it('starts a logged case file from RequestLogged', () => {
    const request = sampleRequest();
    const logged = events.requestLogged(request);
    expect(fold(logged)).toEqual({
      status: 'logged',
      caseId: 'case-0001',
      loggedAt: logged.data.loggedAt,
      loggedBy: 'agent-ana',
      request,
      notes: [],
      personalDataErasedAt: null,
      deadlinesMissed: [],
    });
  });

  it('marks the personal data erased, on any status including closed, and keeps everything else', () => {
    const erased = events.customerDataErased();
    const closed = fold(...histories.closed(), erased);
    expect(closed).toMatchObject({ status: 'closed', personalDataErasedAt: erased.data.erasedAt, decision: { outcome: 'refund' } });
    expect(fold(...histories.escalated(), erased)).toMatchObject({ status: 'escalated', personalDataErasedAt: erased.data.erasedAt });
    const decidedAfter = fold(...histories.evaluated(), erased, events.decided());
    expect(decidedAfter).toMatchObject({ status: 'decided', personalDataErasedAt: erased.data.erasedAt });
    expect(fold(erased)).toEqual({ status: 'none' });
  });

  it('appends notes in order, on any status', () => {
    const first = events.noteAdded({ noteId: 'n1' });
    const second = events.noteAdded({ noteId: 'n2', text: 'Second' });
    const state = as(fold(...histories.decided(), first, second), 'decided');
    expect(state.notes.map((n) => n.noteId)).toEqual(['n1', 'n2']);
    expect(state.notes[1]).not.toHaveProperty('caseId');
  });

  it('keeps the latest evaluation', () => {
    const state = as(fold(...histories.evaluated(), events.policyEvaluated({ policyVersion: 2, withinPolicy: false })), 'evaluated');
    expect(state.evaluation).toMatchObject({ policyVersion: 2, withinPolicy: false });
    expect(state.evaluation).not.toHaveProperty('caseId');
  });

  it('moves to escalated with no assignee, then records assignments', () => {
    const escalated = as(fold(...histories.escalated()), 'escalated');
    expect(escalated.assignment).toBeNull();
    expect(escalated.escalation).toMatchObject({ reasonCodes: ['return_window'], requiredAuthority: 'manager' });
    const assigned = as(
      fold(...histories.escalated(), events.caseAssigned(), events.caseAssigned({ assignee: 'senior-sofia' })),
      'escalated',
    );
    expect(assigned.assignment?.assignee).toBe('senior-sofia');
  });

  it('keeps escalation and assignment through the decision', () => {
    const state = as(fold(...histories.escalated(), events.caseAssigned(), events.decided({ outcome: 'store_credit' })), 'decided');
    expect(state.escalation?.reasonCodes).toEqual(['return_window']);
    expect(state.assignment?.assignee).toBe('manager-marco');
    expect(state.decision.outcome).toBe('store_credit');
    expect(state.refund).toEqual(NO_REFUND);
    expect(state.communications).toEqual([]);
    expect(state.followUp).toBeNull();
  });

  it('decides an evaluated case with no escalation', () => {
    const state = as(fold(...histories.decided()), 'decided');
    expect(state.escalation).toBeNull();
    expect(state.assignment).toBeNull();
    expect(state.decision.amount).toEqual(eur(4990));
  });

  it('tracks the money through issue, failure, retry and settlement, keeping every failure', () => {
    const base = histories.decided();
    const issued = as(fold(...base, events.refundIssued()), 'decided');
    expect(issued.refund).toMatchObject({ status: 'issued', reference: 'pay-1', amount: eur(4990), settledAt: null });

    const failed = as(fold(...base, events.refundIssued(), events.refundFailed()), 'decided');
    expect(failed.refund.status).toBe('failed');
    expect(failed.refund.failures).toEqual([
      { method: 'card', amount: eur(4990), reference: 'pay-1', reason: 'Card expired', failedAt: events.refundFailed().data.failedAt },
    ]);

    const settled = as(
      fold(
        ...base,
        events.refundIssued(),
        events.refundFailed(),
        events.refundIssued({ reference: 'pay-2', method: 'bank_transfer', issuedAt: '2026-10-15T10:00:00.000Z' }),
        events.refundSettled({ reference: 'pay-2', method: 'bank_transfer', settledAt: '2026-10-17T10:00:00.000Z' }),
      ),
      'decided',
    );
    expect(settled.refund).toEqual({
      status: 'settled',
      method: 'bank_transfer',
      amount: eur(4990),
      reference: 'pay-2',
      issuedAt: '2026-10-15T10:00:00.000Z',
      settledAt: '2026-10-17T10:00:00.000Z',
      failures: failed.refund.failures,
    });
  });

  it('records communications and the follow-up', () => {
    const state = as(
      fold(...histories.decided(), events.customerNotified(), events.customerNotified({ channel: 'sms' }), events.followedUp()),
      'decided',
    );
    expect(state.communications.map((c) => c.channel)).toEqual(['email', 'sms']);
    expect(state.followUp).toMatchObject({ satisfaction: 5, channel: 'survey' });
  });

  it('closes a decided case keeping the whole file', () => {
    const state: ClosedCase = as(
      fold(...histories.decided(), events.customerNotified(), events.refundIssued(), events.refundSettled(), events.caseClosed()),
      'closed',
    );
    expect(state.closedFrom).toBe('decided');
    expect(state.decision?.outcome).toBe('refund');
    expect(state.refund?.status).toBe('settled');
    expect(state.communications).toHaveLength(1);
    expect(state.closure).toEqual({ summary: 'Done', closedBy: 'agent-ana', closedAt: events.caseClosed().data.closedAt });
  });

  it.each([
    ['logged', histories.logged()],
    ['evaluated', histories.evaluated()],
    ['escalated', histories.escalated()],
  ] as const)('closes a %s case with no decision', (status, given) => {
    const state = as(fold(...given, events.caseClosed()), 'closed');
    expect(state.closedFrom).toBe(status);
    expect(state.decision).toBeNull();
    expect(state.refund).toBeNull();
    expect(state.evaluation === null).toBe(status === 'logged');
    expect(state.escalation === null).toBe(status !== 'escalated');
  });

  describe('facts that do not fit the state are ignored, so a replay never stops', () => {
    it.each<[string, CaseEvent[], CaseEvent]>([
      ['a second RequestLogged', histories.evaluated(), events.requestLogged(outOfPolicyRequest())],
      ['a Decided before evaluation', histories.logged(), events.decided()],
      ['a second Decided', histories.decided(), events.decided({ outcome: 'denied', amount: null })],
      ['an Escalated after the decision', histories.decided(), events.escalated()],
      ['a refund before the decision', histories.escalated(), events.refundIssued()],
      ['a CaseClosed after closure', histories.closed(), events.caseClosed({ summary: 'again' })],
      ['a PolicyEvaluated after escalation', histories.escalated(), events.policyEvaluated()],
    ])('%s', (_what, given, odd) => {
      const before = foldCase(given);
      expect(evolve(before, odd)).toBe(before);
    });

    it.each(histories.decided().slice(1).concat(events.noteAdded(), events.refundIssued(), events.caseClosed()))('$type on no case', (event) => {
      expect(evolve({ status: 'none' }, event)).toEqual({ status: 'none' });
    });
  });

  it('does not mutate the state it folds from', () => {
    const before = foldCase(histories.escalated()) as EscalatedCase;
    const snapshot = structuredClone(before);
    evolve(before, events.caseAssigned());
    evolve(before, events.noteAdded());
    const decided = evolve(before, events.decided()) as DecidedCase;
    evolve(decided, events.refundIssued());
    expect(before).toEqual(snapshot);
    expect(decided.refund).toEqual(NO_REFUND);
  });
});
