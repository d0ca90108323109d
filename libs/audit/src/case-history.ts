import { assertNever, CaseEvent, CaseState, evolve, initialCaseState, isCaseEventType, knownCaseEventType } from '@refund-desk/domain';
import { EventDamage, RecordedEvent } from '@refund-desk/event-store';

export interface AuditedEvent {
  readonly position: number;
  readonly version: number;
  readonly eventId: string;
  readonly type: string;
  readonly schemaVersion: number;
  readonly data: Record<string, unknown>;
  readonly actor: string;
  readonly occurredAt: string;
  readonly recordedAt: string;
  readonly correlationId: string;
  readonly causationId: string | null;
  readonly prevHash: string;
  readonly hash: string;
  /** Only on an event that could not be fully read: which sealed fields did not open (they are null). */
  readonly damage?: EventDamage;
}

export const toAuditedEvent = (event: RecordedEvent): AuditedEvent => ({
  position: event.position,
  version: event.version,
  eventId: event.eventId,
  type: event.type,
  schemaVersion: event.schemaVersion,
  data: event.data,
  actor: event.metadata.actor,
  occurredAt: event.metadata.occurredAt,
  recordedAt: event.recordedAt,
  correlationId: event.metadata.correlationId,
  causationId: event.metadata.causationId,
  prevHash: event.metadata.prevHash,
  hash: event.metadata.hash,
  ...(event.damage ? { damage: event.damage } : {}),
});

/** The state after each event: the raw material of the readable history report. */
export function statesAfterEachEvent(events: readonly RecordedEvent[]): Array<{ event: RecordedEvent; state: CaseState }> {
  let state = initialCaseState();
  return events.map((event) => {
    if (isCaseEventType(event.type)) state = evolve(state, { type: event.type, data: event.data } as CaseEvent);
    return { event, state };
  });
}

const money = (value: unknown): string => {
  const m = value as { minor?: number; currency?: string } | null;
  return m && typeof m.minor === 'number' ? `${m.minor} ${m.currency} (minor units)` : '—';
};

/** One line a fact, in words an auditor reads without the schema at hand. */
export function describeEvent(event: RecordedEvent): string {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- stored data of any version, read only to be described
  const d = event.data as Record<string, any>;
  const type = knownCaseEventType(event.type);
  switch (type) {
    case 'RequestLogged':
      return `request logged via ${d.channel}: ${d.product?.name} (${d.product?.category}, ${d.product?.condition}), paid ${money(d.amount)}, reason ${d.reason?.code}, wants ${d.requestedResolution}`;
    case 'NoteAdded':
      return `note added (${(d.evidence ?? []).length} evidence item(s))`;
    case 'PolicyEvaluated':
      return `evaluated under policy v${d.policyVersion}: ${d.withinPolicy ? 'within policy' : 'outside policy'}, needs ${d.requiredAuthority}, recommends ${d.recommendation?.resolution}; failed rules: ${(d.findings ?? []).filter((f: { result: string }) => f.result === 'fail').map((f: { rule: string }) => f.rule).join(', ') || 'none'}`;
    case 'Escalated':
      return `escalated (${d.automatic ? 'automatically' : 'by hand'}) at ${d.priority} priority, due ${d.slaDueAt}: ${d.reason}`;
    case 'CaseAssigned':
      return `assigned to ${d.assignee}`;
    case 'Decided':
      return `decided ${d.outcome}${d.amount ? ` for ${money(d.amount)}` : ''} with ${d.authority?.level} authority (policy v${d.authority?.policyVersion})${d.slaBreached ? ', after the SLA deadline' : ''}: ${d.rationale}`;
    case 'CustomerNotified':
      return `customer told by ${d.channel} in ${d.locale}`;
    case 'RefundIssued':
      return `refund issued: ${money(d.amount)} by ${d.method}, reference ${d.reference}`;
    case 'RefundSettled':
      return `refund settled: ${money(d.amount)}, reference ${d.reference}`;
    case 'RefundFailed':
      return `refund failed: ${money(d.amount)}, reference ${d.reference}: ${d.failureReason}`;
    case 'FollowedUp':
      return `follow-up: satisfaction ${d.satisfaction}/5 via ${d.channel}`;
    case 'CaseClosed':
      return `closed: ${d.summary}`;
    case 'CustomerDataErased':
      return `customer ${d.customerId}'s personal data erased`;
    case 'DecisionApproved':
      return `decision by ${d.decidedBy} approved by ${d.approvedBy} (four eyes)${d.note ? `: ${d.note}` : ''}`;
    case 'DecisionRejected':
      return `decision by ${d.decidedBy} rejected by ${d.rejectedBy} (four eyes), the case waits for a new decision: ${d.reason}`;
    case 'DecisionAppealed':
      return `decision by ${d.firstDecidedBy} appealed (${(d.evidence ?? []).length} evidence item(s)), needs ${d.requiredAuthority} other than the first decider, due ${d.slaDueAt}: ${d.reason}`;
    case 'AppealDecided':
      return `appeal ${d.verdict} with ${d.authority?.level} authority${d.decision ? `, new decision ${d.decision.outcome}${d.decision.amount ? ` for ${money(d.decision.amount)}` : ''}` : ''}${d.slaBreached ? ', after the SLA deadline' : ''}: ${d.rationale}`;
    case 'DeadlineMissed':
      return `deadline missed: ${d.deadline} due ${d.dueAt}${d.raisedTo ? `; moved up to ${d.raisedTo.priority} priority, needs ${d.raisedTo.requiredAuthority}` : ''}`;
    case null:
      return `${event.type} (unknown to this version)`;
    default:
      return assertNever(type, 'case event type');
  }
}

/** The readable report: every fact with who, when, its hash, and the status it left the case in. */
export function renderCaseHistoryText(caseId: string, events: readonly RecordedEvent[]): string {
  const lines = [`Case ${caseId}: ${events.length} event(s)`, ''];
  for (const { event, state } of statesAfterEachEvent(events)) {
    lines.push(`v${event.version}  #${event.position}  ${event.recordedAt}  ${event.type} by ${event.metadata.actor}`);
    lines.push(`    ${describeEvent(event)}`);
    if (event.damage) lines.push(`    !! damaged: ${event.damage.detail}`);
    lines.push(`    → status ${state.status}; hash ${event.metadata.hash.slice(0, 16)}…`);
  }
  return lines.join('\n');
}
