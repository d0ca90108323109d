import type { AuditedEvent, CaseStateAt, ChainVerification, ExportedEvent } from '@refund-desk/audit';
import type { CaseView, ErasureResult } from '@refund-desk/case-handling';
import {
  arrayOf,
  boolean,
  dateTime,
  enumOf,
  integer,
  mapOf,
  nullable,
  objectSchema,
  ref,
  Schema,
  string,
} from '@refund-desk/contracts';
import { AUTHORITY_LEVELS, NOTIFICATION_CHANNELS, PRIORITIES, RULES, type Communication } from '@refund-desk/domain';
import type { ChainBreakReason, EventDamage } from '@refund-desk/event-store';
import type { FieldError, ProblemDetails } from '@refund-desk/platform';
import type { ProjectionStatus } from '@refund-desk/read-models';
import { PROBLEM_TYPES_DESCRIPTION } from './openapi-problem-types';

const CASE_STATUSES = ['logged', 'evaluated', 'escalated', 'decided', 'closed'];

type ProblemFields = Pick<ProblemDetails, 'type' | 'title' | 'status' | 'detail' | 'instance' | 'errors'> & { currentVersion?: number; damagedEvent?: object; legalFloor?: object; separationOfDuties?: object; rebuildRunning?: object };

const PROBLEM = objectSchema<ProblemFields>(
  {
    type: string({ format: 'uri', description: PROBLEM_TYPES_DESCRIPTION, example: 'https://refund-desk.dev/problems/validation' }),
    title: string({ example: 'Invalid request' }),
    status: integer({ minimum: 400, maximum: 599, example: 400 }),
    detail: string({ description: 'What went wrong, for a person', example: 'customer.email must be an email' }),
    instance: string({ description: 'The request path' }),
    errors: arrayOf(ref('FieldError'), { description: 'Validation answers: one entry per bad field' }),
    currentVersion: integer({ description: 'With version-mismatch (412) and concurrent-modification (409): the version now' }),
    damagedEvent: {
      type: 'object',
      description: 'With damaged-event (409): the stored event that no longer verifies (no stored content)',
      required: ['caseId', 'streamId', 'version', 'position', 'eventId', 'type', 'reason'],
      properties: {
        caseId: nullable(string()),
        streamId: string(),
        version: integer(),
        position: integer(),
        eventId: string(),
        type: string(),
        reason: string({ description: 'A chain break reason (see ChainVerification.brokenAt.reason)' }),
      },
    },
    legalFloor: {
      type: 'object',
      description: 'With below-legal-floor (409): the statutory right the decision would go below, its source and the outcomes it allows',
      required: ['problem', 'right', 'source', 'allowedOutcomes'],
      properties: {
        problem: { type: 'string', enum: ['below_floor', 'contest_needs_authority', 'contest_needs_evidence', 'contest_does_not_fit'] },
        right: { type: 'string', enum: ['withdrawal', 'conformity'] },
        source: ref('LegalSource'),
        allowedOutcomes: arrayOf(string()),
      },
    },
    separationOfDuties: {
      type: 'object',
      description: 'With separation-of-duties (403): the rule (four_eyes: a decision is approved by someone other than its decider; appeal_by_another: an appeal is decided by someone other than the first decider) and who that was',
      required: ['rule', 'decidedBy'],
      properties: {
        rule: { type: 'string', enum: ['four_eyes', 'appeal_by_another'] },
        decidedBy: string({ description: 'Subject of whoever took the first step' }),
      },
    },
    rebuildRunning: {
      type: 'object',
      description: 'With rebuild-running (409): the read model another process (a replica, the CLI) is rebuilding, and who that is',
      required: ['readModel', 'holder'],
      properties: {
        readModel: string({ example: 'manager_queue' }),
        holder: nullable(string({ description: 'The process holding its rebuild lease (host, pid and a random part); null if the lease ran out as it was looked up' })),
      },
    },
  },
  { optional: ['instance', 'errors', 'currentVersion', 'damagedEvent', 'legalFloor', 'separationOfDuties', 'rebuildRunning'], description: 'RFC 9457 Problem Details' },
);

