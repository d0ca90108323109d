import {
  ALTERNATIVES,
  APPEAL_VERDICTS,
  AppealDecided,
  AppealRecord,
  AppealVerdictRecord,
  Approval,
  DEADLINES,
  DeadlineMissed,
  DecisionAppealed,
  DecisionApproved,
  DecisionRejected,
  MissedDeadline,
  RefundDue,
  Assignment,
  AUTHORITY_LEVELS,
  CaseAssigned,
  CaseClosed,
  CaseEvent,
  CaseEventType,
  CHANNELS,
  Closure,
  CONTEST_REASONS,
  EntitlementContest,
  Communication,
  Customer,
  CustomerDataErased,
  CustomerNotified,
  Decided,
  Decision,
  DecisionAuthority,
  Escalated,
  EscalationRecord,
  EvaluationRecord,
  Evidence,
  Finding,
  FollowedUp,
  FollowUpRecord,
  LEGAL_RIGHTS,
  ConformityRule,
  Jurisdiction,
  LegalAssessment,
  LegalEntitlement,
  LegalFinding,
  LegalPeriod,
  LegalRules,
  LegalRulesInForce,
  LegalRulesRevised,
  LegalSource,
  WithdrawalRule,
  Money,
  Note,
  NoteAdded,
  NOTIFICATION_CHANNELS,
  OUTCOMES,
  PolicyEvaluated,
  PolicyRevised,
  PolicyRules,
  PRIORITIES,
  RefundFailed,
  RefundFailure,
  RefundIssued,
  RefundRequest,
  RefundSettled,
  RefundTracking,
  REMEDIES,
  REQUESTED_RESOLUTIONS,
  RequestLogged,
  RULES,
  SALE_CHANNELS,
} from '@refund-desk/domain';
import {
  arrayOf,
  boolean,
  dateTime,
  enumOf,
  integer,
  mapOf,
  nullable,
  number,
  objectSchema,
  PropertiesOf,
  ref,
  Schema,
  string,
} from './json-schema';

/** Every event type the log can hold: the case events, the policy's and the legal rules'. */
export type EventType = CaseEventType | PolicyRevised['type'] | LegalRulesRevised['type'];
export type EventData<T extends EventType> = T extends CaseEventType
  ? Extract<CaseEvent, { type: T }>['data']
  : T extends 'LegalRulesRevised'
    ? LegalRulesRevised['data']
    : PolicyRevised['data'];

const ACTOR = string({ description: 'Token subject of whoever did it (kafka:<source> for messages)' });
const CASE_ID = string({ description: 'The case' });

const MONEY = objectSchema<Money>(
  { minor: integer({ description: 'Integer minor units (cents)', example: 4990 }), currency: string({ pattern: '^[A-Z]{3}$', description: 'ISO-4217', example: 'EUR' }) },
  { description: 'An amount in minor units with its currency' },
);

const EVIDENCE = objectSchema<Evidence>({ kind: string({ example: 'receipt' }), uri: string({ example: 'https://files.example.com/r/5521.pdf' }) });

const CUSTOMER = objectSchema<Customer>(
  {
    id: string({ example: 'cus_81' }),
    name: string({ description: 'Personal data: "[erased]" once erased' }),
    email: string({ description: 'Personal data' }),
    phone: string({ description: 'Personal data' }),
    locale: string({ description: 'BCP-47 language tag the customer is answered in', example: 'it' }),
  },
  { optional: ['email', 'phone'] },
);

type Order = RefundRequest['order'];
type Product = RefundRequest['product'];
type Reason = RefundRequest['reason'];

