import { CASE_EVENT_TYPES, CaseEvent, CaseEventType, decidePolicy, PERSONAL_DATA_PATHS, POLICY_STREAM } from '@refund-desk/domain';
import { RecordedEvent } from '@refund-desk/event-store';
import { actors, commands, eventsFrom, events as fixtures, eur, NOW, outOfPolicyRequest, POLICY, policyInForce } from '@refund-desk/domain/testing';
import { caseEventErrors, schemaErrors } from '../testing';
import { caseEventMessage, caseEventValue } from './case-event-message';

const recorded = (overrides: Partial<RecordedEvent> & Pick<RecordedEvent, 'type' | 'data'>): RecordedEvent => ({
  eventId: '7a0c2f0e-3f4b-4d8e-9a51-0d3f1c2b4a10',
  streamId: 'refundCase-case_1',
  version: 3,
  position: 42,
  checkpoint: '900:42',
  schemaVersion: 1,
  metadata: {
    actor: 'agent_ann',
    occurredAt: '2026-10-01T10:00:00.000Z',
    correlationId: 'corr-1',
    causationId: 'req-1',
    customerId: 'cus_81',
    prevHash: 'a'.repeat(64),
    hash: 'b'.repeat(64),
  },
  recordedAt: '2026-10-01T10:00:00.010Z',
  ...overrides,
});

const requestLogged = {
  caseId: 'case_1',
  customer: { id: 'cus_81', name: 'Maria Rossi', email: 'maria@example.com', phone: '+39 055 0000', locale: 'it' },
  order: { id: 'ord_5521', purchasedAt: '2026-09-01T10:00:00.000Z', country: 'IT', paymentMethod: 'card' },
  product: { sku: 'KTL-200', name: 'Electric kettle', category: 'small-appliances', condition: 'used' },
  amount: { minor: 4990, currency: 'EUR' },
  reason: { code: 'defective', description: 'Stopped heating after 40 days' },
  requestedResolution: 'refund',
  channel: 'email',
  evidence: [],
  loggedAt: '2026-10-01T10:00:00.000Z',
  loggedBy: 'agent_ann',
};

/** An event of each type with every personal field filled in. */
function withPersonalFields(type: string): Record<string, unknown> {
  if (type === 'RequestLogged') return structuredClone(requestLogged);
  const data: Record<string, unknown> = { caseId: 'case_1' };
  for (const path of PERSONAL_DATA_PATHS[type as keyof typeof PERSONAL_DATA_PATHS]) {
    // Nested paths (an overturning verdict's decision) get their parent objects on the way.
    let node = data;
    for (const key of path.slice(0, -1)) node = (node[key] ??= {}) as Record<string, unknown>;
    node[path[path.length - 1]] = 'Maria Rossi said so';
  }
  return data;
}

