import { IllegalTransitionError, InsufficientAuthorityError, InvalidCommandError, SeparationOfDutiesError } from '../shared/errors';
import { addDays, addHours, iso } from '../shared/time';
import {
  actors,
  CASE_ID,
  commands,
  eur,
  events,
  eventsFrom,
  givenCase,
  histories,
  NOW,
  outOfPolicyRequest,
  policyInForce,
} from '../testing/fixtures';
import { openDeadlines } from './deadlines';
import { foldCase } from './evolve';
import { AppealDecided, CaseEvent, DeadlineMissed, DecisionAppealed } from './events';

type DataOf<T extends CaseEvent['type']> = Extract<CaseEvent, { type: T }>['data'];

const only = <T extends CaseEvent['type']>(produced: CaseEvent[], type: T): DataOf<T> => {
  expect(produced.map((e) => e.type)).toEqual([type]);
  const data: unknown = produced[0].data;
  return data as DataOf<T>;
};

const before = (hours: number): string => iso(addHours(NOW, -hours));

describe('four eyes above the policy threshold', () => {
  const bigRefund = () =>
    eventsFrom(
      commands.logRequest({ request: outOfPolicyRequest({ amount: eur(150_000) }) }),
      commands.evaluateCase({ now: addHours(NOW, -2) }),
    );

  it('records a refund above the threshold as waiting for a second approver', () => {
    givenCase(...bigRefund())
      .when(commands.decideCase({ actor: actors.seniorManager, amount: null, rationale: 'Faulty batch' }))
      .then((produced) => expect(only(produced, 'Decided').fourEyes).toEqual({ threshold: eur(100_000) }));
  });

  it('needs no approver at or below the threshold, for outcomes that send no money, or for a currency without one', () => {
    givenCase(...eventsFrom(commands.logRequest({ request: outOfPolicyRequest({ amount: eur(100_000) }) }), commands.evaluateCase()))
      .when(commands.decideCase({ actor: actors.seniorManager }))
      .then((produced) => expect(only(produced, 'Decided').fourEyes).toBeUndefined());
    givenCase(...bigRefund())
      .when(commands.decideCase({ actor: actors.seniorManager, outcome: 'exchange' }))
      .then((produced) => expect(only(produced, 'Decided').fourEyes).toBeUndefined());
    givenCase(...bigRefund())
      .when(commands.decideCase({ actor: actors.seniorManager, policy: policyInForce({ fourEyesThreshold: { USD: 1 } }) }))
      .then((produced) => expect(only(produced, 'Decided').fourEyes).toBeUndefined());
  });

  it('refuses any refund, message or closing until the decision is approved', () => {
    givenCase(...histories.awaitingApproval())
      .when(commands.recordRefundExecution({ amount: eur(150_000) }))
      .thenThrows(IllegalTransitionError, (e) => expect(e.message).toContain('four eyes'));
    givenCase(...histories.awaitingApproval()).when(commands.notifyCustomer()).thenThrows(IllegalTransitionError);
    givenCase(...histories.awaitingApproval()).when(commands.closeCase()).thenThrows(IllegalTransitionError);
  });

  it('lets a second senior manager approve, after which the refund is executed', () => {
    givenCase(...histories.awaitingApproval())
      .when(commands.approveDecision({ note: '  Receipts match  ' }))
      .then((produced) =>
        expect(only(produced, 'DecisionApproved')).toEqual({
          caseId: CASE_ID,
          decidedBy: actors.seniorManager.id,
          note: 'Receipts match',
          approvedBy: actors.secondSeniorManager.id,
          approvedAt: iso(NOW),
        }),
      );
    givenCase(...histories.awaitingApproval(), events.decisionApproved())
      .when(commands.recordRefundExecution({ amount: eur(150_000) }))
      .then((produced) => expect(produced.map((e) => e.type)).toEqual(['RefundIssued']));
  });

  it('refuses the decider approving or rejecting their own decision', () => {
    givenCase(...histories.awaitingApproval())
      .when(commands.approveDecision({ actor: actors.seniorManager }))
      .thenThrows(SeparationOfDutiesError, (e) => expect(e.details).toEqual({ rule: 'four_eyes', decidedBy: actors.seniorManager.id }));
    givenCase(...histories.awaitingApproval())
      .when(commands.rejectDecision({ actor: actors.seniorManager }))
      .thenThrows(SeparationOfDutiesError);
  });

  it('refuses an approver below the decision’s own authority, and never takes less than a manager', () => {
    givenCase(...histories.awaitingApproval()).when(commands.approveDecision({ actor: actors.manager })).thenThrows(InsufficientAuthorityError);
    givenCase(...histories.awaitingApproval()).when(commands.approveDecision({ actor: actors.agent })).thenThrows(InsufficientAuthorityError);
    const managerDecided = { authority: { level: 'manager' as const, limit: eur(50_000), policyVersion: 1 }, decidedBy: actors.manager.id };
    givenCase(...histories.awaitingApproval(managerDecided))
      .when(commands.approveDecision({ actor: actors.secondManager }))
      .then((produced) => expect(produced.map((e) => e.type)).toEqual(['DecisionApproved']));
    givenCase(...histories.awaitingApproval(managerDecided))
      .when(commands.approveDecision({ actor: { id: 'agent-al', roles: ['agent'] } }))
      .thenThrows(InsufficientAuthorityError);
  });

  it('refuses approving twice, or a decision that needs no approval', () => {
    givenCase(...histories.awaitingApproval(), events.decisionApproved())
      .when(commands.approveDecision({ actor: actors.secondManager }))
      .thenThrows(IllegalTransitionError, (e) => expect(e.message).toContain('already approved'));
    givenCase(...histories.decided()).when(commands.approveDecision()).thenThrows(IllegalTransitionError);
  });

  it('voids a rejected decision: the case waits for a new decision where it stood before', () => {
    givenCase(...histories.awaitingApproval())
      .when(commands.rejectDecision({ reason: '  ' }))
      .thenThrows(InvalidCommandError);
    const rejected = foldCase([...histories.awaitingApproval(), events.decisionRejected()]);
    expect(rejected.status).toBe('escalated');
    givenCase(...histories.awaitingApproval(), events.decisionRejected())
      .when(commands.decideCase({ actor: actors.seniorManager, outcome: 'partial_refund', amount: eur(90_000) }))
      .then((produced) => expect(only(produced, 'Decided').fourEyes).toBeUndefined());
    const unescalated = foldCase([...histories.evaluated(), events.decided({ fourEyes: { threshold: eur(1_000) } }), events.decisionRejected()]);
    expect(unescalated.status).toBe('evaluated');
  });
});