const REQUEST_PROPERTIES: PropertiesOf<RefundRequest> = {
  customer: ref('Customer'),
  order: objectSchema<Order>(
    {
      id: string({ example: 'ord_5521' }),
      purchasedAt: dateTime(),
      country: string({ description: 'ISO-3166 alpha-2 country of the sale', example: 'IT' }),
      paymentMethod: string({ example: 'card' }),
      deliveredAt: dateTime('When the goods reached the customer: legal periods run from here (from the purchase when absent)'),
      saleChannel: enumOf(SALE_CHANNELS, { description: 'How the sale was made: withdrawal rights cover distance and off-premises sales' }),
      returnInformationGiven: boolean({ description: 'Whether the seller gave written return information (RU: three months to withdraw without it)' }),
    },
    { optional: ['deliveredAt', 'saleChannel', 'returnInformationGiven'] },
  ),
  product: objectSchema<Product>({
    sku: string({ example: 'KTL-200' }),
    name: string({ example: 'Electric kettle' }),
    category: string({ example: 'small-appliances' }),
    condition: string({ example: 'used' }),
  }),
  amount: ref('Money'),
  reason: objectSchema<Reason>(
    {
      code: string({ example: 'defective' }),
      description: string({ description: 'Personal data (the customer\'s words)' }),
      defectNoticedAt: dateTime('When a hidden defect showed (BR: the defect period runs from then)'),
    },
    { optional: ['defectNoticedAt'] },
  ),
  requestedResolution: enumOf(REQUESTED_RESOLUTIONS),
  channel: enumOf(CHANNELS, { description: 'Channel the request came in by' }),
  evidence: arrayOf(ref('Evidence')),
};

const FINDING = objectSchema<Finding>({
  rule: enumOf(RULES),
  result: enumOf(['pass', 'fail', 'flag', 'info'], { description: 'pass: allows; fail: does not; flag: for a human; info: no effect' }),
  detail: string(),
  inputs: mapOf({ type: ['string', 'number', 'boolean', 'null'], description: 'A string, number, boolean or null' }, { description: 'The inputs the rule used' }),
});

type EvaluationInputs = EvaluationRecord['inputs'];
type Recommendation = EvaluationRecord['recommendation'];
const EVALUATION_PROPERTIES: PropertiesOf<EvaluationRecord> = {
  policyVersion: integer({ minimum: 1 }),
  withinPolicy: boolean(),
  requiredAuthority: enumOf(AUTHORITY_LEVELS),
  findings: arrayOf(ref('Finding')),
  inputs: objectSchema<EvaluationInputs>({
    daysSincePurchase: integer(),
    earlierCases: integer(),
    earlierRefunds: integer(),
    lookbackDays: integer(),
    historyComplete: boolean({ description: 'False when the customer history could not be confirmed up to date' }),
  }),
  recommendation: objectSchema<Recommendation>({ resolution: enumOf(OUTCOMES), note: string() }),
  legal: ref('LegalAssessment'),
  evaluatedBy: ACTOR,
  evaluatedAt: dateTime(),
};

const LEGAL_SOURCE = objectSchema<LegalSource>(
  { act: string({ example: 'Directive (EU) 2019/771' }), article: string({ example: 'art. 10' }) },
  { description: 'The act and article a right comes from' },
);

const LEGAL_ENTITLEMENT = objectSchema<LegalEntitlement>(
  {
    right: enumOf(LEGAL_RIGHTS),
    country: string({ example: 'IT' }),
    source: ref('LegalSource'),
    countedFrom: enumOf(['delivery', 'purchase', 'defect_noticed'], { description: 'What the period runs from' }),
    until: dateTime('End of the last day of the period (UTC)'),
    remedies: arrayOf(arrayOf(enumOf(REMEDIES)), { description: 'Tiers of remedies: a later tier only when the earlier ones fail' }),
    consumerChooses: boolean({ description: "The customer's choice of remedy binds the seller" }),
    refundDueDays: nullable(integer({ minimum: 0, description: 'Days a refund under this right is due in; 0 at once' })),
    refundSource: nullable(ref('LegalSource')),
    presumedAtDelivery: nullable(boolean({ description: 'Conformity: the defect is presumed to have existed at delivery' })),
  },
  { description: 'A statutory right the request carries; a decision may not go below it unless a senior manager contests it with evidence' },
);

