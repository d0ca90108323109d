/**
 * Builders for domain specs. Deliberately not exported from the domain's index: specs import
 * them by relative path so production code can never depend on test data.
 */
import { Actor, Role } from '../shared/actor';
import { Money } from '../shared/money';
import { addDays, addHours, iso } from '../shared/time';
import { CustomerHistory } from '../policy/evaluate-request';
import { DEFAULT_POLICY_RULES, PolicyInForce, PolicyRules } from '../policy/policy';
import {
  AddNote,
  AppealDecision,
  ApproveDecision,
  DecideAppeal,
  RecordDeadlineMissed,
  RejectDecision,
  AssignCase,
  CloseCase,
  EraseCustomerData,
  DecideCase,
  EscalateCase,
  EvaluateCase,
  LogRequest,
  NotifyCustomer,
  RecordFollowUp,
  RecordRefundExecution,
} from '../case/commands';
import {
  AppealDecided,
  DeadlineMissed,
  DecisionApproved,
  DecisionAppealed,
  DecisionRejected,
  CaseAssigned,
  CaseClosed,
  CustomerDataErased,
  CaseEvent,
  CustomerNotified,
  Decided,
  Escalated,
  FollowedUp,
  NoteAdded,
  PolicyEvaluated,
  RefundFailed,
  RefundIssued,
  RefundSettled,
  RequestLogged,
} from '../case/events';
import { decide } from '../case/decide';
import { evolve, foldCase } from '../case/evolve';
import { CaseCommand } from '../case/commands';
import { CaseState, initialCaseState } from '../case/state';
import { RefundRequest } from '../case/request';
import { specFor } from './given-when-then';

/** What a call threw (undefined when it returned), to check an error's field as well as its message: toThrow compares messages only. */
export function thrownBy(call: () => unknown): unknown {
  try {
    call();
  } catch (error) {
    return error;
  }
  return undefined;
}

/** The fixed clock of every spec: commands run "now", purchases and deadlines are relative to it. */
export const NOW = new Date('2026-10-15T09:00:00.000Z');
export const hoursAfterNow = (hours: number): Date => addHours(NOW, hours);
export const daysBeforeNow = (days: number): Date => addDays(NOW, -days);

export const CASE_ID = 'case-0001';

export const actorWith = (id: string, ...roles: Role[]): Actor => ({ id, roles });
export const actors = {
  agent: actorWith('agent-ana', 'agent'),
  manager: actorWith('manager-marco', 'manager'),
  seniorManager: actorWith('senior-sofia', 'senior_manager'),
  service: actorWith('svc-payments', 'service'),
  auditor: actorWith('auditor-aldo', 'auditor'),
  admin: actorWith('admin-ada', 'admin'),
  secondManager: actorWith('manager-mia', 'manager'),
  secondSeniorManager: actorWith('senior-sara', 'senior_manager'),
  scheduler: actorWith('deadline-scheduler', 'service'),
} as const;

export const policyInForce = (rules: Partial<PolicyRules> = {}, version = 1): PolicyInForce => ({
  version,
  rules: { ...DEFAULT_POLICY_RULES, ...rules },
  revisedAt: '2026-01-01T00:00:00.000Z',
  revisedBy: 'senior-sofia',
  changeNote: 'Initial policy',
});
export const POLICY: PolicyInForce = policyInForce();

export const history = (overrides: Partial<CustomerHistory> = {}): CustomerHistory => ({
  earlierCases: 0,
  earlierRefunds: 0,
  lookbackDays: DEFAULT_POLICY_RULES.repeatRequester.lookbackDays,
  complete: true,
  ...overrides,
});

export interface RequestOverrides {
  readonly customer?: Partial<RefundRequest['customer']>;
  readonly order?: Partial<RefundRequest['order']>;
  readonly product?: Partial<RefundRequest['product']>;
  readonly amount?: Money;
  readonly reason?: Partial<RefundRequest['reason']>;
  readonly requestedResolution?: RefundRequest['requestedResolution'];
  readonly channel?: RefundRequest['channel'];
  readonly evidence?: RefundRequest['evidence'];
}

/**
 * An Italian customer returning an unused kettle ten days after buying it: inside the statutory
 * period, the return window and the agent limit, so the policy covers it without escalation.
 */
