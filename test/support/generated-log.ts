/**
 * A realistic, deterministic event log for the read-model suites and benchmarks: cases run
 * through the domain's own decide() (so every event is one the service could have written),
 * with a seeded random mix of channels, reasons, products, outcomes and timings.
 */
import { randomUUID } from 'node:crypto';
import {
  Actor,
  CaseCommand,
  CaseEvent,
  caseStreamName,
  CaseState,
  CHANNELS,
  decide,
  DEFAULT_POLICY_RULES,
  evolve,
  initialCaseState,
  MONEY_BACK_OUTCOMES,
  Outcome,
  POLICY_STREAM,
  PolicyInForce,
  PolicyRules,
  RefundRequest,
} from '@refund-desk/domain';
import { EventStoreOperations, NewEvent } from '@refund-desk/event-store';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** mulberry32: small, fast and the same on every machine. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export interface GeneratedStream {
  readonly streamId: string;
  readonly events: NewEvent[];
}

export interface GeneratedCase {
  readonly caseId: string;
  readonly customerId: string;
  /** The domain events in order, with the time each was recorded. */
  readonly events: ReadonlyArray<{ readonly event: CaseEvent; readonly at: Date }>;
}

export interface GeneratedLog {
  readonly cases: GeneratedCase[];
  readonly policies: ReadonlyArray<{ readonly version: number; readonly rules: PolicyRules; readonly at: Date; readonly note: string }>;
  /** Streams to append, oldest first: the policy revisions, then the cases. */
  readonly streams: GeneratedStream[];
  readonly eventCount: number;
}

export interface GenerateOptions {
  readonly cases: number;
  readonly seed?: number;
  /** Requests are logged from `start` over `days` days. */
  readonly start?: Date;
  readonly days?: number;
  /** Distinct customers; fewer than cases makes repeat requesters. */
  readonly customers?: number;
  /** Set apart the customers of different seeds (a log built from many seeds, as the scale bench does). */
  readonly customerPrefix?: string;
}

const PRODUCTS = [
  { sku: 'KTL-200', name: 'Electric kettle', category: 'small-appliances' },
  { sku: 'TV-55', name: 'Television', category: 'electronics' },
  { sku: 'PH-12', name: 'Phone', category: 'electronics' },
  { sku: 'TS-1', name: 'T-shirt', category: 'clothing' },
  { sku: 'SOFA-3', name: 'Sofa', category: 'furniture' },
  { sku: 'GC-50', name: 'Gift card', category: 'gift-cards' },
];
const REASONS = ['defective', 'changed_mind', 'not_as_described', 'damaged_in_transit', 'safety_hazard'];
const CONDITIONS = ['new', 'used', 'unopened', 'damaged'];
const CURRENCIES = ['EUR', 'EUR', 'EUR', 'USD', 'GBP'];
const COUNTRIES = ['IT', 'US', 'US', 'GB', 'BR'];
const OUTCOMES: Outcome[] = ['refund', 'partial_refund', 'store_credit', 'exchange', 'repair', 'denied', 'denied'];

const pick = <T>(random: () => number, list: readonly T[]): T => list[Math.floor(random() * list.length)];

const system: Actor = { id: 'generator', roles: ['agent', 'senior_manager', 'service'] };
/** Decides appeals: someone other than the first decider. */
const reviewer: Actor = { id: 'reviewer', roles: ['senior_manager'] };