const LEGAL_PERIOD = objectSchema<LegalPeriod>(
  { days: integer({ minimum: 0 }), months: integer({ minimum: 0, description: 'Calendar months (a two-year guarantee ends on the same date)' }) },
  { optional: ['days', 'months'], description: 'A period counted from the day after its event to the end of its last day' },
);

const WITHDRAWAL_RULE = objectSchema<WithdrawalRule>(
  {
    source: ref('LegalSource'),
    period: ref('LegalPeriod'),
    periodWithoutReturnInformation: ref('LegalPeriod'),
    channels: arrayOf(enumOf(SALE_CHANNELS)),
    exemptCategories: arrayOf(string(), { description: 'Categories the law exempts (perishables, custom-made goods...)' }),
    sealedHygieneCategories: arrayOf(string(), { description: 'Exempt once unsealed' }),
    sealedConditions: arrayOf(string(), { description: 'Conditions that count as still sealed' }),
    refundDueDays: integer({ minimum: 0, description: 'Days the refund is due in; 0 at once' }),
    refundSource: ref('LegalSource'),
  },
  { optional: ['periodWithoutReturnInformation'], description: 'The right to withdraw from a distance or off-premises sale without a reason' },
);

const CONFORMITY_RULE = objectSchema<ConformityRule>(
  {
    source: ref('LegalSource'),
    period: ref('LegalPeriod'),
    periodByCategory: mapOf(ref('LegalPeriod'), { description: 'Periods by product category (BR: non-durable goods)' }),
    countedFrom: enumOf(['delivery', 'defect_noticed']),
    presumption: ref('LegalPeriod'),
    remedies: arrayOf(arrayOf(enumOf(REMEDIES)), { description: 'Tiers: a later tier only when the earlier ones fail' }),
    consumerChooses: boolean(),
    earlyRejection: objectSchema<NonNullable<ConformityRule['earlyRejection']>>({ period: ref('LegalPeriod'), source: ref('LegalSource') }),
    refundDueDays: nullable(integer({ minimum: 0 })),
    refundSource: ref('LegalSource'),
  },
  { optional: ['periodByCategory', 'presumption', 'earlyRejection', 'refundSource'], description: "The seller's liability for goods not in conformity (defects)" },
);

const JURISDICTION = objectSchema<Jurisdiction>(
  { name: string({ example: 'Italy' }), withdrawal: ref('WithdrawalRule'), conformity: ref('ConformityRule') },
  { optional: ['withdrawal', 'conformity'] },
);

const LEGAL_RULES = objectSchema<LegalRules>(
  {
    jurisdictions: mapOf(ref('Jurisdiction'), { description: 'By ISO-3166 alpha-2 country of the sale' }),
    defectReasonCodes: arrayOf(string(), { description: 'Reason codes that claim a defect', example: ['defective', 'not_as_described'] }),
  },
  { description: 'Consumer law as data: a floor no policy or decision may go below' },
);

const ENTITLEMENT_CONTEST = objectSchema<EntitlementContest>(
  {
    right: enumOf(LEGAL_RIGHTS),
    reason: enumOf(CONTEST_REASONS),
    evidence: arrayOf(string(), { minItems: 1, description: 'References to the evidence (inspection report, photos)' }),
  },
  { description: 'A statutory right the decider disputes; needs senior manager authority' },
);

const LEGAL_FINDING = objectSchema<LegalFinding>({
  right: enumOf(LEGAL_RIGHTS),
  result: enumOf(['applies', 'expired', 'not_applicable', 'exempt']),
  detail: string(),
  inputs: mapOf({ type: ['string', 'number', 'boolean', 'null'], description: 'A string, number, boolean or null' }, { description: 'The inputs the check used' }),
});