const FIELD_ERROR = objectSchema<FieldError>({
  field: string({ description: 'Dotted path of the field (body, query, path parameter or header name)', example: 'customer.email' }),
  message: string({ example: 'customer.email must be an email' }),
});

type ViewEscalation = NonNullable<CaseView['escalation']>;
const ESCALATION_VIEW = objectSchema<ViewEscalation>({
  reason: string(),
  reasonCodes: arrayOf(enumOf(RULES)),
  priority: enumOf(PRIORITIES),
  requiredAuthority: enumOf(AUTHORITY_LEVELS),
  slaDueAt: dateTime(),
  automatic: boolean(),
  policyVersion: integer(),
  escalatedBy: string(),
  escalatedAt: dateTime(),
  slaBreached: boolean({ description: 'After a decision: whether it came after slaDueAt; before: whether slaDueAt has passed' }),
});

const CASE_VIEW = objectSchema<CaseView>(
  {
    caseId: string(),
    status: enumOf(CASE_STATUSES),
    version: integer({ minimum: 1, description: 'Also in the ETag header' }),
    loggedAt: dateTime(),
    loggedBy: string(),
    request: ref('RefundRequest'),
    evaluation: nullable(ref('Evaluation')),
    escalation: nullable(ref('CaseEscalation')),
    assignment: nullable(ref('Assignment')),
    decision: nullable(ref('Decision')),
    approval: nullable(ref('Approval')),
    appeal: nullable(ref('Appeal')),
    deadlinesMissed: arrayOf(ref('MissedDeadline'), { description: 'Deadlines the scheduler recorded as missed (DeadlineMissed), each once, oldest first' }),
    communications: arrayOf(ref('Communication')),
    refund: nullable(ref('RefundTracking')),
    followUp: nullable(ref('FollowUp')),
    notes: arrayOf(ref('Note')),
    closure: nullable(ref('Closure')),
  },
  { description: 'The case folded from its events; every part is present, null until it happens. Personal fields read "[erased]" after erasure.' },
);

const APPENDED = objectSchema<{ type: string; version: number; position: number }>({
  type: string({ example: 'Decided' }),
  version: integer({ example: 4 }),
  position: integer({ example: 1042 }),
});

const COMMAND_PROPERTIES = {
  caseId: string(),
  version: integer({ minimum: 1, description: 'Version of the case after the command; send it back in If-Match' }),
  status: enumOf(CASE_STATUSES),
  position: nullable(integer({ description: 'Global position of the last event; pass as minPosition to list queries to read your own write' })),
  events: arrayOf(ref('AppendedEvent'), { description: 'The events this command appended (empty when it changed nothing)' }),
};

type Message = Pick<Communication, 'channel' | 'locale' | 'subject' | 'body'>;

const DAMAGE = objectSchema<EventDamage>(
  {
    reason: string({ description: 'Why the event could not be read in full, e.g. unreadable_personal_data' }),
    fields: arrayOf(string(), { description: 'The sealed fields that did not open (dotted paths)' }),
    detail: string(),
  },
  { optional: ['fields'], description: 'Only on a damaged event: the fields that did not open are null' },
);

const AUDITED_EVENT = objectSchema<AuditedEvent>({
  position: integer({ description: 'Global position' }),
  version: integer({ description: 'Version in the case stream' }),
  eventId: string({ format: 'uuid' }),
  type: string({ example: 'Decided', description: 'An event type of the catalogue (docs/contract.md)' }),
  schemaVersion: integer({ minimum: 1 }),
  data: { type: 'object', additionalProperties: true, description: "The event's data (personal fields opened, or \"[erased]\")" },
  actor: string(),
  occurredAt: dateTime(),
  recordedAt: dateTime(),
  correlationId: string(),
  causationId: nullable(string()),
  prevHash: string({ description: 'SHA-256 (hex) of the previous event of the stream' }),
  hash: string({ description: 'SHA-256 (hex) of this event, chained to prevHash' }),
  damage: ref('EventDamage'),
}, { optional: ['damage'] });