describe('appeals', () => {
  it('records an appeal of a denial, for a manager other than the first decider to decide', () => {
    givenCase(...histories.denied())
      .when(commands.appealDecision())
      .then((produced) =>
        expect(only(produced, 'DecisionAppealed')).toEqual<DecisionAppealed['data']>({
          caseId: CASE_ID,
          reason: 'The kettle was faulty from the start',
          evidence: [{ kind: 'photo', uri: 'https://files.example.com/p/2.jpg' }],
          firstDecidedBy: actors.manager.id,
          requiredAuthority: 'manager',
          priority: 'normal',
          slaDueAt: iso(addHours(NOW, 48)),
          policyVersion: 1,
          appealedBy: actors.agent.id,
          appealedAt: iso(NOW),
        }),
      );
  });

  it('takes a partial outcome or one other than requested, but not the full refund asked for', () => {
    givenCase(...histories.decided({ outcome: 'partial_refund', amount: eur(2000) })).when(commands.appealDecision()).then((p) => expect(p).toHaveLength(1));
    givenCase(...histories.decided({ outcome: 'store_credit', amount: eur(4990) })).when(commands.appealDecision()).then((p) => expect(p).toHaveLength(1));
    givenCase(...histories.decided())
      .when(commands.appealDecision())
      .thenThrows(IllegalTransitionError, (e) => expect(e.message).toContain('refund they asked for'));
  });

  it('closes the appeal period at the policy’s window: the day before it is open, the day after it is not', () => {
    const decidedAt = before(24);
    const window = policyInForce({ appealWindowDays: 10 });
    givenCase(...histories.denied({ decidedAt }))
      .when(commands.appealDecision({ policy: window, now: addDays(new Date(decidedAt), 9) }))
      .then((p) => expect(p).toHaveLength(1));
    givenCase(...histories.denied({ decidedAt }))
      .when(commands.appealDecision({ policy: window, now: addDays(new Date(decidedAt), 10) }))
      .then((p) => expect(p).toHaveLength(1));
    givenCase(...histories.denied({ decidedAt }))
      .when(commands.appealDecision({ policy: window, now: new Date(addDays(new Date(decidedAt), 10).getTime() + 1) }))
      .thenThrows(IllegalTransitionError, (e) => expect(e.message).toContain('appeal period ended'));
  });

  it('refuses a second appeal, an appeal once money moved, an appeal of an unapproved decision, and one without grounds', () => {
    givenCase(...histories.denied(), events.decisionAppealed()).when(commands.appealDecision()).thenThrows(IllegalTransitionError);
    givenCase(...histories.decided({ outcome: 'partial_refund', amount: eur(2000) }), events.refundIssued({ amount: eur(2000) }))
      .when(commands.appealDecision())
      .thenThrows(IllegalTransitionError, (e) => expect(e.message).toContain('money has been sent'));
    givenCase(...histories.awaitingApproval({ outcome: 'partial_refund', amount: eur(120_000) }))
      .when(commands.appealDecision())
      .thenThrows(IllegalTransitionError);
    givenCase(...histories.denied()).when(commands.appealDecision({ reason: ' ' })).thenThrows(InvalidCommandError);
  });

  it('refuses the first decider deciding the appeal, and a decider below the appeal’s authority', () => {
    givenCase(...histories.denied(), events.decisionAppealed())
      .when(commands.decideAppeal({ actor: actors.manager }))
      .thenThrows(SeparationOfDutiesError, (e) => expect(e.details).toMatchObject({ rule: 'appeal_by_another' }));
    givenCase(...histories.denied(), events.decisionAppealed())
      .when(commands.decideAppeal({ actor: actors.agent }))
      .thenThrows(InsufficientAuthorityError);
    givenCase(...histories.denied(), events.decisionAppealed({ requiredAuthority: 'senior_manager' }))
      .when(commands.decideAppeal({ actor: actors.secondManager }))
      .thenThrows(InsufficientAuthorityError);
  });

  it('upholds: the denial stands and the appeal is closed', () => {
    givenCase(...histories.denied(), events.decisionAppealed())
      .when(commands.decideAppeal({ actor: actors.secondManager }))
      .then((produced) =>
        expect(only(produced, 'AppealDecided')).toEqual<AppealDecided['data']>({
          caseId: CASE_ID,
          verdict: 'upheld',
          rationale: 'The photos show misuse',
          authority: { level: 'manager', limit: eur(50_000), policyVersion: 1 },
          decidedBy: actors.secondManager.id,
          decidedAt: iso(NOW),
          slaBreached: false,
          decision: null,
        }),
      );
    givenCase(...histories.denied(), events.decisionAppealed(), events.appealDecided())
      .when(commands.decideAppeal({ actor: actors.secondManager }))
      .thenThrows(IllegalTransitionError);
  });

  it('overturns: a second manager replaces the denial with a refund, which is then executed', () => {
    const overturn = commands.decideAppeal({
      actor: actors.secondManager,
      verdict: 'overturned',
      rationale: 'Faulty from the start',
      decision: { outcome: 'refund', amount: null, legalBasis: null, alternativesOffered: [] },
    });
    givenCase(...histories.denied(), events.decisionAppealed())
      .when(overturn)
      .then((produced) => {
        const data = only(produced, 'AppealDecided');
        expect(data.verdict).toBe('overturned');
        expect(data.decision).toMatchObject({ outcome: 'refund', amount: eur(4990), decidedBy: actors.secondManager.id, rationale: 'Faulty from the start' });
        const state = foldCase([...histories.denied(), events.decisionAppealed(), ...produced]);
        expect(state.status === 'decided' && state.decision.outcome).toBe('refund');
      });
    const history = [...histories.denied(), events.decisionAppealed()];
    const produced = givenCaseEvents(history, overturn);
    givenCase(...history, ...produced)
      .when(commands.recordRefundExecution())
      .then((p) => expect(p.map((e) => e.type)).toEqual(['RefundIssued']));
  });

  it('refuses an upheld verdict carrying a decision, an overturn without one, and an overturn that changes nothing', () => {
    const decision = { outcome: 'denied' as const, amount: null, legalBasis: null, alternativesOffered: [] };
    givenCase(...histories.denied(), events.decisionAppealed())
      .when(commands.decideAppeal({ actor: actors.secondManager, decision }))
      .thenThrows(InvalidCommandError);
    givenCase(...histories.denied(), events.decisionAppealed())
      .when(commands.decideAppeal({ actor: actors.secondManager, verdict: 'overturned' }))
      .thenThrows(InvalidCommandError);
    givenCase(...histories.denied(), events.decisionAppealed())
      .when(commands.decideAppeal({ actor: actors.secondManager, verdict: 'overturned', decision }))
      .thenThrows(InvalidCommandError, (e) => expect(e.message).toContain('changes the outcome or the amount'));
  });

  it('keeps the refund waiting while an appeal is pending, and the case open', () => {
    givenCase(...histories.decided({ outcome: 'partial_refund', amount: eur(2000) }), events.decisionAppealed())
      .when(commands.recordRefundExecution({ amount: eur(2000) }))
      .thenThrows(IllegalTransitionError, (e) => expect(e.message).toContain('appeal'));
    givenCase(...histories.denied(), events.decisionAppealed()).when(commands.closeCase()).thenThrows(IllegalTransitionError);
  });

  it('lets a manager take an appeal or an approval, as an escalated case', () => {
    givenCase(...histories.denied(), events.decisionAppealed())
      .when(commands.assignCase({ assignee: actors.secondManager.id }))
      .then((p) => expect(p.map((e) => e.type)).toEqual(['CaseAssigned']));
    givenCase(...histories.awaitingApproval())
      .when(commands.assignCase({ assignee: actors.manager.id }))
      .then((p) => expect(p.map((e) => e.type)).toEqual(['CaseAssigned']));
    givenCase(...histories.denied()).when(commands.assignCase()).thenThrows(IllegalTransitionError);
  });

  it('a rejected overturn restores the first decision and the appeal waits again', () => {
    const overturned = events.appealDecided({
      verdict: 'overturned',
      decision: { ...events.decided({ amount: eur(150_000), decidedBy: actors.secondManager.id, fourEyes: { threshold: eur(100_000) } }).data },
    });
    const big = [...histories.denied(), events.decisionAppealed(), overturned];
    const waiting = foldCase(big);
    expect(waiting.status === 'decided' && waiting.approval.status).toBe('pending');
    const restored = foldCase([...big, events.decisionRejected({ decidedBy: actors.secondManager.id })]);
    expect(restored.status === 'decided' && [restored.decision.outcome, restored.approval.status, restored.appeal?.verdict]).toEqual([
      'denied',
      'not_required',
      null,
    ]);
  });
});

