import { ROLES, AUTHORITY_LEVELS } from '../shared/actor';
import { PRIORITIES } from '../policy/policy';
import { APPEAL_VERDICTS, CASE_EVENT_TYPES, DEADLINES, isCaseEventType, knownCaseEventType, NOTIFICATION_CHANNELS } from './events';
import { ALTERNATIVES, APPROVING_OUTCOMES, CHANNELS, MONEY_BACK_OUTCOMES, OUTCOMES, REQUESTED_RESOLUTIONS } from './request';

/**
 * The words other teams' code is generated from: the contract (docs/contract.md, the OpenAPI
 * document, the event catalogue) publishes each of these lists. Renaming, dropping or adding one
 * is a contract change, so each list is written out here once more, by hand.
 */
describe('the contract’s vocabulary', () => {
  it('names the outcomes of a decision, and which of them a customer may ask for', () => {
    expect(OUTCOMES).toEqual(['refund', 'partial_refund', 'store_credit', 'exchange', 'repair', 'denied']);
    expect(REQUESTED_RESOLUTIONS).toEqual(['refund', 'partial_refund', 'store_credit', 'exchange', 'repair']);
  });

  it('knows which outcomes send money back and which count as approvals', () => {
    expect(MONEY_BACK_OUTCOMES).toEqual(['refund', 'partial_refund']);
    expect(APPROVING_OUTCOMES).toEqual(['refund', 'partial_refund', 'store_credit', 'exchange', 'repair']);
  });

  it('names the channels a request comes in by, the alternatives offered, and how a customer is told', () => {
    expect(CHANNELS).toEqual(['phone', 'email', 'chat', 'store', 'web', 'system']);
    expect(ALTERNATIVES).toEqual(['store_credit', 'exchange', 'repair', 'discount']);
    expect(NOTIFICATION_CHANNELS).toEqual(['email', 'sms', 'phone', 'chat', 'letter']);
  });

  it('names roles, authority levels, priorities, deadlines and verdicts', () => {
    expect(ROLES).toEqual(['agent', 'manager', 'senior_manager', 'auditor', 'service', 'admin']);
    expect(AUTHORITY_LEVELS).toEqual(['agent', 'manager', 'senior_manager']);
    expect(PRIORITIES).toEqual(['low', 'normal', 'high', 'urgent']);
    expect(DEADLINES).toEqual(['decision_sla', 'appeal_sla', 'refund_settlement', 'follow_up']);
    expect(APPEAL_VERDICTS).toEqual(['upheld', 'overturned']);
  });

  it('catalogues eighteen case event types, and knows no other name as one', () => {
    expect([...CASE_EVENT_TYPES].sort()).toEqual(
      [
        'RequestLogged', 'NoteAdded', 'PolicyEvaluated', 'Escalated', 'CaseAssigned', 'Decided', 'CustomerNotified', 'RefundIssued', 'RefundSettled',
        'RefundFailed', 'FollowedUp', 'CaseClosed', 'CustomerDataErased', 'DecisionApproved', 'DecisionRejected', 'DecisionAppealed', 'AppealDecided', 'DeadlineMissed',
      ].sort(),
    );
    for (const type of CASE_EVENT_TYPES) {
      expect(isCaseEventType(type)).toBe(true);
      expect(knownCaseEventType(type)).toBe(type);
    }
    for (const other of ['requestLogged', 'RefundRequested', '', 'toString', 'constructor']) {
      expect(isCaseEventType(other)).toBe(false);
      expect(knownCaseEventType(other)).toBeNull();
    }
  });
});