// Every reason of the union, as keys: a new one does not compile until it is listed here.
const BREAK_REASON_SET: Record<ChainBreakReason, true> = {
  version_gap: true,
  version_mismatch: true,
  prev_hash_mismatch: true,
  hash_mismatch: true,
  unknown_hash_version: true,
  hash_version_downgrade: true,
  column_mismatch: true,
  position_out_of_order: true,
  log_order_out_of_order: true,
  unreadable_personal_data: true,
};
const BREAK_REASONS = Object.keys(BREAK_REASON_SET);
type Verification = ChainVerification & { caseId: string };
const VERIFICATION = objectSchema<Verification>(
  {
    caseId: string(),
    valid: boolean(),
    events: integer({ description: 'Events checked' }),
    brokenAt: {
      type: 'object',
      description: 'The first event whose stored form does not match the chain, and why; the other members depend on the reason',
      required: ['version', 'position', 'eventId', 'type', 'reason'],
      properties: {
        version: integer(),
        position: integer(),
        eventId: string(),
        type: string(),
        reason: enumOf(BREAK_REASONS),
        expectedVersion: integer(),
        expectedPrevHash: string(),
        storedPrevHash: string(),
        recomputedHash: string(),
        storedHash: string(),
        hashVersion: integer(),
        storedHashVersion: { description: 'The hash rule the event names, as stored (any value)' },
        previousHashVersion: integer(),
        column: string(),
        stored: string(),
        hashed: string(),
        fields: arrayOf(string()),
      },
    },
    headHash: nullable(string({ description: 'Hash of the last event' })),
    hashVersions: mapOf(integer(), { description: 'How many events each hash rule covers (rule 1 did not cover the recorded time)' }),
  },
  { optional: ['brokenAt'] },
);

const STATE_AT = objectSchema<CaseStateAt>({
  caseId: string(),
  asOf: dateTime('The asked time, or when the asked version was recorded'),
  version: integer(),
  policyVersionInForce: nullable(integer()),
  state: ref('CaseView'),
});

const EXPORTED_EVENT = objectSchema<ExportedEvent>(
  {
    eventId: string({ format: 'uuid' }),
    streamId: string({ example: 'refundCase-4b1f0a9e8c2d4e6f' }),
    version: integer(),
    position: integer(),
    checkpoint: string({ description: 'Pass as `after` to resume the export after this event' }),
    type: string(),
    schemaVersion: integer(),
    data: { type: 'object', additionalProperties: true, description: 'form=readable: the data with personal fields opened (or "[erased]"); form=stored: exactly as stored, personal fields sealed' },
    metadata: {
      type: 'object',
      required: ['actor', 'occurredAt', 'correlationId', 'causationId', 'prevHash', 'hash'],
      properties: {
        actor: string(),
        occurredAt: dateTime(),
        correlationId: string(),
        causationId: nullable(string()),
        prevHash: string(),
        hash: string(),
        customerId: string(),
      },
      additionalProperties: true,
    },
    recordedAt: dateTime(),
    storedOccurredAt: string({ description: "The store's own copy of metadata.occurredAt (an SQL column), where it keeps one" }),
    damage: ref('EventDamage'),
  },
  { optional: ['storedOccurredAt', 'damage'], description: 'One line of the NDJSON export' },
);

type ErasedCase = ErasureResult['cases'][number];
const ERASURE = objectSchema<ErasureResult>({
  customerId: string(),
  erasedAt: dateTime(),
  keysDestroyed: integer({ description: 'Keys destroyed by this request (0 when an earlier erasure already had)' }),
  cases: arrayOf(
    objectSchema<ErasedCase>({
      caseId: string(),
      version: integer(),
      position: nullable(integer()),
      alreadyErased: boolean(),
    }),
  ),
  casesComplete: boolean({ description: 'False when the case list may miss a case logged moments ago (its data is unreadable all the same)' }),
});

type Rebuilding = NonNullable<ProjectionStatus['rebuilding']>;
const PROJECTION_STATUS = objectSchema<ProjectionStatus>({
  name: string({ example: 'manager_queue' }),
  generation: nullable(integer({ description: 'Generation the queries read' })),
  checkpoint: nullable(string()),
  position: nullable(integer({ description: 'Global position of the last event applied' })),
  lagEvents: integer(),
  lagSeconds: { type: 'number' },
  rebuilding: nullable(
    objectSchema<Rebuilding>({ generation: integer(), position: nullable(integer()), startedAt: dateTime() }, { description: 'A rebuild in progress or interrupted' }),
  ),
});