const LEGAL_ASSESSMENT = objectSchema<LegalAssessment>(
  {
    legalRulesVersion: integer({ minimum: 1, description: 'Version of the legal rules applied' }),
    entitlements: arrayOf(ref('LegalEntitlement')),
    findings: arrayOf(ref('LegalFinding'), { description: 'Every right considered, whether or not it applies' }),
  },
  { description: 'The consumer-law floor found at evaluation, apart from the policy' },
);

const ESCALATION_PROPERTIES: PropertiesOf<EscalationRecord> = {
  reason: string(),
  reasonCodes: arrayOf(enumOf(RULES), { description: 'Rules behind an automatic escalation; empty when escalated by hand' }),
  priority: enumOf(PRIORITIES),
  requiredAuthority: enumOf(AUTHORITY_LEVELS),
  slaDueAt: dateTime('Deadline for the decision'),
  automatic: boolean(),
  policyVersion: integer({ minimum: 1 }),
  escalatedBy: ACTOR,
  escalatedAt: dateTime(),
};

const ASSIGNMENT_PROPERTIES: PropertiesOf<Assignment> = { assignee: string(), assignedBy: ACTOR, assignedAt: dateTime() };

const DECISION_AUTHORITY = objectSchema<DecisionAuthority>({
  level: enumOf(AUTHORITY_LEVELS),
  limit: nullable(ref('Money')),
  policyVersion: integer({ minimum: 1 }),
});

const DECISION_PROPERTIES: PropertiesOf<Decision> = {
  outcome: enumOf(OUTCOMES),
  amount: nullable(ref('Money')),
  rationale: string(),
  legalBasis: nullable(string()),
  alternativesOffered: arrayOf(enumOf(ALTERNATIVES)),
  authority: ref('DecisionAuthority'),
  decidedBy: ACTOR,
  decidedAt: dateTime(),
  followUpDueAt: dateTime('When the customer should be asked how the resolution went'),
  slaBreached: nullable(boolean({ description: 'Null when never escalated' })),
  contests: arrayOf(ref('EntitlementContest'), { description: 'Statutory rights the decider disputed, with evidence; absent when none was' }),
  fourEyes: objectSchema<NonNullable<Decision['fourEyes']>>(
    { threshold: ref('Money') },
    { description: "Present when the amount is above the policy's four-eyes threshold: no refund is executed before a second person approves (see the case's approval)" },
  ),
  refundDue: ref('RefundDue'),
};
const DECISION_OPTIONAL = ['contests', 'fourEyes', 'refundDue'] as const;

const REFUND_DUE = objectSchema<RefundDue>(
  {
    by: dateTime('When the money is due; a refund not settled by then is recorded as a missed refund_settlement deadline'),
    under: enumOf(['law', 'policy'], { description: "law: a statutory right's refund deadline (source named); policy: the policy's longest settlement time" }),
    source: nullable(ref('LegalSource')),
  },
  { description: 'When the money a decision sends back is due, and under which rule. Absent on outcomes that send no money' },
);

const APPROVAL = {
  type: 'object',
  description:
    'Four eyes on the decision in force: not_required (at or below the threshold, or no money back), pending (no refund, message or closing until a second person approves), approved',
  required: ['status'],
  properties: {
    status: enumOf(['not_required', 'pending', 'approved']),
    threshold: ref('Money'),
    approvedBy: ACTOR,
    approvedAt: dateTime(),
    note: nullable(string({ description: 'Personal data' })),
  },
} satisfies Schema & { properties: Record<keyof Extract<Approval, { status: 'approved' }>, Schema> };

const DEADLINE = enumOf(DEADLINES, {
  description: 'decision_sla: an escalated case undecided by slaDueAt; appeal_sla: an appeal without a verdict by its slaDueAt; refund_settlement: money not settled by refundDue.by; follow_up: no follow-up by followUpDueAt',
});
const RAISED_TO = objectSchema<NonNullable<DeadlineMissed['data']['raisedTo']>>(
  { priority: enumOf(PRIORITIES), requiredAuthority: enumOf(AUTHORITY_LEVELS) },
  { description: 'Where a missed decision or appeal deadline moved the case: priority and required authority one level up' },
);