export function sampleRequest(overrides: RequestOverrides = {}): RefundRequest {
  return {
    customer: {
      id: 'cus_81',
      name: 'Maria Rossi',
      email: 'maria@example.com',
      phone: '+39 055 0000',
      locale: 'it',
      ...overrides.customer,
    },
    order: {
      id: 'ord_5521',
      purchasedAt: iso(daysBeforeNow(10)),
      country: 'IT',
      paymentMethod: 'card',
      ...overrides.order,
    },
    product: {
      sku: 'KTL-200',
      name: 'Electric kettle',
      category: 'small-appliances',
      condition: 'new',
      ...overrides.product,
    },
    amount: overrides.amount ?? eur(4990),
    reason: { code: 'changed_mind', description: 'I no longer need it', ...overrides.reason },
    requestedResolution: overrides.requestedResolution ?? 'refund',
    channel: overrides.channel ?? 'email',
    evidence: overrides.evidence ?? [{ kind: 'receipt', uri: 'https://files.example.com/r/5521.pdf' }],
  };
}

/** Bought in a country without a statutory period, used, and 40 days ago: outside the policy. */
export const outOfPolicyRequest = (overrides: RequestOverrides = {}): RefundRequest =>
  sampleRequest({
    ...overrides,
    order: { country: 'US', purchasedAt: iso(daysBeforeNow(40)), ...overrides.order },
    product: { condition: 'used', ...overrides.product },
  });

export const eur = (minor: number): Money => ({ minor, currency: 'EUR' });

// ---- commands -------------------------------------------------------------------------------

type Overrides<C> = Partial<Omit<C, 'type'>>;

export const commands = {
  logRequest: (o: Overrides<LogRequest> = {}): LogRequest => ({
    type: 'LogRequest',
    caseId: CASE_ID,
    request: sampleRequest(),
    actor: actors.agent,
    now: NOW,
    ...o,
  }),
  addNote: (o: Overrides<AddNote> = {}): AddNote => ({
    type: 'AddNote',
    noteId: 'note-1',
    text: 'Customer sent photos of the box',
    evidence: [{ kind: 'photo', uri: 'https://files.example.com/p/1.jpg' }],
    actor: actors.agent,
    now: NOW,
    ...o,
  }),
  evaluateCase: (o: Overrides<EvaluateCase> = {}): EvaluateCase => ({
    type: 'EvaluateCase',
    policy: POLICY,
    history: history(),
    actor: actors.agent,
    now: NOW,
    ...o,
  }),
  escalateCase: (o: Overrides<EscalateCase> = {}): EscalateCase => ({
    type: 'EscalateCase',
    reason: 'Customer threatens a chargeback',
    priority: 'high',
    policy: POLICY,
    actor: actors.agent,
    now: NOW,
    ...o,
  }),
  assignCase: (o: Overrides<AssignCase> = {}): AssignCase => ({
    type: 'AssignCase',
    assignee: 'manager-marco',
    actor: actors.manager,
    now: NOW,
    ...o,
  }),
  decideCase: (o: Overrides<DecideCase> = {}): DecideCase => ({
    type: 'DecideCase',
    outcome: 'refund',
    amount: null,
    rationale: 'Unused and inside the return window',
    legalBasis: null,
    alternativesOffered: [],
    policy: POLICY,
    actor: actors.agent,
    now: NOW,
    ...o,
  }),
  notifyCustomer: (o: Overrides<NotifyCustomer> = {}): NotifyCustomer => ({
    type: 'NotifyCustomer',
    channel: 'email',
    message: { locale: 'it', subject: 'Il tuo rimborso', body: 'Rimborso approvato: 49,90 EUR.' },
    actor: actors.agent,
    now: NOW,
    ...o,
  }),
  recordRefundExecution: (o: Overrides<RecordRefundExecution> = {}): RecordRefundExecution => ({
    type: 'RecordRefundExecution',
    status: 'issued',
    method: 'card',
    amount: eur(4990),
    reference: 'pay-1',
    failureReason: null,
    actor: actors.service,
    now: NOW,
    ...o,
  }),
  recordFollowUp: (o: Overrides<RecordFollowUp> = {}): RecordFollowUp => ({
    type: 'RecordFollowUp',
    satisfaction: 4,
    comment: 'Quick and fair',
    channel: 'survey',
    actor: actors.service,
    now: NOW,
    ...o,
  }),
  closeCase: (o: Overrides<CloseCase> = {}): CloseCase => ({
    type: 'CloseCase',
    summary: 'Refunded in full',
    actor: actors.agent,
    now: NOW,
    ...o,
  }),
  eraseCustomerData: (o: Overrides<EraseCustomerData> = {}): EraseCustomerData => ({
    type: 'EraseCustomerData',
    customerId: sampleRequest().customer.id,
    actor: actors.admin,
    now: NOW,
    ...o,
  }),
  approveDecision: (o: Overrides<ApproveDecision> = {}): ApproveDecision => ({
    type: 'ApproveDecision',
    note: 'Checked the receipts',
    actor: actors.secondSeniorManager,
    now: NOW,
    ...o,
  }),
  rejectDecision: (o: Overrides<RejectDecision> = {}): RejectDecision => ({
    type: 'RejectDecision',
    reason: 'The photos show wear',
    actor: actors.secondSeniorManager,
    now: NOW,
    ...o,
  }),
  appealDecision: (o: Overrides<AppealDecision> = {}): AppealDecision => ({
    type: 'AppealDecision',
    reason: 'The kettle was faulty from the start',
    evidence: [{ kind: 'photo', uri: 'https://files.example.com/p/2.jpg' }],
    policy: POLICY,
    actor: actors.agent,
    now: NOW,
    ...o,
  }),
  decideAppeal: (o: Overrides<DecideAppeal> = {}): DecideAppeal => ({
    type: 'DecideAppeal',
    verdict: 'upheld',
    rationale: 'The photos show misuse',
    decision: null,
    policy: POLICY,
    actor: actors.seniorManager,
    now: NOW,
    ...o,
  }),
  recordDeadlineMissed: (o: Overrides<RecordDeadlineMissed> = {}): RecordDeadlineMissed => ({
    type: 'RecordDeadlineMissed',
    deadline: 'decision_sla',
    dueAt: BEFORE(1),
    actor: actors.scheduler,
    now: NOW,
    ...o,
  }),
};