const HEALTH = {
  type: 'object',
  required: ['status', 'store', 'projections'],
  properties: {
    status: enumOf(['ok', 'degraded', 'down'], { description: 'degraded: a read model lags more than 60 s' }),
    store: {
      type: 'object',
      required: ['name', 'reachable', 'headPosition'],
      properties: {
        name: string({ example: 'postgres' }),
        reachable: boolean(),
        headPosition: nullable(integer()),
        error: string({ description: 'Why the store is unreachable' }),
      },
    },
    projections: arrayOf(ref('ProjectionStatus')),
    horizon: {
      type: 'object',
      additionalProperties: true,
      description: 'PostgreSQL only: heldEvents and heldSeconds (committed events readers cannot see yet), oldestTransaction (the transaction holding them), degraded',
    },
    kafka: {
      type: 'object',
      additionalProperties: true,
      description: "Where Kafka runs in this process: ready (the relay's consumer runs), relay and forwarder status",
    },
    leading: {
      type: 'object',
      required: ['projections'],
      properties: {
        projections: boolean({ description: 'This replica holds the projections lease and moves the read models' }),
        forwarder: boolean({ description: 'This replica holds the forwarder lease and publishes the event log (absent where the forwarder is off)' }),
      },
      description: 'The singleton work this replica leads now; every replica runs the same code and one leads each',
    },
  },
};

/** Response shapes written as schemas (typed against the code's own types), by component name. */
export const HTTP_SCHEMAS: Readonly<Record<string, Schema>> = {
  Problem: PROBLEM,
  FieldError: FIELD_ERROR,
  CaseEscalation: ESCALATION_VIEW,
  CaseView: CASE_VIEW,
  AppendedEvent: APPENDED,
  EvaluationCommandResponse: {
    type: 'object',
    required: [...Object.keys(COMMAND_PROPERTIES), 'evaluation', 'escalation'],
    properties: { ...COMMAND_PROPERTIES, evaluation: nullable(ref('Evaluation')), escalation: nullable(ref('Escalation')) },
  },
  DecisionCommandResponse: {
    type: 'object',
    required: [...Object.keys(COMMAND_PROPERTIES), 'decision'],
    properties: { ...COMMAND_PROPERTIES, decision: nullable(ref('Decision')) },
  },
  CommunicationCommandResponse: {
    type: 'object',
    required: [...Object.keys(COMMAND_PROPERTIES), 'message'],
    properties: {
      ...COMMAND_PROPERTIES,
      message: nullable(
        objectSchema<Message>(
          { channel: enumOf(NOTIFICATION_CHANNELS), locale: string(), subject: string(), body: string() },
          { description: "The message sent, in the customer's language" },
        ),
      ),
    },
  },
  EventDamage: DAMAGE,
  AuditedEvent: AUDITED_EVENT,
  AuditCaseEvents: objectSchema<{ caseId: string; events: AuditedEvent[] }>({ caseId: string(), events: arrayOf(ref('AuditedEvent'), { description: 'Oldest first' }) }),
  CaseStateAt: STATE_AT,
  ChainVerification: VERIFICATION,
  ExportedEvent: EXPORTED_EVENT,
  ErasureResult: ERASURE,
  RevisedLegalRules: {
    type: 'object',
    description: 'The legal rules in force after the revision, with the global position of LegalRulesRevised',
    required: ['version', 'rules', 'revisedAt', 'revisedBy', 'changeNote', 'position'],
    properties: {
      version: integer({ minimum: 1 }),
      rules: ref('LegalRules'),
      revisedAt: string({ format: 'date-time' }),
      revisedBy: string(),
      changeNote: string(),
      position: integer({ description: 'Global position of LegalRulesRevised' }),
    },
  },
  ProjectionStatus: PROJECTION_STATUS,
  Health: HEALTH,
};
