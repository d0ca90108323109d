import { Injectable } from '@nestjs/common';
import {
  CASE_EVENT_SCHEMA_VERSION,
  CaseEvent,
  CaseNotFoundError,
  caseStreamName,
  CaseState,
  evolve,
  ExistingCase,
  initialCaseState,
  isCaseEventType,
} from '@refund-desk/domain';
import { ReadStreamOptions, RecordedEvent } from '@refund-desk/event-store';
import { CommandContext } from './command-context';
import { AppendedEvent, Decide, foldStream, HandleOptions, LoadedStream, RetryPolicy, StreamCommandHandler, StreamType } from './stream-command-handler';

export type LoadedCase = LoadedStream<CaseState>;

export interface CaseCommandResult {
  readonly caseId: string;
  readonly version: number;
  readonly state: ExistingCase;
  /** Global position of the last event appended: pass it as minPosition to read your own write. */
  readonly position: number | null;
  readonly events: readonly AppendedEvent[];
  /** True when the events were already recorded (a retried request): nothing new was written. */
  readonly duplicate: boolean;
}

export type DecideFn = Decide<CaseState, CaseEvent>;

const customerOf = (state: CaseState, event: CaseEvent): string | null =>
  state.status !== 'none' ? state.request.customer.id : event.type === 'RequestLogged' ? event.data.customer.id : null;

/** A refund case's stream: one per case, folded with the domain's evolve. */
export const CASE_STREAM: StreamType<CaseState, CaseEvent> = {
  streamName: caseStreamName,
  initialState: initialCaseState,
  evolve,
  // Stored data is the domain's own JSON; its type names which event it is.
  toEvent: (recorded) => (isCaseEventType(recorded.type) ? ({ type: recorded.type, data: recorded.data } as CaseEvent) : undefined),
  exists: (state) => state.status !== 'none',
  notFound: (caseId) => new CaseNotFoundError(caseId),
  schemaVersion: CASE_EVENT_SCHEMA_VERSION,
  // Lets consumers group by customer, and picks the customer's key for personal data.
  metadata: (state, event) => ({ customerId: customerOf(state, event) }),
};

/** Folds the stored events of a case; types this code does not know are skipped, never fatal. */
export const foldRecorded = (events: readonly RecordedEvent[]): CaseState => foldStream(CASE_STREAM, events);

/**
 * Each lost race means another command's append to the case succeeded in between, so a note
 * fails only when 49 other appends land on its case while it retries (with 32 writers on a case,
 * at most 31 can). The jittered pause spreads the retries of many writers.
 */
const COMMUTING: RetryPolicy = {
  attempts: 50,
  pause: (attempt) => new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(2 ** attempt, 50))),
};

export interface ExecuteOptions extends Omit<HandleOptions, 'retry' | 'freshStream'> {
  /** The case id was minted for this command, so its stream cannot exist yet (see HandleOptions.freshStream). */
  readonly freshId?: boolean;
  /**
   * What the command records depends only on the case existing and being open, not on what other
   * commands appended (a note): losing a race to another append changes nothing it decides, so
   * without If-Match it is re-decided on fresh state up to COMMUTING.attempts times, not 3.
   */
  readonly commutes?: boolean;
}

/** The command path (StreamCommandHandler) for refund cases, answering with the case id and the case. */
@Injectable()
export class CaseRepository {
  constructor(private readonly streams: StreamCommandHandler) {}

  load(caseId: string, options?: ReadStreamOptions): Promise<LoadedCase> {
    return this.streams.load(CASE_STREAM, caseId, options);
  }

  async execute(
    command: string,
    caseId: string,
    context: CommandContext,
    decide: DecideFn,
    { freshId, commutes, ...options }: ExecuteOptions = {},
  ): Promise<CaseCommandResult> {
    const result = await this.streams.handle(command, CASE_STREAM, caseId, context, decide, {
      ...options,
      freshStream: freshId,
      retry: commutes ? COMMUTING : undefined,
    });
    // Only a command that creates may meet no case, and it records the request.
    if (result.state.status === 'none') throw new CaseNotFoundError(caseId);
    return { caseId, ...result, state: result.state };
  }
}