describe('caseEventMessage', () => {
  it('keys a case event by its case id and names its id, type and schema version in headers', () => {
    const message = caseEventMessage(recorded({ type: 'NoteAdded', data: { caseId: 'case_1', text: 'hi' } }));
    expect(message.key).toBe('case_1');
    expect(message.headers).toEqual({
      'event-id': '7a0c2f0e-3f4b-4d8e-9a51-0d3f1c2b4a10',
      'event-type': 'NoteAdded',
      'schema-version': '1',
      'content-type': 'application/json',
      ce_id: '7a0c2f0e-3f4b-4d8e-9a51-0d3f1c2b4a10',
      ce_type: 'dev.refund-desk.NoteAdded.v1',
      ce_source: '/refund-desk',
      ce_specversion: '1.0',
      ce_time: '2026-10-01T10:00:00.000Z',
      ce_subject: 'case_1',
    });
    expect(JSON.parse(String(message.value))).toMatchObject({ caseId: 'case_1', version: 3, position: 42, occurredAt: '2026-10-01T10:00:00.000Z' });
  });

  it('leaves every personal field out, for every event type', () => {
    for (const type of CASE_EVENT_TYPES) {
      const text = String(caseEventMessage(recorded({ type, data: withPersonalFields(type) })).value);
      expect(text).not.toContain('Maria Rossi');
      expect(text).not.toContain('maria@example.com');
      expect(text).not.toContain('055 0000');
      expect(text).not.toContain('Stopped heating');
    }
  });

  it('keeps what is not personal, and matches the published schema', () => {
    const value = caseEventValue(recorded({ type: 'RequestLogged', version: 1, data: requestLogged }));
    expect(value.data).toMatchObject({ customer: { id: 'cus_81', name: null, email: null, phone: null, locale: 'it' }, amount: { minor: 4990 } });
    expect(schemaErrors('case-event.v1', value)).toBeNull();
    const leaked = { ...value, data: { ...value.data, customer: { ...(value.data.customer as object), name: 'Maria Rossi' } } };
    expect(schemaErrors('case-event.v1', leaked)).toContain('name');
  });

  it('names the event as a CloudEvent in the Kafka binding headers', () => {
    const message = caseEventMessage(recorded({ type: 'Decided', data: { caseId: 'case_1' } }));
    expect(message.headers).toMatchObject({
      ce_id: '7a0c2f0e-3f4b-4d8e-9a51-0d3f1c2b4a10',
      ce_type: 'dev.refund-desk.Decided.v1',
      ce_source: '/refund-desk',
      ce_specversion: '1.0',
      ce_time: '2026-10-01T10:00:00.000Z',
      ce_subject: 'case_1',
    });
    const policy = caseEventMessage(recorded({ streamId: POLICY_STREAM, type: 'PolicyRevised', data: {} }));
    expect(policy.headers).toMatchObject({ ce_subject: POLICY_STREAM, ce_type: 'dev.refund-desk.PolicyRevised.v1' });
  });

  it('passes metadata on by allow-list: no hash chain, nothing unknown', () => {
    const event = recorded({ type: 'Decided', data: { caseId: 'case_1' } });
    const value = caseEventValue({ ...event, metadata: { ...event.metadata, secretKeyId: 'k-1' } });
    expect(value.metadata).toEqual({ actor: 'agent_ann', correlationId: 'corr-1', causationId: 'req-1', customerId: 'cus_81' });
  });

  it('keys an event outside any case by its stream, with a null case id', () => {
    const message = caseEventMessage(recorded({ streamId: POLICY_STREAM, type: 'PolicyRevised', version: 2, data: { changeNote: 'x', rules: {} } }));
    expect(message.key).toBe(POLICY_STREAM);
    const value = JSON.parse(String(message.value));
    expect(value.caseId).toBeNull();
    expect(schemaErrors('case-event.v1', value)).toBeNull();
  });
});

describe('trace context on forwarded events', () => {
  const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
  const withMetadata = (extra: Record<string, unknown>): RecordedEvent => {
    const base = recorded({ type: 'RequestLogged', data: requestLogged });
    return { ...base, metadata: { ...base.metadata, ...extra } };
  };

  it('passes the stored traceparent and tracestate on as headers, not in the value', () => {
    const message = caseEventMessage(withMetadata({ traceparent, tracestate: 'rojo=1' }));
    expect(message.headers).toMatchObject({ traceparent, tracestate: 'rojo=1' });
    expect(JSON.parse(String(message.value)).metadata).not.toHaveProperty('traceparent');
  });

  it('sends no trace headers for an event recorded without one, or with a stored value that is not a traceparent', () => {
    expect(caseEventMessage(withMetadata({})).headers).not.toHaveProperty('traceparent');
    expect(caseEventMessage(withMetadata({ traceparent: 'junk', tracestate: 'rojo=1' })).headers).not.toHaveProperty('traceparent');
    expect(caseEventMessage(withMetadata({ traceparent, tracestate: 'Bad Key=1' })).headers).not.toHaveProperty('tracestate');
  });
});

/** A stored event of the log, as the forwarder reads it. */
const asRecorded = (event: { type: string; data: object }, index: number, streamId = 'refundCase-case-0001'): RecordedEvent =>
  recorded({ type: event.type, data: event.data as Record<string, unknown>, streamId, version: index + 1, position: 100 + index });

/** One event of each type, from the domain's own builders: a new type does not compile until it has one. */
const ONE_OF_EACH: { readonly [T in CaseEventType]: () => Extract<CaseEvent, { type: T }> } = {
  RequestLogged: () => fixtures.requestLogged(),
  NoteAdded: () => fixtures.noteAdded(),
  PolicyEvaluated: () => fixtures.policyEvaluated(),
  Escalated: () => fixtures.escalated(),
  CaseAssigned: () => fixtures.caseAssigned(),
  Decided: () => fixtures.decided(),
  CustomerNotified: () => fixtures.customerNotified(),
  RefundIssued: () => fixtures.refundIssued(),
  RefundSettled: () => fixtures.refundSettled(),
  RefundFailed: () => fixtures.refundFailed(),
  FollowedUp: () => fixtures.followedUp(),
  CaseClosed: () => fixtures.caseClosed(),
  CustomerDataErased: () => fixtures.customerDataErased(),
  DecisionApproved: () => fixtures.decisionApproved(),
  DecisionRejected: () => fixtures.decisionRejected(),
  DecisionAppealed: () => fixtures.decisionAppealed(),
  AppealDecided: () => fixtures.appealDecided(),
  DeadlineMissed: () => fixtures.deadlineMissed(),
};