const APPEAL_PROPERTIES: PropertiesOf<Omit<DecisionAppealed['data'], 'caseId'>> = {
  reason: string({ description: "Personal data (the customer's grounds)" }),
  evidence: arrayOf(ref('Evidence')),
  firstDecidedBy: string({ description: 'Whoever decided what is appealed: they may not decide the appeal' }),
  requiredAuthority: enumOf(AUTHORITY_LEVELS, { description: 'At least the authority of the first decision, and a manager\'s' }),
  priority: enumOf(PRIORITIES),
  slaDueAt: dateTime('Deadline for the verdict'),
  policyVersion: integer({ minimum: 1 }),
  appealedBy: ACTOR,
  appealedAt: dateTime(),
};

const VERDICT_PROPERTIES: PropertiesOf<Omit<AppealDecided['data'], 'caseId' | 'decision'>> = {
  verdict: enumOf(APPEAL_VERDICTS),
  rationale: string({ description: 'Personal data' }),
  authority: ref('DecisionAuthority'),
  decidedBy: ACTOR,
  decidedAt: dateTime(),
  slaBreached: boolean({ description: "Whether the verdict came after the appeal's slaDueAt" }),
};

const APPEAL_VERDICT = objectSchema<AppealVerdictRecord>({
  ...VERDICT_PROPERTIES,
  replaced: nullable(
    objectSchema<NonNullable<AppealVerdictRecord['replaced']>>(
      { decision: ref('Decision'), approval: ref('Approval') },
      { description: 'The decision an overturning verdict replaced, with its approval' },
    ),
  ),
});

const MISSED_DEADLINE = objectSchema<MissedDeadline>({ deadline: DEADLINE, dueAt: dateTime(), missedAt: dateTime('When the scheduler recorded it') });

const COMMUNICATION_PROPERTIES: PropertiesOf<Communication> = {
  channel: enumOf(NOTIFICATION_CHANNELS),
  locale: string({ example: 'it' }),
  subject: string({ description: 'Personal data' }),
  body: string({ description: 'Personal data' }),
  notifiedBy: ACTOR,
  notifiedAt: dateTime(),
};

const FOLLOW_UP_PROPERTIES: PropertiesOf<FollowUpRecord> = {
  satisfaction: integer({ minimum: 1, maximum: 5 }),
  comment: nullable(string({ description: 'Personal data' })),
  channel: string(),
  recordedBy: ACTOR,
  followedUpAt: dateTime(),
};

const NOTE_PROPERTIES: PropertiesOf<Note> = {
  noteId: string(),
  text: string({ description: 'Personal data' }),
  evidence: arrayOf(ref('Evidence')),
  addedBy: ACTOR,
  addedAt: dateTime(),
};

const CLOSURE_PROPERTIES: PropertiesOf<Closure> = { summary: string(), closedBy: ACTOR, closedAt: dateTime() };

const REFUND_FAILURE = objectSchema<RefundFailure>({
  method: string(),
  amount: ref('Money'),
  reference: string(),
  reason: string(),
  failedAt: dateTime(),
});

const REFUND_TRACKING = objectSchema<RefundTracking>({
  status: enumOf(['not_started', 'issued', 'settled', 'failed']),
  method: nullable(string()),
  amount: nullable(ref('Money')),
  reference: nullable(string()),
  issuedAt: nullable(dateTime()),
  settledAt: nullable(dateTime()),
  failures: arrayOf(ref('RefundFailure'), { description: 'Every failed attempt, oldest first' }),
});