export function generateLog(options: GenerateOptions): GeneratedLog {
  const random = seededRandom(options.seed ?? 1);
  // Appeals draw from a sequence of their own, so that every other fact of a seed stays as it was before appeals.
  const appealRandom = seededRandom((options.seed ?? 1) + 0x5eed);
  const start = options.start ?? new Date('2026-01-05T00:00:00.000Z');
  const days = options.days ?? 120;
  const customers = options.customers ?? Math.max(1, Math.floor(options.cases * 0.7));
  const revised: PolicyRules = {
    ...DEFAULT_POLICY_RULES,
    returnWindowDays: { ...DEFAULT_POLICY_RULES.returnWindowDays, byCategory: { ...DEFAULT_POLICY_RULES.returnWindowDays.byCategory, electronics: 21 } },
  };
  const policies = [
    { version: 1, rules: DEFAULT_POLICY_RULES, at: new Date(start.getTime() - DAY), note: 'Initial policy' },
    { version: 2, rules: revised, at: new Date(start.getTime() + (days / 2) * DAY), note: 'Electronics window 14 → 21 days' },
  ];
  const policyAt = (at: Date): PolicyInForce => {
    const p = at >= policies[1].at ? policies[1] : policies[0];
    return { version: p.version, rules: p.rules, revisedAt: p.at.toISOString(), revisedBy: 'sofia', changeNote: p.note };
  };
  const streams: GeneratedStream[] = [
    {
      streamId: POLICY_STREAM,
      events: policies.map((p) => ({
        eventId: randomUUID(),
        type: 'PolicyRevised',
        data: { rules: p.rules, changeNote: p.note, revisedBy: 'sofia', revisedAt: p.at.toISOString() },
        metadata: { actor: 'sofia', occurredAt: p.at.toISOString(), correlationId: randomUUID(), causationId: null },
      })),
    },
  ];
  const cases: GeneratedCase[] = [];
  let eventCount = policies.length;

  for (let i = 0; i < options.cases; i++) {
    const caseId = `gen-${options.seed ?? 1}-${i}`;
    const customerId = `cus_${options.customerPrefix ?? ''}${Math.floor(random() * customers)}`;
    const loggedAt = new Date(start.getTime() + Math.floor(random() * days * DAY));
    const product = pick(random, PRODUCTS);
    const currency = pick(random, CURRENCIES);
    const request: RefundRequest = {
      customer: { id: customerId, name: `Customer ${customerId}`, email: `${customerId}@example.com`, locale: 'en' },
      order: { id: `ord_${i}`, purchasedAt: new Date(loggedAt.getTime() - Math.floor(random() * 50) * DAY - HOUR).toISOString(), country: pick(random, COUNTRIES), paymentMethod: 'card' },
      product: { ...product, condition: pick(random, CONDITIONS) },
      amount: { minor: 500 + Math.floor(random() * 60_000), currency },
      reason: { code: pick(random, REASONS), description: 'In the customer’s words' },
      requestedResolution: 'refund',
      channel: pick(random, CHANNELS),
      evidence: [],
    };
    let state: CaseState = initialCaseState();
    let at = loggedAt;
    const produced: Array<{ event: CaseEvent; at: Date }> = [];
    const run = (command: CaseCommand): void => {
      for (const event of decide(command, state)) {
        produced.push({ event, at: command.now });
        state = evolve(state, event);
      }
    };
    const later = (maxHours: number): Date => (at = new Date(at.getTime() + HOUR + Math.floor(random() * maxHours * HOUR)));
    /** A denial appealed within days, and most appeals decided by a second manager: upheld, or overturned to store credit. */
    const appeal = (draw: () => number): void => {
      at = new Date(at.getTime() + HOUR + Math.floor(draw() * 48) * HOUR);
      run({ type: 'AppealDecision', reason: 'The customer disagrees', evidence: [], policy: policyAt(at), actor: system, now: at });
      if (draw() < 0.2) return;
      at = new Date(at.getTime() + HOUR + Math.floor(draw() * 72) * HOUR);
      const overturned = draw() < 0.4;
      const decision = overturned ? { outcome: 'store_credit' as const, amount: null, legalBasis: null, alternativesOffered: [] } : null;
      run({ type: 'DecideAppeal', verdict: overturned ? 'overturned' : 'upheld', rationale: 'Reviewed', decision, policy: policyAt(at), actor: reviewer, now: at });
    };
    run({ type: 'LogRequest', caseId, request, actor: system, now: at });
    if (random() < 0.2) run({ type: 'AddNote', noteId: `note-${i}`, text: 'Called the customer back', evidence: [], actor: system, now: later(4) });
    const roll = random();
    if (roll > 0.05) {
      const policy = policyAt(later(6));
      run({ type: 'EvaluateCase', policy, history: { earlierCases: 0, earlierRefunds: 0, lookbackDays: 365, complete: true }, actor: system, now: at });
      if (state.status === 'evaluated' && random() < 0.1) {
        run({ type: 'EscalateCase', reason: 'Customer insists', priority: pick(random, ['low', 'normal', 'high', 'urgent'] as const), policy, actor: system, now: later(2) });
      }
      if (roll > 0.15) {
        const outcome = pick(random, OUTCOMES);
        const paid = request.amount;
        const amount = outcome === 'partial_refund' ? { minor: Math.max(1, Math.floor(paid.minor / 2)), currency } : null;
        run({ type: 'DecideCase', outcome, amount, rationale: 'Generated', legalBasis: null, alternativesOffered: [], policy: policyAt(later(72)), actor: system, now: at });
        if (MONEY_BACK_OUTCOMES.includes(outcome) && random() < 0.8) {
          const refunded = outcome === 'partial_refund' ? amount! : paid;
          run({ type: 'RecordRefundExecution', status: 'issued', method: 'card', amount: refunded, reference: `pay_${i}`, failureReason: null, actor: system, now: later(24) });
          if (random() < 0.9) run({ type: 'RecordRefundExecution', status: 'settled', method: 'card', amount: refunded, reference: `pay_${i}`, failureReason: null, actor: system, now: later(120) });
        }
        if (random() < 0.6) {
          run({ type: 'RecordFollowUp', satisfaction: (1 + Math.floor(random() * 5)) as 1 | 2 | 3 | 4 | 5, comment: 'fine', channel: 'survey', actor: system, now: later(24 * 9) });
        }
        if (state.status === 'decided' && state.decision.outcome === 'denied' && appealRandom() < 0.4) appeal(appealRandom);
        const inFlight = state.status === 'decided' && state.refund.status === 'issued';
        if (!inFlight && random() < 0.5) {
          // An appeal waiting for its verdict keeps the case open; the draws are made anyway, to keep the sequence.
          const now = later(24);
          const appealWaiting = state.status === 'decided' && state.appeal !== null && state.appeal.verdict === null;
          if (!appealWaiting) run({ type: 'CloseCase', summary: 'Done', actor: system, now });
        }
      }
    }
    cases.push({ caseId, customerId, events: produced });
    streams.push({
      streamId: caseStreamName(caseId),
      events: produced.map(({ event, at: when }) => ({
        eventId: randomUUID(),
        type: event.type,
        data: event.data as unknown as Record<string, unknown>,
        metadata: { actor: system.id, occurredAt: when.toISOString(), correlationId: randomUUID(), causationId: null, customerId },
      })),
    });
    eventCount += produced.length;
  }
  return { cases, policies, streams, eventCount };
}

/** Appends the generated streams, each in one append, a few at a time. */
export async function appendLog(store: EventStoreOperations, log: GeneratedLog, concurrency = 4, onProgress?: (events: number) => void): Promise<void> {
  const [policy, ...cases] = log.streams;
  await store.append(policy.streamId, policy.events, { expectedVersion: 'any' });
  let next = 0;
  let written = policy.events.length;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < cases.length) {
        const stream = cases[next++];
        await store.append(stream.streamId, stream.events, { expectedVersion: 0 });
        written += stream.events.length;
        onProgress?.(written);
      }
    }),
  );
}
