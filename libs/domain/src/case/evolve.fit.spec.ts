import { eur, events, histories } from '../testing/fixtures';
import { CaseEvent, CaseEventType } from './events';
import { evolve, foldCase } from './evolve';
import { CaseState } from './state';

/**
 * Which facts each kind of case takes. evolve() is total: a fact that does not fit is ignored (the
 * very same state comes back), so a replay of an odd imported history never stops. The table is
 * the state machine written out by hand; a guard loosened or tightened in evolve() breaks a cell.
 */
const CASES = {
  none: (): CaseEvent[] => [],
  logged: histories.logged,
  evaluated: histories.evaluated,
  escalated: histories.escalated,
  decided: histories.decided,
  awaitingApproval: histories.awaitingApproval,
  appealed: (): CaseEvent[] => [...histories.denied(), events.decisionAppealed()],
  appealDecided: (): CaseEvent[] => [...histories.denied(), events.decisionAppealed(), events.appealDecided()],
  closed: histories.closed,
} as const;
type CaseKind = keyof typeof CASES;

const FACTS: { readonly [T in CaseEventType]: () => CaseEvent } = {
  RequestLogged: () => events.requestLogged(),
  NoteAdded: () => events.noteAdded({ noteId: 'n-late' }),
  PolicyEvaluated: () => events.policyEvaluated({ policyVersion: 7 }),
  Escalated: () => events.escalated(),
  CaseAssigned: () => events.caseAssigned({ assignee: 'senior-sofia' }),
  Decided: () => events.decided(),
  CustomerNotified: () => events.customerNotified(),
  RefundIssued: () => events.refundIssued(),
  RefundSettled: () => events.refundSettled(),
  RefundFailed: () => events.refundFailed(),
  FollowedUp: () => events.followedUp(),
  CaseClosed: () => events.caseClosed(),
  CustomerDataErased: () => events.customerDataErased(),
  DecisionApproved: () => events.decisionApproved(),
  DecisionRejected: () => events.decisionRejected(),
  DecisionAppealed: () => events.decisionAppealed(),
  AppealDecided: () => events.appealDecided(),
  DeadlineMissed: () => events.deadlineMissed({ raisedTo: null }),
};

const ALL: readonly CaseKind[] = Object.keys(CASES) as CaseKind[];
const DECIDED: readonly CaseKind[] = ['decided', 'awaitingApproval', 'appealed', 'appealDecided'];
const OPEN: readonly CaseKind[] = ['logged', 'evaluated', 'escalated', ...DECIDED];

/** Where each fact applies, and the status it leaves (the same status when not named). */
const TAKEN_BY: { readonly [T in CaseEventType]: Partial<Record<CaseKind, CaseState['status'] | 'same'>> } = {
  RequestLogged: { none: 'logged' },
  NoteAdded: every(without(ALL, 'none')),
  PolicyEvaluated: { logged: 'evaluated', evaluated: 'evaluated' },
  Escalated: { evaluated: 'escalated' },
  CaseAssigned: every(['escalated', ...DECIDED]),
  Decided: { evaluated: 'decided', escalated: 'decided' },
  CustomerNotified: every(DECIDED),
  RefundIssued: every(DECIDED),
  RefundSettled: every(DECIDED),
  RefundFailed: every(DECIDED),
  FollowedUp: every(DECIDED),
  CaseClosed: Object.fromEntries(OPEN.map((kind) => [kind, 'closed'])),
  CustomerDataErased: every(without(ALL, 'none')),
  DecisionApproved: { awaitingApproval: 'decided' },
  DecisionRejected: { awaitingApproval: 'escalated' },
  DecisionAppealed: { decided: 'decided', awaitingApproval: 'decided' },
  AppealDecided: { appealed: 'decided' },
  DeadlineMissed: every(without(ALL, 'none')),
};