const MINOR_BY_CURRENCY = mapOf(integer(), { description: 'Minor units by ISO-4217 currency' });
type ReturnWindow = PolicyRules['returnWindowDays'];
type RepeatRequester = PolicyRules['repeatRequester'];
type AuthorityLimits = PolicyRules['authorityLimits'];
type SettlementDays = PolicyRules['refundSettlementDays'];
const POLICY_RULES = objectSchema<PolicyRules>({
  returnWindowDays: objectSchema<ReturnWindow>({ default: integer({ minimum: 0 }), byCategory: mapOf(integer({ minimum: 0 })) }),
  nonReturnableCategories: arrayOf(string()),
  acceptedConditions: arrayOf(string()),
  statutoryWithdrawalDays: mapOf(integer({ minimum: 0 }), { description: 'Days by ISO-3166 country' }),
  repeatRequester: objectSchema<RepeatRequester>({ threshold: integer({ minimum: 1 }), lookbackDays: integer({ minimum: 1 }) }),
  authorityLimits: objectSchema<AuthorityLimits>({ agent: MINOR_BY_CURRENCY, manager: MINOR_BY_CURRENCY }),
  slaHours: objectSchema<PolicyRules['slaHours']>({
    low: number({ minimum: 0 }),
    normal: number({ minimum: 0 }),
    high: number({ minimum: 0 }),
    urgent: number({ minimum: 0 }),
  }),
  urgentReasonCodes: arrayOf(string()),
  goodwillGraceDays: integer({ minimum: 0 }),
  followUpDelayDays: integer({ minimum: 0 }),
  refundSettlementDays: objectSchema<SettlementDays>({ min: integer({ minimum: 0 }), max: integer({ minimum: 0 }) }),
  fourEyesThreshold: mapOf(integer({ minimum: 0 }), {
    description: 'Four eyes: a money-back decision above this amount (minor units by ISO-4217 currency) needs a second approver before any refund; a currency without an entry needs none. Absent: 100000 minor units in EUR, USD, GBP and CHF, 10000000 RUB, 500000 BRL, 400000 SAR and AED',
  }),
  appealWindowDays: integer({ minimum: 0, description: 'Days after a decision within which a denial or partial outcome may be appealed; absent: 30' }),
}, { optional: ['fourEyesThreshold', 'appealWindowDays'] });

/** Shapes shared by the HTTP responses and the event payloads, by component name. */
export const DOMAIN_SCHEMAS: Readonly<Record<string, Schema>> = {
  Money: MONEY,
  Evidence: EVIDENCE,
  Customer: CUSTOMER,
  RefundRequest: objectSchema<RefundRequest>(REQUEST_PROPERTIES, { description: 'The request as logged' }),
  Finding: FINDING,
  LegalSource: LEGAL_SOURCE,
  LegalEntitlement: LEGAL_ENTITLEMENT,
  LegalFinding: LEGAL_FINDING,
  LegalAssessment: LEGAL_ASSESSMENT,
  EntitlementContest: ENTITLEMENT_CONTEST,
  LegalPeriod: LEGAL_PERIOD,
  WithdrawalRule: WITHDRAWAL_RULE,
  ConformityRule: CONFORMITY_RULE,
  Jurisdiction: JURISDICTION,
  LegalRules: LEGAL_RULES,
  LegalRulesInForce: objectSchema<LegalRulesInForce>({
    version: integer({ minimum: 1 }),
    rules: ref('LegalRules'),
    revisedAt: dateTime(),
    revisedBy: ACTOR,
    changeNote: string(),
  }),
  Evaluation: objectSchema<EvaluationRecord>(EVALUATION_PROPERTIES, { optional: ['legal'] }),
  Escalation: objectSchema<EscalationRecord>(ESCALATION_PROPERTIES),
  Assignment: objectSchema<Assignment>(ASSIGNMENT_PROPERTIES),
  DecisionAuthority: DECISION_AUTHORITY,
  Decision: objectSchema<Decision>(DECISION_PROPERTIES, { optional: DECISION_OPTIONAL }),
  RefundDue: REFUND_DUE,
  Approval: APPROVAL,
  Appeal: objectSchema<AppealRecord>(
    { ...APPEAL_PROPERTIES, verdict: nullable(ref('AppealVerdict')) },
    { description: 'An appeal against the decision: back with the managers until a verdict (by someone other than firstDecidedBy)' },
  ),
  AppealVerdict: APPEAL_VERDICT,
  MissedDeadline: MISSED_DEADLINE,
  Communication: objectSchema<Communication>(COMMUNICATION_PROPERTIES),
  FollowUp: objectSchema<FollowUpRecord>(FOLLOW_UP_PROPERTIES),
  Note: objectSchema<Note>(NOTE_PROPERTIES),
  Closure: objectSchema<Closure>(CLOSURE_PROPERTIES),
  RefundFailure: REFUND_FAILURE,
  RefundTracking: REFUND_TRACKING,
  PolicyRules: POLICY_RULES,
};