describe('deadlines that act', () => {
  it('records a missed decision deadline once, raising priority and authority one level', () => {
    const slaDueAt = before(1);
    givenCase(...histories.escalated({ slaDueAt }))
      .when(commands.recordDeadlineMissed({ dueAt: slaDueAt }))
      .then((produced) =>
        expect(only(produced, 'DeadlineMissed')).toEqual<DeadlineMissed['data']>({
          caseId: CASE_ID,
          deadline: 'decision_sla',
          dueAt: slaDueAt,
          raisedTo: { priority: 'high', requiredAuthority: 'senior_manager' },
          recordedBy: actors.scheduler.id,
          missedAt: iso(NOW),
        }),
      );
    givenCase(...histories.escalated({ slaDueAt }), events.deadlineMissed({ dueAt: slaDueAt }))
      .when(commands.recordDeadlineMissed({ dueAt: slaDueAt }))
      .then((produced) => expect(produced).toEqual([]));
    const raised = foldCase([...histories.escalated({ slaDueAt }), events.deadlineMissed({ dueAt: slaDueAt })]);
    expect(raised.status === 'escalated' && [raised.escalation.priority, raised.escalation.requiredAuthority]).toEqual(['high', 'senior_manager']);
  });

  it('records nothing before the deadline, to the millisecond', () => {
    const slaDueAt = iso(NOW);
    givenCase(...histories.escalated({ slaDueAt }))
      .when(commands.recordDeadlineMissed({ dueAt: slaDueAt, now: new Date(NOW.getTime() - 1) }))
      .then((produced) => expect(produced).toEqual([]));
    givenCase(...histories.escalated({ slaDueAt }))
      .when(commands.recordDeadlineMissed({ dueAt: slaDueAt, now: NOW }))
      .then((produced) => expect(produced).toHaveLength(1));
  });

  it('records nothing for a deadline that was met, or one that names another due time', () => {
    givenCase(...histories.denied())
      .when(commands.recordDeadlineMissed({ deadline: 'decision_sla', dueAt: events.escalated().data.slaDueAt }))
      .then((produced) => expect(produced).toEqual([]));
    givenCase(...histories.escalated({ slaDueAt: before(1) }))
      .when(commands.recordDeadlineMissed({ dueAt: before(2) }))
      .then((produced) => expect(produced).toEqual([]));
    givenCase(...histories.closed())
      .when(commands.recordDeadlineMissed({ deadline: 'follow_up', dueAt: events.decided().data.followUpDueAt }))
      .then((produced) => expect(produced).toEqual([]));
  });

  it('flags money not settled by its deadline, and a follow-up not answered, without moving the case', () => {
    const refundDue = { by: before(1), under: 'law' as const, source: { act: 'Directive 2011/83/EU', article: '13' } };
    givenCase(...histories.decided({ refundDue }), events.refundIssued())
      .when(commands.recordDeadlineMissed({ deadline: 'refund_settlement', dueAt: refundDue.by }))
      .then((produced) => expect(only(produced, 'DeadlineMissed')).toMatchObject({ deadline: 'refund_settlement', raisedTo: null }));
    givenCase(...histories.decided({ refundDue }), events.refundIssued(), events.refundSettled())
      .when(commands.recordDeadlineMissed({ deadline: 'refund_settlement', dueAt: refundDue.by }))
      .then((produced) => expect(produced).toEqual([]));
    const followUpDueAt = before(3);
    givenCase(...histories.decided({ followUpDueAt }))
      .when(commands.recordDeadlineMissed({ deadline: 'follow_up', dueAt: followUpDueAt }))
      .then((produced) => expect(only(produced, 'DeadlineMissed')).toMatchObject({ deadline: 'follow_up', raisedTo: null }));
  });

  it('raises an appeal that waits past its deadline', () => {
    const slaDueAt = before(1);
    givenCase(...histories.denied(), events.decisionAppealed({ slaDueAt }))
      .when(commands.recordDeadlineMissed({ deadline: 'appeal_sla', dueAt: slaDueAt }))
      .then((produced) => expect(only(produced, 'DeadlineMissed').raisedTo).toEqual({ priority: 'high', requiredAuthority: 'senior_manager' }));
  });

  it('lists the deadlines a case runs against, without those recorded', () => {
    const refundDue = { by: before(-100), under: 'policy' as const, source: null };
    const decided = foldCase(histories.decided({ refundDue }));
    expect(openDeadlines(decided)).toEqual([
      { deadline: 'refund_settlement', dueAt: refundDue.by },
      { deadline: 'follow_up', dueAt: events.decided().data.followUpDueAt },
    ]);
    const slaDueAt = before(1);
    expect(openDeadlines(foldCase([...histories.escalated({ slaDueAt }), events.deadlineMissed({ dueAt: slaDueAt })]))).toEqual([]);
  });
});

