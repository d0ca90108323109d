import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { CommandContext, deterministicId, RecordDeadlineMissedCommand } from '@refund-desk/case-handling';
import { Lease, LEASE_MIGRATIONS, Leases, migrate, SQL_DATABASE, SqlDatabase } from '@refund-desk/database';
import { Actor, Deadline, DomainError } from '@refund-desk/domain';
import { DueDeadlinesQuery } from '@refund-desk/read-models';
import { AppConfig, Clock, Metrics } from '@refund-desk/platform';

/** Who records a missed deadline: the system itself, under a service role. */
export const SCHEDULER_ACTOR: Actor = { id: 'deadline-scheduler', roles: ['service'] };
export const SCHEDULER_LEASE = 'deadline-scheduler';

export interface DueDeadline {
  readonly caseId: string;
  readonly deadline: Deadline;
  readonly dueAt: string;
}

/** What the scheduler reads: the due deadlines read model (an interface so a spec can hand in a list). */
export interface DueDeadlineSource {
  due(now: Date, limit: number): Promise<readonly DueDeadline[]>;
}

export interface TickResult {
  /** False when another replica holds the lease: nothing was scanned. */
  readonly leader: boolean;
  readonly checked: number;
  readonly recorded: number;
  /** Deadlines the domain refused to record (met meanwhile, not due, already recorded). */
  readonly unchanged: number;
  readonly failed: number;
}

@Injectable()
export class DeadlineScheduler implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy, BeforeApplicationShutdown {
  private readonly logger = new Logger('DeadlineScheduler');
  private readonly holder = `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  private readonly leases: Leases;
  private lease: Lease | null = null;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<TickResult> | undefined;
  private stopped = false;
  private stopping?: Promise<void>;

  constructor(
    @Inject(SQL_DATABASE) private readonly db: SqlDatabase,
    @Inject(DueDeadlinesQuery) private readonly deadlines: DueDeadlineSource,
    private readonly commands: CommandBus,
    private readonly clock: Clock,
    private readonly config: AppConfig,
    private readonly metrics: Metrics,
  ) {
    this.leases = new Leases(db);
  }

  async onModuleInit(): Promise<void> {
    await migrate(this.db, 'leases', LEASE_MIGRATIONS);
  }

  onApplicationBootstrap(): void {
    if (!this.config.DEADLINE_SCHEDULER_ENABLED) return;
    this.schedule(0);
    this.logger.log(`checking deadlines every ${this.config.DEADLINE_SCHEDULER_INTERVAL_MS} ms as ${this.holder}`);
  }

  /**
   * Hands over as soon as shutdown begins: on application shutdown (after the HTTP server had
   * drained) another replica waited up to 7 s under load for the lease.
   */
  onModuleDestroy(): void {
    this.stopping ??= this.stop();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await (this.stopping ??= this.stop());
  }

  /** Stops scanning, lets a tick in flight finish, and gives the lease up so another replica takes over at once. */
  private async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
    if (this.lease) await this.leases.release(this.lease).catch(() => undefined);
    this.lease = null;
  }

  /**
   * One pass: take or keep the lease, read the deadlines due now, and record each through the
   * case's command path. Safe to call from any number of replicas at once.
   */
  tick(): Promise<TickResult> {
    const run = (this.running ?? Promise.resolve()).catch(() => undefined).then(() => this.scan());
    this.running = run;
    return run;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.tick()
        .catch((error: unknown) => this.logger.warn(`deadline check failed; retrying: ${String(error)}`))
        .finally(() => this.schedule(this.config.DEADLINE_SCHEDULER_INTERVAL_MS));
    }, delayMs);
    this.timer.unref();
  }

  private async scan(): Promise<TickResult> {
    const idle = { checked: 0, recorded: 0, unchanged: 0, failed: 0 };
    if (!(await this.lead())) return { leader: false, ...idle };
    const due = await this.deadlines.due(this.clock.now(), this.config.DEADLINE_SCHEDULER_BATCH_SIZE);
    let recorded = 0;
    let unchanged = 0;
    let failed = 0;
    for (const deadline of due) {
      if (this.stopped) break;
      try {
        if (await this.record(deadline)) {
          recorded += 1;
          this.metrics.deadlinesMissed.inc({ deadline: deadline.deadline });
        } else {
          unchanged += 1;
        }
      } catch (error) {
        // One case that cannot take the event (a domain refusal, a bad row) must not hold up the others.
        if (!(error instanceof DomainError)) throw error;
        failed += 1;
        this.logger.warn(`could not record ${deadline.deadline} due ${deadline.dueAt} on case ${deadline.caseId}: ${error.message}`);
      }
    }
    if (recorded > 0) this.logger.log(`recorded ${recorded} missed deadline(s) of ${due.length} due`);
    return { leader: true, checked: due.length, recorded, unchanged, failed };
  }

  /** The lease is only a way to spare the other replicas the work; correctness does not rest on it. */
  private async lead(): Promise<boolean> {
    const ttl = Math.max(15_000, 3 * this.config.DEADLINE_SCHEDULER_INTERVAL_MS);
    this.lease = this.lease ? await this.leases.renew(this.lease, ttl) : null;
    this.lease ??= await this.leases.tryAcquire(SCHEDULER_LEASE, this.holder, ttl);
    return this.lease !== null;
  }

  /** True when the event was recorded now; false when the domain found nothing to record. */
  private async record({ caseId, deadline, dueAt }: DueDeadline): Promise<boolean> {
    const key = `${caseId}\u0000${deadline}\u0000${dueAt}`;
    const context: CommandContext = {
      actor: SCHEDULER_ACTOR,
      correlationId: deterministicId('deadline', key),
      causationId: null,
    };
    // A fixed event id: two schedulers that both decide to record it write the same event.
    const result = await this.commands.execute(
      new RecordDeadlineMissedCommand(caseId, { deadline, dueAt }, context, [deterministicId('deadline-event', key)]),
    );
    return result.events.length > 0 && !result.duplicate;
  }
}