type RefundExecution = RefundIssued['data'];
const EXECUTION_PROPERTIES: Omit<PropertiesOf<RefundExecution>, 'issuedAt'> = {
  caseId: CASE_ID,
  method: string({ example: 'card' }),
  amount: ref('Money'),
  reference: string({ description: "The payment provider's reference" }),
  recordedBy: ACTOR,
};

/**
 * The `data` of each event type, in the form the log holds it. Typed against the domain's event
 * union: a new event type, or a field added to one, does not compile until it is described here.
 */
export const EVENT_DATA_SCHEMAS: { readonly [T in EventType]: Schema } = {
  RequestLogged: objectSchema<RequestLogged['data']>({ caseId: CASE_ID, ...REQUEST_PROPERTIES, loggedAt: dateTime(), loggedBy: ACTOR }),
  NoteAdded: objectSchema<NoteAdded['data']>({ caseId: CASE_ID, ...NOTE_PROPERTIES }),
  PolicyEvaluated: objectSchema<PolicyEvaluated['data']>({ caseId: CASE_ID, ...EVALUATION_PROPERTIES }, { optional: ['legal'] }),
  Escalated: objectSchema<Escalated['data']>({ caseId: CASE_ID, ...ESCALATION_PROPERTIES }),
  CaseAssigned: objectSchema<CaseAssigned['data']>({ caseId: CASE_ID, ...ASSIGNMENT_PROPERTIES }),
  Decided: objectSchema<Decided['data']>({ caseId: CASE_ID, ...DECISION_PROPERTIES }, { optional: DECISION_OPTIONAL }),
  CustomerNotified: objectSchema<CustomerNotified['data']>({ caseId: CASE_ID, ...COMMUNICATION_PROPERTIES }),
  RefundIssued: objectSchema<RefundIssued['data']>({ ...EXECUTION_PROPERTIES, issuedAt: dateTime() }),
  RefundSettled: objectSchema<RefundSettled['data']>({ ...EXECUTION_PROPERTIES, settledAt: dateTime() }),
  RefundFailed: objectSchema<RefundFailed['data']>({ ...EXECUTION_PROPERTIES, failedAt: dateTime(), failureReason: string() }),
  FollowedUp: objectSchema<FollowedUp['data']>({ caseId: CASE_ID, ...FOLLOW_UP_PROPERTIES }),
  CaseClosed: objectSchema<CaseClosed['data']>({ caseId: CASE_ID, ...CLOSURE_PROPERTIES }),
  CustomerDataErased: objectSchema<CustomerDataErased['data']>({
    caseId: CASE_ID,
    customerId: string(),
    erasedBy: ACTOR,
    erasedAt: dateTime(),
  }),
  DecisionApproved: objectSchema<DecisionApproved['data']>({
    caseId: CASE_ID,
    decidedBy: string({ description: 'Whoever took the decision approved' }),
    note: nullable(string({ description: 'Personal data' })),
    approvedBy: ACTOR,
    approvedAt: dateTime(),
  }),
  DecisionRejected: objectSchema<DecisionRejected['data']>({
    caseId: CASE_ID,
    decidedBy: string({ description: 'Whoever took the decision rejected' }),
    reason: string({ description: 'Personal data' }),
    rejectedBy: ACTOR,
    rejectedAt: dateTime(),
  }),
  DecisionAppealed: objectSchema<DecisionAppealed['data']>({ caseId: CASE_ID, ...APPEAL_PROPERTIES }),
  AppealDecided: objectSchema<AppealDecided['data']>({
    caseId: CASE_ID,
    ...VERDICT_PROPERTIES,
    // Inline rather than a reference, so the published form can null its personal fields.
    decision: {
      ...objectSchema<Decision>(DECISION_PROPERTIES, { optional: DECISION_OPTIONAL }),
      type: ['object', 'null'],
      description: 'The decision that replaces the first one when overturned; null when upheld',
    },
  }),
  DeadlineMissed: objectSchema<DeadlineMissed['data']>({
    caseId: CASE_ID,
    deadline: DEADLINE,
    dueAt: dateTime(),
    raisedTo: nullable(RAISED_TO),
    recordedBy: ACTOR,
    missedAt: dateTime(),
  }),
  PolicyRevised: objectSchema<PolicyRevised['data']>({ rules: ref('PolicyRules'), changeNote: string(), revisedBy: ACTOR, revisedAt: dateTime() }),
  LegalRulesRevised: objectSchema<LegalRulesRevised['data']>({ rules: ref('LegalRules'), changeNote: string(), revisedBy: ACTOR, revisedAt: dateTime() }),
};

