import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { CaseView, foldRecorded, PolicyService, toCaseView } from '@refund-desk/case-handling';
import { plaintextPersonalFields } from '@refund-desk/data-protection';
import { CaseNotFoundError, caseStreamName, InvalidCommandError } from '@refund-desk/domain';
import { EventStore, InvalidCheckpointError, LogCheckpoint, RecordedEvent, SealedEventLog } from '@refund-desk/event-store';
import { Clock } from '@refund-desk/platform';
import { AuditedEvent, toAuditedEvent } from './case-history';
import { ChainVerification, ChainVerifier, verifyChain } from './chain-verification';

export interface CaseStateAt {
  readonly caseId: string;
  /** The moment the state is shown for: the asked time, or when the asked version was recorded. */
  readonly asOf: string;
  readonly version: number;
  /** The policy version in force at that moment (evaluations name their own in `state.evaluation`). */
  readonly policyVersionInForce: number | null;
  readonly state: CaseView;
}

/** One line of the export: the event with its position, checkpoint and metadata. */
export type ExportedEvent = RecordedEvent;

export interface LogVerification {
  readonly streams: number;
  readonly events: number;
  readonly valid: boolean;
  readonly broken: ReadonlyArray<{ readonly streamId: string } & NonNullable<ChainVerification['brokenAt']>>;
  /** The last hash of every intact stream: publish these outside the database. */
  readonly heads: ReadonlyArray<{ readonly streamId: string; readonly version: number; readonly hash: string }>;
  /** SHA-256 over all heads (sorted by stream): one value to keep, sign or timestamp elsewhere. */
  readonly digest: string;
  /** Events per hash rule; rule 1 events were hashed before the recorded time was covered. */
  readonly hashVersions: Readonly<Record<string, number>>;
  /**
   * Personal fields stored in the clear: written before those fields were sealed. Erasure cannot
   * remove them (the log is append-only); by event type and field.
   */
  readonly plaintextPersonalFields: Readonly<Record<string, number>>;
  readonly verifiedAt: string;
}

/**
 * What auditors need: every fact of a case with its metadata, the state as it was at any time or
 * version, the chain recomputed from the stored form, and the whole log for export.
 */
@Injectable()
export class AuditService {
  constructor(
    private readonly store: EventStore,
    private readonly log: SealedEventLog,
    private readonly policies: PolicyService,
    private readonly clock: Clock,
  ) {}

  async caseEvents(caseId: string): Promise<AuditedEvent[]> {
    // Marked, not refused: an auditor looking at a damaged case needs to see the rest of it.
    const events = await this.store.readStream(caseStreamName(caseId), { integrity: 'mark' });
    if (events.length === 0) throw new CaseNotFoundError(caseId);
    return events.map(toAuditedEvent);
  }

  /** Recomputes the chain over the events exactly as stored (personal fields still sealed). */
  async verifyCase(caseId: string): Promise<ChainVerification> {
    const events = await this.log.readStream(caseStreamName(caseId));
    if (events.length === 0) throw new CaseNotFoundError(caseId);
    const verification = verifyChain(events, { compareCheckpoints: (a, b) => this.log.compareCheckpoints(a, b) });
    if (!verification.valid) return verification;
    // The chain holds; a sealed field can still fail to open (its bytes are covered, but a key
    // id that names no key issued, or a store that lost a key, is only seen by opening it).
    const unreadable = (await this.store.readStream(caseStreamName(caseId), { integrity: 'mark' })).find((event) => event.damage);
    if (!unreadable) return verification;
    const { version, position, eventId, type } = unreadable;
    return {
      valid: false,
      events: verification.events,
      brokenAt: { version, position, eventId, type, reason: 'unreadable_personal_data', fields: unreadable.damage?.fields ?? [] },
      headHash: null,
      hashVersions: verification.hashVersions,
    };
  }