function every(kinds: readonly CaseKind[]): Partial<Record<CaseKind, 'same'>> {
  return Object.fromEntries(kinds.map((kind) => [kind, 'same']));
}
function without(kinds: readonly CaseKind[], left: CaseKind): CaseKind[] {
  return kinds.filter((kind) => kind !== left);
}

describe('evolve: which facts each kind of case takes', () => {
  const cells = (Object.keys(FACTS) as CaseEventType[]).flatMap((type) => ALL.map((kind) => [type, kind] as const));

  it.each(cells)('%s, on the case: %s', (type, kind) => {
    const before = foldCase(CASES[kind]());
    const after = evolve(before, FACTS[type]());
    const taken = TAKEN_BY[type][kind];
    if (taken === undefined) {
      expect(after).toBe(before);
      return;
    }
    expect(after).not.toBe(before);
    expect(after.status).toBe(taken === 'same' ? before.status : taken);
  });
});

describe('evolve: the facts a case takes, field by field', () => {
  it('rejecting a first decision puts the case back exactly as it stood before it, escalated or not', () => {
    const escalated = histories.awaitingApproval().slice(0, 3);
    expect(foldCase([...histories.awaitingApproval(), events.decisionRejected()])).toEqual(foldCase(escalated));
    const evaluated = histories.evaluated();
    expect(foldCase([...evaluated, events.decided({ fourEyes: { threshold: eur(1_000) } }), events.decisionRejected()])).toEqual(foldCase(evaluated));
  });

  it('approving keeps the threshold, who approved, when, and their note', () => {
    const approved = foldCase([...histories.awaitingApproval(), events.decisionApproved({ note: 'Checked the photos' })]);
    expect(approved).toMatchObject({
      status: 'decided',
      approval: { status: 'approved', threshold: eur(100_000), approvedBy: events.decisionApproved().data.approvedBy, approvedAt: events.decisionApproved().data.approvedAt, note: 'Checked the photos' },
    });
  });

  it('an upheld verdict keeps the decision and records no replacement', () => {
    const state = foldCase(CASES.appealDecided());
    expect(state).toMatchObject({ status: 'decided', decision: { outcome: 'denied' }, appeal: { verdict: { verdict: 'upheld', replaced: null } } });
    expect(state.status === 'decided' && state.appeal?.verdict).not.toHaveProperty('decision');
  });

  it('an overturning verdict replaces the decision, starts the money afresh but keeps its failures, and remembers what it replaced', () => {
    const denied = foldCase(histories.denied());
    const overturned = events.appealDecided({
      verdict: 'overturned',
      decision: { ...events.decided().data, outcome: 'refund', amount: eur(4990), fourEyes: null } as never,
    });
    const state = foldCase([...histories.denied(), events.refundFailed(), events.decisionAppealed(), overturned]);
    if (state.status !== 'decided' || denied.status !== 'decided') throw new Error('expected decided cases');
    expect(state.decision.outcome).toBe('refund');
    expect(state.approval).toEqual({ status: 'not_required' });
    expect(state.refund).toMatchObject({ status: 'not_started', failures: [{ reason: 'Card expired' }] });
    expect(state.appeal?.verdict?.replaced).toEqual({ decision: denied.decision, approval: denied.approval });
  });

  describe('a missed deadline is recorded, and raises only what it concerns', () => {
    const raisedTo = { priority: 'high', requiredAuthority: 'senior_manager' } as const;

    it('a missed decision SLA raises the escalation of an escalated case', () => {
      const missed = events.deadlineMissed({ deadline: 'decision_sla', raisedTo });
      const state = foldCase([...histories.escalated(), missed]);
      expect(state).toMatchObject({ status: 'escalated', escalation: raisedTo });
      expect(state.status !== 'none' && state.deadlinesMissed).toEqual([{ deadline: 'decision_sla', dueAt: missed.data.dueAt, missedAt: missed.data.missedAt }]);
    });

    it('a missed appeal SLA raises the appeal, not the escalation', () => {
      const before = foldCase(CASES.appealed());
      const state = foldCase([...CASES.appealed(), events.deadlineMissed({ deadline: 'appeal_sla', raisedTo })]);
      if (state.status !== 'decided' || before.status !== 'decided') throw new Error('expected decided cases');
      expect(state.appeal).toMatchObject(raisedTo);
      expect(state.escalation).toEqual(before.escalation);
    });

    it.each([
      ['a decision SLA on a decided case with an appeal', CASES.appealed, 'decision_sla'],
      ['an appeal SLA on a case with no appeal', histories.decided, 'appeal_sla'],
      ['an appeal SLA on an escalated case', histories.escalated, 'appeal_sla'],
    ] as const)('%s: only recorded', (_what, given, deadline) => {
      const before = foldCase(given());
      const missed = events.deadlineMissed({ deadline, raisedTo });
      const state = foldCase([...given(), missed]);
      expect(state).toEqual({ ...before, deadlinesMissed: [{ deadline, dueAt: missed.data.dueAt, missedAt: missed.data.missedAt }] });
    });

    it('with nothing to raise, only recorded', () => {
      const before = foldCase(histories.escalated());
      const missed = events.deadlineMissed({ raisedTo: null });
      expect(foldCase([...histories.escalated(), missed])).toEqual({
        ...before,
        deadlinesMissed: [{ deadline: 'decision_sla', dueAt: missed.data.dueAt, missedAt: missed.data.missedAt }],
      });
    });
  });

  describe('closing keeps what the case had, and nulls what it never had', () => {
    it('a logged case: no evaluation, escalation, decision or money', () => {
      const logged = foldCase(histories.logged());
      const closure = events.caseClosed();
      const { caseId: _caseId, ...closed } = closure.data;
      if (logged.status !== 'logged') throw new Error('expected a logged case');
      expect(foldCase([...histories.logged(), closure])).toEqual({
        ...logged,
        status: 'closed',
        closedFrom: 'logged',
        evaluation: null,
        escalation: null,
        assignment: null,
        decision: null,
        approval: null,
        appeal: null,
        communications: [],
        refund: null,
        followUp: null,
        closure: closed,
      });
    });

    it('an evaluated case keeps its evaluation only', () => {
      const state = foldCase([...histories.evaluated(), events.caseClosed()]);
      expect(state).toMatchObject({ status: 'closed', closedFrom: 'evaluated', escalation: null, assignment: null, approval: null, appeal: null, followUp: null });
      expect(state.status === 'closed' && state.evaluation).toMatchObject({ policyVersion: 1 });
    });

    it('an escalated case keeps its escalation and assignee', () => {
      const state = foldCase([...histories.escalated(), events.caseAssigned(), events.caseClosed()]);
      expect(state).toMatchObject({ status: 'closed', closedFrom: 'escalated', escalation: { reasonCodes: ['return_window'] }, assignment: { assignee: 'manager-marco' }, decision: null });
    });

    it('a decided case keeps its escalation, assignee, approval, appeal, messages, money and follow-up', () => {
      const given = [
        ...histories.awaitingApproval(),
        events.caseAssigned(),
        events.decisionApproved(),
        events.decisionAppealed(),
        events.customerNotified(),
        events.refundIssued(),
        events.followedUp(),
      ];
      const before = foldCase(given);
      if (before.status !== 'decided') throw new Error('expected a decided case');
      const state = foldCase([...given, events.caseClosed()]);
      expect(state).toMatchObject({
        status: 'closed',
        closedFrom: 'decided',
        escalation: before.escalation,
        assignment: before.assignment,
        decision: before.decision,
        approval: before.approval,
        appeal: before.appeal,
        communications: before.communications,
        refund: before.refund,
        followUp: before.followUp,
      });
      expect(before.assignment).not.toBeNull();
      expect(before.appeal).not.toBeNull();
      expect(before.followUp).not.toBeNull();
    });
  });
});
