import { actors, commands, eur, events, histories, outOfPolicyRequest, sampleRequest, thrownBy } from '../testing/fixtures';
import { ITALIAN_WITHDRAWAL } from '../testing/legal-fixtures';
import { DomainError, IllegalTransitionError, InsufficientAuthorityError, InvalidCommandError, LegalFloorError, SeparationOfDutiesError } from '../shared/errors';
import { CaseCommand } from './commands';
import { decide } from './decide';
import { CaseEvent } from './events';
import { foldCase } from './evolve';

/**
 * Every refusal of the decider, word for word: the agent reads these in the desk and an API
 * client in the problem detail, so each must say what was refused and why. The error class and
 * field are what code acts on; the words are what a person acts on.
 */
type ErrorClass = abstract new (...args: never[]) => DomainError;
type Refusal = readonly [what: string, given: readonly CaseEvent[], when: CaseCommand, error: ErrorClass, message: string, field?: string];

const refusalOf = (given: readonly CaseEvent[], when: CaseCommand): unknown => thrownBy(() => decide(when, foldCase(given)));

function expectRefusals(refusals: readonly Refusal[]): void {
  // Every row padded to one length: jest would take a missing last argument for a done callback.
  const rows = refusals.map(([what, given, when, errorClass, message, field]) => [what, given, when, errorClass, message, field ?? null] as const);
  it.each(rows)('%s', (_what, given, when, errorClass, message, field) => {
    const error = refusalOf(given, when);
    expect(error).toBeInstanceOf(errorClass);
    expect((error as Error).message).toBe(message);
    if (field !== null) expect(error).toMatchObject({ field });
  });
}

const inPolicy = histories.evaluated;
const withdrawalEvaluated = (): CaseEvent[] => [
  events.requestLogged(),
  events.policyEvaluated({ legal: { legalRulesVersion: 1, findings: [], entitlements: [ITALIAN_WITHDRAWAL] } }),
];
const appealed = (): CaseEvent[] => [...histories.denied(), events.decisionAppealed()];
const issued = (): CaseEvent[] => [...histories.decided(), events.refundIssued()];