  async stateAt(caseId: string, at: { asOf?: Date; version?: number }): Promise<CaseStateAt> {
    // Verified before it is cut at the version or time, so a moved recorded time cannot pass as an
    // earlier state, and a damaged event is named rather than folded in.
    const events = await this.store.readStream(caseStreamName(caseId), { toVersion: at.version, recordedUpTo: at.asOf, integrity: 'verify' });
    if (events.length === 0) {
      const exists = (await this.store.readStream(caseStreamName(caseId), { toVersion: 1 })).length > 0;
      if (!exists) throw new CaseNotFoundError(caseId);
      throw new InvalidCommandError(`the case did not exist yet at ${at.asOf?.toISOString()}`, 'asOf');
    }
    const last = events[events.length - 1];
    if (at.version !== undefined && last.version < at.version) {
      throw new InvalidCommandError(`the case has ${last.version} version(s), not ${at.version}`, 'version');
    }
    const asOf = at.asOf ?? new Date(last.recordedAt);
    const state = foldRecorded(events);
    if (state.status === 'none') throw new CaseNotFoundError(caseId);
    return {
      caseId,
      asOf: asOf.toISOString(),
      version: last.version,
      policyVersionInForce: await this.policies.versionAt(asOf),
      state: toCaseView(state, last.version, asOf),
    };
  }

  /** The global log after a checkpoint, a page at a time: memory stays flat whatever its length. */
  async *exportLog(options: { after: LogCheckpoint | null; form: 'readable' | 'stored'; limit?: number }): AsyncGenerator<ExportedEvent> {
    const source = options.form === 'stored' ? this.log : this.store;
    if (options.after !== null) {
      try {
        source.compareCheckpoints(options.after, null);
      } catch (error) {
        if (error instanceof InvalidCheckpointError) throw new InvalidCommandError(error.message, 'after');
        throw error;
      }
    }
    let checkpoint = options.after;
    let left = options.limit ?? Number.POSITIVE_INFINITY;
    while (left > 0) {
      const page = await source.readAll({ after: checkpoint, limit: Math.min(500, left) });
      // The stored form keeps the store's own occurred_at copy (an offline verifier checks it too).
      yield* options.form === 'stored' ? page.events : page.events.map(({ storedOccurredAt: _column, ...event }) => event);
      left -= page.events.length;
      if (page.events.length === 0) return;
      checkpoint = page.events[page.events.length - 1].checkpoint;
    }
  }

  /** Resolves an export's resume point; a position must be one the log has (safely) recorded. */
  async checkpointOf(position: number): Promise<LogCheckpoint | null> {
    if (position === 0) return null;
    const checkpoint = await this.log.checkpointAt(position);
    if (checkpoint === null) throw new InvalidCommandError(`no event at position ${position} (yet)`, 'fromPosition');
    return checkpoint;
  }

  /** Verifies every stream of the store in one pass over the log, reporting progress as it goes. */
  async verifyAll(onProgress?: (events: number, streams: number) => void): Promise<LogVerification> {
    const verifiers = new Map<string, ChainVerifier>();
    const plaintext: Record<string, number> = {};
    const compareCheckpoints = (a: LogCheckpoint | null, b: LogCheckpoint | null) => this.log.compareCheckpoints(a, b);
    let checkpoint: LogCheckpoint | null = null;
    let events = 0;
    for (;;) {
      const page = await this.log.readAll({ after: checkpoint, limit: 1_000 });
      for (const event of page.events) {
        let verifier = verifiers.get(event.streamId);
        if (!verifier) verifiers.set(event.streamId, (verifier = new ChainVerifier({ compareCheckpoints })));
        verifier.next(event);
        for (const field of plaintextPersonalFields(event)) {
          const key = `${event.type}.${field}`;
          plaintext[key] = (plaintext[key] ?? 0) + 1;
        }
      }
      events += page.events.length;
      onProgress?.(events, verifiers.size);
      if (page.events.length < 1_000) break;
      checkpoint = page.events[page.events.length - 1].checkpoint;
    }
    const broken: Array<LogVerification['broken'][number]> = [];
    const heads: Array<LogVerification['heads'][number]> = [];
    const hashVersions: Record<string, number> = {};
    for (const [streamId, verifier] of [...verifiers.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const result = verifier.result();
      for (const [rule, count] of Object.entries(result.hashVersions)) hashVersions[rule] = (hashVersions[rule] ?? 0) + count;
      if (result.brokenAt) broken.push({ streamId, ...result.brokenAt });
      else heads.push({ streamId, version: result.events, hash: result.headHash! });
    }
    const digest = createHash('sha256');
    for (const head of heads) digest.update(`${head.streamId}\n${head.version}\n${head.hash}\n`);
    return {
      streams: verifiers.size,
      events,
      valid: broken.length === 0,
      broken,
      heads,
      digest: digest.digest('hex'),
      hashVersions,
      plaintextPersonalFields: plaintext,
      verifiedAt: this.clock.now().toISOString(),
    };
  }
}