// ---- events ---------------------------------------------------------------------------------

type DataOverrides<E extends CaseEvent> = Partial<E['data']>;

const BEFORE = (hours: number): string => iso(addHours(NOW, -hours));

export const events = {
  requestLogged: (request: RefundRequest = sampleRequest(), o: DataOverrides<RequestLogged> = {}): RequestLogged => ({
    type: 'RequestLogged',
    data: { ...request, caseId: CASE_ID, loggedAt: BEFORE(48), loggedBy: actors.agent.id, ...o },
  }),
  noteAdded: (o: DataOverrides<NoteAdded> = {}): NoteAdded => ({
    type: 'NoteAdded',
    data: {
      caseId: CASE_ID,
      noteId: 'note-0',
      text: 'Called the customer',
      evidence: [],
      addedBy: actors.agent.id,
      addedAt: BEFORE(47),
      ...o,
    },
  }),
  /** A minimal evaluation record: only the fields the decider reads carry meaning. */
  policyEvaluated: (o: DataOverrides<PolicyEvaluated> = {}): PolicyEvaluated => ({
    type: 'PolicyEvaluated',
    data: {
      caseId: CASE_ID,
      policyVersion: 1,
      withinPolicy: true,
      requiredAuthority: 'agent',
      findings: [],
      inputs: { daysSincePurchase: 8, earlierCases: 0, earlierRefunds: 0, lookbackDays: 365, historyComplete: true },
      recommendation: { resolution: 'refund', note: 'Covered by the return policy' },
      evaluatedBy: actors.agent.id,
      evaluatedAt: BEFORE(46),
      ...o,
    },
  }),
  escalated: (o: DataOverrides<Escalated> = {}): Escalated => ({
    type: 'Escalated',
    data: {
      caseId: CASE_ID,
      reason: 'The 30-day return window expired 10 day(s) ago',
      reasonCodes: ['return_window'],
      priority: 'normal',
      requiredAuthority: 'manager',
      // 48 h (normal) from escalation: due two hours after NOW.
      slaDueAt: BEFORE(-2),
      automatic: true,
      policyVersion: 1,
      escalatedBy: actors.agent.id,
      escalatedAt: BEFORE(46),
      ...o,
    },
  }),
  caseAssigned: (o: DataOverrides<CaseAssigned> = {}): CaseAssigned => ({
    type: 'CaseAssigned',
    data: { caseId: CASE_ID, assignee: 'manager-marco', assignedBy: actors.manager.id, assignedAt: BEFORE(40), ...o },
  }),
  decided: (o: DataOverrides<Decided> = {}): Decided => ({
    type: 'Decided',
    data: {
      caseId: CASE_ID,
      outcome: 'refund',
      amount: eur(4990),
      rationale: 'Unused and inside the return window',
      legalBasis: null,
      alternativesOffered: [],
      authority: { level: 'agent', limit: eur(5000), policyVersion: 1 },
      decidedBy: actors.agent.id,
      decidedAt: BEFORE(24),
      followUpDueAt: iso(addDays(addHours(NOW, -24), 7)),
      slaBreached: null,
      ...o,
    },
  }),
  customerNotified: (o: DataOverrides<CustomerNotified> = {}): CustomerNotified => ({
    type: 'CustomerNotified',
    data: {
      caseId: CASE_ID,
      channel: 'email',
      locale: 'it',
      subject: 'Il tuo rimborso',
      body: 'Rimborso approvato.',
      notifiedBy: actors.agent.id,
      notifiedAt: BEFORE(23),
      ...o,
    },
  }),
  refundIssued: (o: DataOverrides<RefundIssued> = {}): RefundIssued => ({
    type: 'RefundIssued',
    data: {
      caseId: CASE_ID,
      method: 'card',
      amount: eur(4990),
      reference: 'pay-1',
      recordedBy: actors.service.id,
      issuedAt: BEFORE(20),
      ...o,
    },
  }),
  refundSettled: (o: DataOverrides<RefundSettled> = {}): RefundSettled => ({
    type: 'RefundSettled',
    data: {
      caseId: CASE_ID,
      method: 'card',
      amount: eur(4990),
      reference: 'pay-1',
      recordedBy: actors.service.id,
      settledAt: BEFORE(10),
      ...o,
    },
  }),
  refundFailed: (o: DataOverrides<RefundFailed> = {}): RefundFailed => ({
    type: 'RefundFailed',
    data: {
      caseId: CASE_ID,
      method: 'card',
      amount: eur(4990),
      reference: 'pay-1',
      recordedBy: actors.service.id,
      failedAt: BEFORE(10),
      failureReason: 'Card expired',
      ...o,
    },
  }),
  followedUp: (o: DataOverrides<FollowedUp> = {}): FollowedUp => ({
    type: 'FollowedUp',
    data: {
      caseId: CASE_ID,
      satisfaction: 5,
      comment: null,
      channel: 'survey',
      recordedBy: actors.service.id,
      followedUpAt: BEFORE(5),
      ...o,
    },
  }),
  caseClosed: (o: DataOverrides<CaseClosed> = {}): CaseClosed => ({
    type: 'CaseClosed',
    data: { caseId: CASE_ID, summary: 'Done', closedBy: actors.agent.id, closedAt: BEFORE(1), ...o },
  }),
  customerDataErased: (o: DataOverrides<CustomerDataErased> = {}): CustomerDataErased => ({
    type: 'CustomerDataErased',
    data: { caseId: CASE_ID, customerId: sampleRequest().customer.id, erasedBy: actors.admin.id, erasedAt: BEFORE(1), ...o },
  }),
  decisionApproved: (o: DataOverrides<DecisionApproved> = {}): DecisionApproved => ({
    type: 'DecisionApproved',
    data: { caseId: CASE_ID, decidedBy: actors.seniorManager.id, note: null, approvedBy: actors.secondSeniorManager.id, approvedAt: BEFORE(20), ...o },
  }),
  decisionRejected: (o: DataOverrides<DecisionRejected> = {}): DecisionRejected => ({
    type: 'DecisionRejected',
    data: { caseId: CASE_ID, decidedBy: actors.seniorManager.id, reason: 'Wear on the photos', rejectedBy: actors.secondSeniorManager.id, rejectedAt: BEFORE(20), ...o },
  }),
  decisionAppealed: (o: DataOverrides<DecisionAppealed> = {}): DecisionAppealed => ({
    type: 'DecisionAppealed',
    data: {
      caseId: CASE_ID,
      reason: 'It was faulty from the start',
      evidence: [],
      firstDecidedBy: actors.manager.id,
      requiredAuthority: 'manager',
      priority: 'normal',
      slaDueAt: BEFORE(-30),
      policyVersion: 1,
      appealedBy: actors.agent.id,
      appealedAt: BEFORE(18),
      ...o,
    },
  }),
  appealDecided: (o: DataOverrides<AppealDecided> = {}): AppealDecided => ({
    type: 'AppealDecided',
    data: {
      caseId: CASE_ID,
      verdict: 'upheld',
      rationale: 'Misuse on the photos',
      authority: { level: 'manager', limit: eur(50_000), policyVersion: 1 },
      decidedBy: actors.secondManager.id,
      decidedAt: BEFORE(12),
      slaBreached: false,
      decision: null,
      ...o,
    },
  }),
  deadlineMissed: (o: DataOverrides<DeadlineMissed> = {}): DeadlineMissed => ({
    type: 'DeadlineMissed',
    data: {
      caseId: CASE_ID,
      deadline: 'decision_sla',
      dueAt: BEFORE(2),
      raisedTo: { priority: 'high', requiredAuthority: 'senior_manager' },
      recordedBy: actors.scheduler.id,
      missedAt: BEFORE(1),
      ...o,
    },
  }),
};