export const EVENT_TYPES = Object.keys(EVENT_DATA_SCHEMAS) as EventType[];

/** What each event type records, for the catalogue. */
export const EVENT_DESCRIPTIONS: { readonly [T in EventType]: string } = {
  RequestLogged: 'A refund request was logged (POST /v1/cases or refunds.requests.v1).',
  NoteAdded: 'A note or evidence was added to the case.',
  PolicyEvaluated: 'The request was evaluated against the policy in force; the findings name each rule.',
  Escalated: 'The case went to a manager, automatically after an out-of-policy evaluation or by hand.',
  CaseAssigned: 'A manager took the case or gave it to someone.',
  Decided: 'The case was decided, with the rationale and the authority behind it.',
  CustomerNotified: "The customer was told the decision, in their language.",
  RefundIssued: 'The refund was issued to the payment provider.',
  RefundSettled: 'The money arrived.',
  RefundFailed: 'The refund failed; it can be issued again.',
  FollowedUp: "The customer's satisfaction with the resolution was recorded.",
  CaseClosed: 'The case was closed; nothing can follow.',
  CustomerDataErased: "The customer's personal data in this case can no longer be read (crypto-shredding).",
  DecisionApproved: 'Four eyes: a second person approved a decision above the policy threshold; refunds may now be executed.',
  DecisionRejected: 'Four eyes: a second person rejected a decision above the threshold; it is void and the case waits for a new decision (or again for the appeal verdict).',
  DecisionAppealed: 'The customer appealed a denial or partial outcome; the case is back with the managers, to be decided by someone other than the first decider.',
  AppealDecided: 'The appeal was decided: upheld (the first decision stands) or overturned with the decision that replaces it.',
  DeadlineMissed: 'A deadline passed with nothing done (decision or appeal SLA, refund settlement, follow-up), recorded once by the scheduler; a missed SLA raises priority and authority.',
  PolicyRevised: 'The return policy was revised (stream refundPolicy-current; caseId is null).',
  LegalRulesRevised: 'The consumer-law rules were revised (stream legalRules-current; caseId is null); evaluations name the version they applied.',
};