describe('when the money is due', () => {
  it('follows the shortest statutory refund deadline when a right applies', () => {
    const legal = {
      legalRulesVersion: 1,
      findings: [],
      entitlements: [
        {
          right: 'withdrawal' as const,
          country: 'IT',
          source: { act: 'Directive 2011/83/EU', article: '9' },
          countedFrom: 'delivery' as const,
          until: before(-100),
          remedies: [['refund' as const]],
          consumerChooses: false,
          refundDueDays: 14,
          refundSource: { act: 'Directive 2011/83/EU', article: '13' },
          presumedAtDelivery: null,
        },
      ],
    };
    givenCase(...histories.evaluated({ legal }))
      .when(commands.decideCase())
      .then((produced) =>
        expect(only(produced, 'Decided').refundDue).toEqual({
          by: iso(addDays(NOW, 14)),
          under: 'law',
          source: { act: 'Directive 2011/83/EU', article: '13' },
        }),
      );
  });

  it('sets no deadline on outcomes that send no money back', () => {
    givenCase(...histories.evaluated())
      .when(commands.decideCase({ outcome: 'exchange' }))
      .then((produced) => expect(only(produced, 'Decided').refundDue).toBeUndefined());
  });
});

function givenCaseEvents(history: CaseEvent[], command: Parameters<typeof eventsFrom>[0]): CaseEvent[] {
  let produced: CaseEvent[] = [];
  givenCase(...history)
    .when(command)
    .then((p) => {
      produced = p;
    });
  return produced;
}