/** Common histories, oldest first. */
export const histories = {
  logged: (request: RefundRequest = sampleRequest()): CaseEvent[] => [events.requestLogged(request)],
  evaluated: (o: DataOverrides<PolicyEvaluated> = {}): CaseEvent[] => [events.requestLogged(), events.policyEvaluated(o)],
  escalated: (o: DataOverrides<Escalated> = {}): CaseEvent[] => [
    events.requestLogged(outOfPolicyRequest()),
    events.policyEvaluated({ withinPolicy: false, requiredAuthority: 'manager' }),
    events.escalated(o),
  ],
  decided: (o: DataOverrides<Decided> = {}): CaseEvent[] => [...histories.evaluated(), events.decided(o)],
  /** An escalated exception a manager denied a day ago. */
  denied: (o: DataOverrides<Decided> = {}): CaseEvent[] => [
    ...histories.escalated(),
    events.decided({
      outcome: 'denied',
      amount: null,
      rationale: 'Used, and far outside the window',
      authority: { level: 'manager', limit: eur(50_000), policyVersion: 1 },
      decidedBy: actors.manager.id,
      slaBreached: false,
      ...o,
    }),
  ],
  /** A 1,500 EUR refund a senior manager decided, above the 1,000 EUR four-eyes threshold, waiting for approval. */
  awaitingApproval: (o: DataOverrides<Decided> = {}): CaseEvent[] => [
    events.requestLogged(outOfPolicyRequest({ amount: eur(150_000) })),
    events.policyEvaluated({ withinPolicy: false, requiredAuthority: 'senior_manager' }),
    events.escalated({ requiredAuthority: 'senior_manager' }),
    events.decided({
      amount: eur(150_000),
      authority: { level: 'senior_manager', limit: null, policyVersion: 1 },
      decidedBy: actors.seniorManager.id,
      slaBreached: false,
      fourEyes: { threshold: eur(100_000) },
      ...o,
    }),
  ],
  closed: (): CaseEvent[] => [...histories.decided(), events.caseClosed()],
};

export const givenCase = specFor<CaseCommand, CaseEvent, CaseState>({
  decide,
  evolve,
  initialState: initialCaseState,
});

/** Runs commands through decide/evolve and returns every event they produced, for realistic histories. */
export function eventsFrom(...cmds: CaseCommand[]): CaseEvent[] {
  const produced: CaseEvent[] = [];
  for (const command of cmds) produced.push(...decide(command, foldCase(produced)));
  return produced;
}