describe('the decider’s refusals, word for word', () => {
  describe('where the case stands', () => {
    expectRefusals([
      ['a note on no case', [], commands.addNote(), IllegalTransitionError, 'AddNote is not allowed while the case is none: no request has been logged for this case'],
      ['a note on a closed case', histories.closed(), commands.addNote(), IllegalTransitionError, 'AddNote is not allowed while the case is closed: the case is closed'],
      ['a message before the decision', histories.escalated(), commands.notifyCustomer(), IllegalTransitionError, 'NotifyCustomer is not allowed while the case is escalated: the case has no decision yet'],
      ['a second request under one id', histories.logged(), commands.logRequest(), IllegalTransitionError, 'LogRequest is not allowed while the case is logged: a request is already logged under this case id'],
      ['an evaluation of an escalated case', histories.escalated(), commands.evaluateCase(), IllegalTransitionError, 'EvaluateCase is not allowed while the case is escalated: the case is waiting for a manager decision'],
      ['an evaluation of a decided case', histories.decided(), commands.evaluateCase(), IllegalTransitionError, 'EvaluateCase is not allowed while the case is decided: the case is already decided'],
      ['an escalation before the evaluation', histories.logged(), commands.escalateCase(), IllegalTransitionError, 'EscalateCase is not allowed while the case is logged: evaluate the case against the policy first'],
      ['a second escalation', histories.escalated(), commands.escalateCase(), IllegalTransitionError, 'EscalateCase is not allowed while the case is escalated: the case is already escalated'],
      ['an escalation after the decision', histories.decided(), commands.escalateCase(), IllegalTransitionError, 'EscalateCase is not allowed while the case is decided: the case is already decided'],
      ['an assignment of a case nobody waits on', inPolicy(), commands.assignCase(), IllegalTransitionError,
        'AssignCase is not allowed while the case is evaluated: only cases waiting for a manager (a decision, an appeal or a second approver) are assigned'],
      ['an assignment of a decided case that waits on nobody', histories.decided(), commands.assignCase(), IllegalTransitionError,
        'AssignCase is not allowed while the case is decided: only cases waiting for a manager (a decision, an appeal or a second approver) are assigned'],
      ['the same assignee again', [...histories.escalated(), events.caseAssigned()], commands.assignCase(), IllegalTransitionError,
        'AssignCase is not allowed while the case is escalated: the case is already assigned to manager-marco'],
      ['a decision before the evaluation', histories.logged(), commands.decideCase(), IllegalTransitionError, 'DecideCase is not allowed while the case is logged: evaluate the case against the policy first'],
      ['a second decision', histories.decided(), commands.decideCase(), IllegalTransitionError, 'DecideCase is not allowed while the case is decided: the case is already decided'],
    ]);
  });

  describe('what a request must hold', () => {
    const logging = (request: ReturnType<typeof sampleRequest>) => commands.logRequest({ request });
    expectRefusals([
      ['a purchase time that is no time', [], logging(sampleRequest({ order: { purchasedAt: 'last week' } })), InvalidCommandError, 'order.purchasedAt must be an ISO-8601 time', 'order.purchasedAt'],
      ['a purchase in the future', [], logging(sampleRequest({ order: { purchasedAt: '2099-01-01T00:00:00.000Z' } })), InvalidCommandError, 'order.purchasedAt cannot be in the future', 'order.purchasedAt'],
      ['a delivery time that is no time', [], logging(sampleRequest({ order: { deliveredAt: 'soon' } })), InvalidCommandError, 'order.deliveredAt must be an ISO-8601 time', 'order.deliveredAt'],
      ['a delivery in the future', [], logging(sampleRequest({ order: { deliveredAt: '2099-01-01T00:00:00.000Z' } })), InvalidCommandError, 'order.deliveredAt cannot be in the future', 'order.deliveredAt'],
      ['a delivery before the purchase', [], logging(sampleRequest({ order: { deliveredAt: '2020-01-01T00:00:00.000Z' } })), InvalidCommandError, 'order.deliveredAt cannot be before order.purchasedAt', 'order.deliveredAt'],
      ['a defect noticed in the future', [], logging(sampleRequest({ reason: { defectNoticedAt: '2099-01-01T00:00:00.000Z' } })), InvalidCommandError, 'reason.defectNoticedAt cannot be in the future', 'reason.defectNoticedAt'],
      ['a sale channel nobody knows', [], logging(sampleRequest({ order: { saleChannel: 'pigeon' as never } })), InvalidCommandError, 'order.saleChannel must be one of online, phone, off_premises, in_store', 'order.saleChannel'],
      ['a customer without a name', [], logging(sampleRequest({ customer: { name: '  ' } })), InvalidCommandError, 'customer.name must not be empty', 'customer.name'],
      ['a request without the customer’s words', [], logging(sampleRequest({ reason: { description: '\n' } })), InvalidCommandError, "reason.description must hold the customer's words", 'reason.description'],
      ['an empty note', histories.logged(), commands.addNote({ text: ' ' }), InvalidCommandError, 'text must not be empty', 'text'],
      ['an escalation without a reason', inPolicy(), commands.escalateCase({ reason: '' }), InvalidCommandError, 'reason must say why the case is escalated', 'reason'],
      ['an assignment to nobody', histories.escalated(), commands.assignCase({ assignee: ' ' }), InvalidCommandError, 'assignee must name who takes the case', 'assignee'],
    ]);
  });

  describe('what a decision must hold', () => {
    expectRefusals([
      ['a decision without a rationale', inPolicy(), commands.decideCase({ rationale: ' ' }), InvalidCommandError, 'rationale must explain the decision', 'rationale'],
      ['a "full" refund of less than was paid', inPolicy(), commands.decideCase({ amount: eur(1000) }), InvalidCommandError, 'a full refund is the amount paid; use partial_refund for less', 'amount'],
      ['a partial refund without an amount', inPolicy(), commands.decideCase({ outcome: 'partial_refund' }), InvalidCommandError, 'a partial refund needs an amount', 'amount'],
      ['a partial refund above the price', inPolicy(), commands.decideCase({ outcome: 'partial_refund', amount: eur(4991) }), InvalidCommandError, 'a partial refund cannot exceed the 4990 EUR paid', 'amount'],
      ['store credit above the price', inPolicy(), commands.decideCase({ outcome: 'store_credit', amount: eur(5000) }), InvalidCommandError, 'store credit cannot exceed the 4990 EUR paid', 'amount'],
      ['an exchange with an amount', inPolicy(), commands.decideCase({ outcome: 'exchange', amount: eur(100) }), InvalidCommandError, 'an outcome of exchange carries no amount', 'amount'],
      ['an amount in another currency', inPolicy(), commands.decideCase({ outcome: 'partial_refund', amount: { minor: 100, currency: 'USD' } }), InvalidCommandError,
        'amount.currency must be EUR, the currency the customer paid in', 'amount.currency'],
      ['a contest with an unknown reason', withdrawalEvaluated(), commands.decideCase({ outcome: 'denied', actor: actors.seniorManager, contests: [{ right: 'withdrawal', reason: 'bad_luck' as never, evidence: ['x'] }] }),
        InvalidCommandError, 'contests[0].reason must be one of not_a_defect, damage_by_misuse, outside_period_on_evidence, exempt_goods', 'contests.0.reason'],
      ['a contest of a right the evaluation did not find', inPolicy(), commands.decideCase({ outcome: 'denied', actor: actors.seniorManager, contests: [{ right: 'conformity', reason: 'not_a_defect', evidence: ['x'] }] }),
        InvalidCommandError, 'no conformity right was found to contest', 'contests'],
      ['a denial below a withdrawal right', withdrawalEvaluated(), commands.decideCase({ outcome: 'denied', actor: actors.seniorManager }), LegalFloorError,
        'Below the legal floor: "denied" goes below the customer\'s withdrawal right (Directive 2011/83/EU, art. 9, until 2026-03-24): allowed refund, or contest the right with evidence'],
    ]);
  });

  describe('who may decide', () => {
    expectRefusals([
      ['an auditor deciding', inPolicy(), commands.decideCase({ actor: actors.auditor }), InsufficientAuthorityError, 'Only agents, managers and senior managers decide refund cases'],
      ['an agent deciding an escalated exception', histories.escalated(), commands.decideCase(), InsufficientAuthorityError, 'Insufficient authority: an escalated exception is decided by a manager'],
      ['an agent deciding above the agent limit', [events.requestLogged(sampleRequest({ amount: eur(6000) })), events.policyEvaluated()], commands.decideCase(), InsufficientAuthorityError,
        'Insufficient authority: deciding refund for 6000 EUR needs manager authority'],
      ['a manager deciding above the manager limit', [events.requestLogged(outOfPolicyRequest({ amount: eur(60_000) })), events.policyEvaluated({ withinPolicy: false }), events.escalated()],
        commands.decideCase({ actor: actors.manager }), InsufficientAuthorityError, 'Insufficient authority: deciding refund for 60000 EUR needs senior manager authority'],
      ['an agent denying what the policy covers', inPolicy(), commands.decideCase({ outcome: 'denied', rationale: 'No' }), InsufficientAuthorityError,
        'Insufficient authority: deciding denied for 0 EUR needs manager authority'],
    ]);
  });

  describe('four eyes', () => {
    expectRefusals([
      ['an approval nobody asked for', histories.decided(), commands.approveDecision(), IllegalTransitionError, 'ApproveDecision is not allowed while the case is decided: the decision needs no second approver'],
      ['a second approval', [...histories.awaitingApproval(), events.decisionApproved()], commands.approveDecision(), IllegalTransitionError,
        'ApproveDecision is not allowed while the case is decided: the decision is already approved'],
      ['the decider approving', histories.awaitingApproval(), commands.approveDecision({ actor: actors.seniorManager }), SeparationOfDutiesError,
        'Four eyes: a decision is approved or rejected by someone other than its decider'],
      ['a manager approving a senior manager’s decision', histories.awaitingApproval(), commands.approveDecision({ actor: actors.manager }), InsufficientAuthorityError,
        'Insufficient authority: approving this decision needs senior manager authority'],
      ['an auditor rejecting', histories.awaitingApproval(), commands.rejectDecision({ actor: actors.auditor }), InsufficientAuthorityError,
        'Insufficient authority: rejecting this decision needs senior manager authority'],
      ['a rejection without a reason', histories.awaitingApproval(), commands.rejectDecision({ reason: '' }), InvalidCommandError, 'reason must say why the decision is rejected', 'reason'],
    ]);
  });

  describe('appeals', () => {
    expectRefusals([
      ['a second appeal', appealed(), commands.appealDecision(), IllegalTransitionError, 'AppealDecision is not allowed while the case is decided: the decision has already been appealed'],
      ['an appeal before the approval', histories.awaitingApproval({ outcome: 'partial_refund', amount: eur(120_000) }), commands.appealDecision(), IllegalTransitionError,
        'AppealDecision is not allowed while the case is decided: the decision is still waiting for a second approver'],
      ['an appeal of what was asked for', histories.decided(), commands.appealDecision(), IllegalTransitionError, 'AppealDecision is not allowed while the case is decided: the customer got the refund they asked for'],
      ['an appeal after money moved', [...histories.decided({ outcome: 'partial_refund', amount: eur(2000) }), events.refundIssued({ amount: eur(2000) })], commands.appealDecision(), IllegalTransitionError,
        'AppealDecision is not allowed while the case is decided: money has been sent under this decision; a further claim is a new case'],
      ['an appeal after its period', histories.denied({ decidedAt: '2026-08-01T09:00:00.000Z' }), commands.appealDecision(), IllegalTransitionError,
        'AppealDecision is not allowed while the case is decided: the appeal period ended at 2026-08-31T09:00:00.000Z'],
      ['an appeal without grounds', histories.denied(), commands.appealDecision({ reason: ' ' }), InvalidCommandError, "reason must hold the customer's grounds for the appeal", 'reason'],
      ['a verdict with no appeal', histories.denied(), commands.decideAppeal(), IllegalTransitionError, 'DecideAppeal is not allowed while the case is decided: no appeal is waiting for a decision'],
      ['a second verdict', [...appealed(), events.appealDecided()], commands.decideAppeal(), IllegalTransitionError, 'DecideAppeal is not allowed while the case is decided: the appeal has been decided'],
      ['the first decider judging the appeal', appealed(), commands.decideAppeal({ actor: actors.manager }), SeparationOfDutiesError, 'An appeal is decided by someone other than the first decider'],
      ['a verdict nobody knows', appealed(), commands.decideAppeal({ verdict: 'maybe' as never }), InvalidCommandError, 'verdict must be one of upheld, overturned', 'verdict'],
      ['an agent judging an appeal', appealed(), commands.decideAppeal({ actor: actors.agent }), InsufficientAuthorityError, 'Insufficient authority: this appeal is decided at manager authority or higher'],
      ['a verdict without a rationale', appealed(), commands.decideAppeal({ rationale: '' }), InvalidCommandError, 'rationale must explain the verdict', 'rationale'],
      ['an upheld appeal with a new decision', appealed(), commands.decideAppeal({ decision: { outcome: 'refund', amount: null, legalBasis: null, alternativesOffered: [] } }), InvalidCommandError,
        'an upheld appeal keeps the first decision; send no new one', 'decision'],
      ['an overturn without a decision', appealed(), commands.decideAppeal({ verdict: 'overturned' }), InvalidCommandError, 'an overturned appeal needs the decision that replaces the first one', 'decision'],
      ['an overturn that changes nothing', appealed(), commands.decideAppeal({ verdict: 'overturned', decision: { outcome: 'denied', amount: null, legalBasis: null, alternativesOffered: [] } }),
        InvalidCommandError, 'an overturning decision changes the outcome or the amount; otherwise uphold the appeal', 'decision.outcome'],
    ]);
  });

  describe('telling the customer, and the follow-up', () => {
    const noContacts = [events.requestLogged(sampleRequest({ customer: { email: undefined, phone: undefined } })), events.policyEvaluated(), events.decided()];
    expectRefusals([
      ['a message before the approval', histories.awaitingApproval(), commands.notifyCustomer(), IllegalTransitionError,
        'NotifyCustomer is not allowed while the case is decided: the decision is waiting for a second approver; tell the customer once it stands'],
      ['a message after erasure', [...histories.decided(), events.customerDataErased()], commands.notifyCustomer(), IllegalTransitionError,
        "NotifyCustomer is not allowed while the case is decided: the customer's contact data has been erased"],
      ['an e-mail to nobody', noContacts, commands.notifyCustomer(), InvalidCommandError, 'the customer has no e-mail address on file', 'channel'],
      ['a text to nobody', noContacts, commands.notifyCustomer({ channel: 'sms' }), InvalidCommandError, 'the customer has no phone number on file', 'channel'],
      ['a call to nobody', noContacts, commands.notifyCustomer({ channel: 'phone' }), InvalidCommandError, 'the customer has no phone number on file', 'channel'],
      ['a follow-up before the approval', histories.awaitingApproval(), commands.recordFollowUp(), IllegalTransitionError,
        'RecordFollowUp is not allowed while the case is decided: the decision is waiting for a second approver; the customer has not been told yet'],
      ['a second follow-up', [...histories.decided(), events.followedUp()], commands.recordFollowUp(), IllegalTransitionError,
        'RecordFollowUp is not allowed while the case is decided: the customer has already answered the follow-up'],
      ['a satisfaction of 0', histories.decided(), commands.recordFollowUp({ satisfaction: 0 }), InvalidCommandError, 'satisfaction must be a whole number from 1 to 5', 'satisfaction'],
      ['a satisfaction of 6', histories.decided(), commands.recordFollowUp({ satisfaction: 6 }), InvalidCommandError, 'satisfaction must be a whole number from 1 to 5', 'satisfaction'],
      ['a satisfaction of 2.5', histories.decided(), commands.recordFollowUp({ satisfaction: 2.5 }), InvalidCommandError, 'satisfaction must be a whole number from 1 to 5', 'satisfaction'],
      ['a follow-up by no channel', histories.decided(), commands.recordFollowUp({ channel: ' ' }), InvalidCommandError, 'channel must name how the customer answered', 'channel'],
    ]);
  });

  describe('the money', () => {
    const execution = commands.recordRefundExecution;
    expectRefusals([
      ['money for a denial', histories.denied(), execution(), IllegalTransitionError, 'RecordRefundExecution is not allowed while the case is decided: the decision (denied) sends no money back'],
      ['money for an exchange', histories.decided({ outcome: 'exchange', amount: null }), execution(), IllegalTransitionError,
        'RecordRefundExecution is not allowed while the case is decided: the decision (exchange) sends no money back'],
      ['money before the approval', histories.awaitingApproval(), execution({ amount: eur(150_000) }), IllegalTransitionError,
        'RecordRefundExecution is not allowed while the case is decided: four eyes: the decision needs a second approver before any refund is executed'],
      ['money while an appeal waits', [...histories.decided({ outcome: 'partial_refund', amount: eur(2000) }), events.decisionAppealed()], execution({ amount: eur(2000) }), IllegalTransitionError,
        'RecordRefundExecution is not allowed while the case is decided: an appeal against the decision is waiting for a verdict'],
      ['money in another currency', histories.decided(), execution({ amount: { minor: 4990, currency: 'USD' } }), InvalidCommandError,
        'amount.currency must be EUR, the currency the customer paid in', 'amount.currency'],
      ['money by no method', histories.decided(), execution({ method: ' ' }), InvalidCommandError, 'method must name the refund method', 'method'],
      ['money without a reference', histories.decided(), execution({ reference: '' }), InvalidCommandError, 'reference must carry the payment reference', 'reference'],
      ['a second issue', issued(), execution(), IllegalTransitionError, 'RecordRefundExecution is not allowed while the case is decided: a refund is already issued'],
      ['an issue after settlement', [...issued(), events.refundSettled()], execution(), IllegalTransitionError, 'RecordRefundExecution is not allowed while the case is decided: a refund is already settled'],
      ['an issue of another amount', histories.decided(), execution({ amount: eur(4000) }), InvalidCommandError, 'the refund issued must be the 4990 EUR decided', 'amount'],
      ['a settlement with nothing issued', histories.decided(), execution({ status: 'settled' }), IllegalTransitionError,
        'RecordRefundExecution is not allowed while the case is decided: no refund is in flight (refund not_started)'],
      ['a settlement after a failure', [...issued(), events.refundFailed()], execution({ status: 'settled' }), IllegalTransitionError,
        'RecordRefundExecution is not allowed while the case is decided: no refund is in flight (refund failed)'],
      ['a settlement of another payment', issued(), execution({ status: 'settled', reference: 'pay-9' }), IllegalTransitionError,
        'RecordRefundExecution is not allowed while the case is decided: the refund in flight has reference pay-1'],
      ['a settlement of another amount', issued(), execution({ status: 'settled', amount: eur(4000) }), InvalidCommandError, 'the amount settled must be the amount issued', 'amount'],
      ['a failure after settlement', [...issued(), events.refundSettled()], execution({ status: 'failed', failureReason: 'x' }), IllegalTransitionError,
        'RecordRefundExecution is not allowed while the case is decided: the refund has already settled'],
      ['a failure of another payment', issued(), execution({ status: 'failed', reference: 'pay-9', failureReason: 'x' }), IllegalTransitionError,
        'RecordRefundExecution is not allowed while the case is decided: the refund in flight has reference pay-1'],
      ['a failure of another amount', issued(), execution({ status: 'failed', amount: eur(4000), failureReason: 'x' }), InvalidCommandError, 'the failed amount must be the 4990 EUR attempted', 'amount'],
      ['a failure without a reason', issued(), execution({ status: 'failed', failureReason: null }), InvalidCommandError, 'failureReason must say why the refund failed', 'failureReason'],
    ]);
  });

  describe('erasure and closing', () => {
    expectRefusals([
      ['an erasure for another customer', histories.decided(), commands.eraseCustomerData({ customerId: 'cus_99' }), InvalidCommandError, 'the case belongs to another customer than cus_99', 'customerId'],
      ['closing with money in flight', issued(), commands.closeCase(), IllegalTransitionError, 'CloseCase is not allowed while the case is decided: a refund is in flight; wait until it settles or fails'],
      ['closing before the approval', histories.awaitingApproval(), commands.closeCase(), IllegalTransitionError, 'CloseCase is not allowed while the case is decided: the decision is waiting for a second approver'],
      ['closing while an appeal waits', appealed(), commands.closeCase(), IllegalTransitionError, 'CloseCase is not allowed while the case is decided: an appeal is waiting for a verdict'],
      ['closing without a summary', histories.decided(), commands.closeCase({ summary: ' ' }), InvalidCommandError, 'summary must sum up how the case ended', 'summary'],
    ]);
  });

  describe('what the type system cannot keep out (a value from an untyped caller)', () => {
    it('an unknown command, outcome or refund status is an error that names it, never a silent no-op', () => {
      expect(() => decide({ ...commands.addNote(), type: 'PaintCase' } as never, foldCase(histories.logged()))).toThrow('Unexpected case command: {"type":"PaintCase"');
      expect(() => decide(commands.decideCase({ outcome: 'voucher' as never }), foldCase(inPolicy()))).toThrow('Unexpected outcome: "voucher"');
      expect(() => decide(commands.recordRefundExecution({ status: 'pending' as never }), foldCase(histories.decided()))).toThrow('Unexpected refund status: "pending"');
    });

    it('an unknown event stops a fold with its name: a replay never guesses', () => {
      expect(() => foldCase([...histories.logged(), { type: 'CasePainted', data: { caseId: 'c' } } as never])).toThrow(
        'Unexpected case event: {"type":"CasePainted","data":{"caseId":"c"}}',
      );
    });
  });
});