describe('forwarded events against the AsyncAPI document', () => {
  const expectValid = (message: ReturnType<typeof caseEventMessage>): void => {
    const value = JSON.parse(String(message.value));
    expect({ type: value.type, errors: caseEventErrors(value, message.headers as Record<string, unknown>) }).toEqual({ type: value.type, errors: null });
  };

  it('validates an event of every type against the payload schema of its type', () => {
    for (const type of CASE_EVENT_TYPES) expectValid(caseEventMessage(asRecorded(ONE_OF_EACH[type](), 0)));
  });

  it('validates every event of a whole case, as decide produced them, and of a policy revision', () => {
    const produced = eventsFrom(
      commands.logRequest({ request: outOfPolicyRequest() }),
      commands.addNote(),
      commands.evaluateCase(),
      commands.assignCase(),
      commands.decideCase({ actor: actors.manager, outcome: 'partial_refund', amount: eur(2500), legalBasis: 'Goodwill', alternativesOffered: ['store_credit'] }),
      commands.notifyCustomer(),
      commands.recordRefundExecution({ status: 'issued', amount: eur(2500), reference: 'pay-1' }),
      commands.recordRefundExecution({ status: 'failed', amount: eur(2500), reference: 'pay-1', failureReason: 'card expired' }),
      commands.recordRefundExecution({ status: 'issued', amount: eur(2500), reference: 'pay-2' }),
      commands.recordRefundExecution({ status: 'settled', amount: eur(2500), reference: 'pay-2' }),
      commands.recordFollowUp(),
      commands.closeCase(),
      commands.eraseCustomerData(),
    );
    // Review: a denial appealed, overturned above the four-eyes threshold, rejected, overturned again and approved; a deadline missed.
    const strict = policyInForce({ fourEyesThreshold: { EUR: 1_000 } });
    const overturn = commands.decideAppeal({
      actor: actors.secondManager,
      verdict: 'overturned',
      rationale: 'Faulty from the start',
      decision: { outcome: 'partial_refund', amount: eur(2500), legalBasis: null, alternativesOffered: [] },
      policy: strict,
    });
    const review = [
      commands.logRequest({ request: outOfPolicyRequest() }),
      commands.evaluateCase(),
      commands.decideCase({ actor: actors.manager, outcome: 'denied', amount: null, rationale: 'Used, far outside the window' }),
      commands.appealDecision(),
      overturn,
      commands.rejectDecision(),
      overturn,
      commands.approveDecision(),
    ];
    const verdict = eventsFrom(...review).findLast((e) => e.type === 'AppealDecided');
    const followUpDueAt = verdict?.type === 'AppealDecided' && verdict.data.decision ? verdict.data.decision.followUpDueAt : 'none';
    const reviewed = eventsFrom(...review, commands.recordDeadlineMissed({ deadline: 'follow_up', dueAt: followUpDueAt, now: new Date(Date.parse(followUpDueAt) + 1) }));
    expect(new Set([...produced, ...reviewed].map((e) => e.type))).toEqual(new Set(CASE_EVENT_TYPES));
    [...produced, ...reviewed].forEach((event, index) => expectValid(caseEventMessage(asRecorded(event, index))));
    const [revised] = decidePolicy({ type: 'RevisePolicy', rules: POLICY.rules, changeNote: 'Longer windows', actor: actors.admin, now: NOW }, { status: 'none' });
    expectValid(caseEventMessage(asRecorded(revised, 0, POLICY_STREAM)));
  });

  it('refuses an event whose data does not match its type, or names a field the document does not', () => {
    const decided = caseEventValue(asRecorded(fixtures.decided(), 3));
    expect(caseEventErrors({ ...decided, data: { ...decided.data, outcome: 'maybe' } })).toContain('outcome');
    expect(caseEventErrors({ ...decided, data: { ...decided.data, surprise: 1 } })).toContain('additional');
    expect(caseEventErrors({ ...decided, type: 'Unheard' })).toContain('Unheard');
  });
});
