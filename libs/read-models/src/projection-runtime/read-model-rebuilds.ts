import { BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import { REPLICA_ID, SQL_DATABASE, SqlDatabase } from '@refund-desk/database';
import { SealedEventLog } from '@refund-desk/event-store';
import { AppConfig } from '@refund-desk/platform';
import { Projection, PROJECTIONS } from './projection';
import { rebuildReadModels, RebuildProgress } from './rebuild';
import { RebuildLeases } from './rebuild-leases';

export interface RebuildJob {
  readonly readModels: readonly string[];
  readonly state: 'running' | 'succeeded' | 'failed';
  readonly startedAt: string;
  readonly finishedAt: string | null;
  readonly progress: RebuildProgress | null;
  readonly error: string | null;
}

/**
 * Rebuilds inside the running service, for the embedded store where no second process may open
 * the database. One rebuild at a time per read model across every replica and the CLI, by its
 * rebuild lease; the latest job of each started here is kept for status.
 */
@Injectable()
export class ReadModelRebuilds implements BeforeApplicationShutdown {
  private readonly logger = new Logger('Rebuild');
  private readonly jobs = new Map<string, RebuildJob>();
  private readonly controller = new AbortController();
  private readonly running = new Set<Promise<unknown>>();
  /** Starts one after the other, so a second request here finds the first's job instead of its lease. */
  private starting: Promise<unknown> = Promise.resolve();

  constructor(
    @Inject(SQL_DATABASE) private readonly db: SqlDatabase,
    private readonly store: SealedEventLog,
    @Inject(PROJECTIONS) private readonly projections: readonly Projection[],
    private readonly config: AppConfig,
  ) {}

  get names(): string[] {
    return this.projections.map((projection) => projection.name);
  }

  job(name: string): RebuildJob | undefined {
    return this.jobs.get(name);
  }

  /**
   * Starts a rebuild of the named read models, or answers the job of this process already
   * rebuilding one of them. Throws RebuildBusyError, starting nothing, when another process (a
   * replica, the CLI) holds the rebuild lease of one of them.
   */
  start(names: readonly string[]): Promise<{ job: RebuildJob; started: boolean }> {
    const started = this.starting.then(() => this.startNow(names));
    this.starting = started.catch(() => undefined);
    return started;
  }

  private async startNow(names: readonly string[]): Promise<{ job: RebuildJob; started: boolean }> {
    const busy = names.map((name) => this.jobs.get(name)).find((job) => job?.state === 'running');
    if (busy) return { job: busy, started: false };
    const projections = this.projections.filter((projection) => names.includes(projection.name));
    const leases = await RebuildLeases.acquire(
      this.db,
      projections.map((projection) => projection.name),
      { holder: REPLICA_ID, ttlMs: this.config.REBUILD_LEASE_TTL_MS },
    );
    let job: RebuildJob = {
      readModels: projections.map((p) => p.name),
      state: 'running',
      startedAt: new Date().toISOString(),
      finishedAt: null,
      progress: null,
      error: null,
    };
    const update = (next: Partial<RebuildJob>): void => {
      job = { ...job, ...next };
      for (const name of job.readModels) this.jobs.set(name, job);
    };
    update({});
    this.logger.log({ msg: 'rebuild started', readModels: job.readModels });
    const run = rebuildReadModels(this.db, this.store, projections, {
      leases,
      signal: this.controller.signal,
      onProgress: (progress) => update({ progress }),
      logger: this.logger,
    }).then(
      (progress) => {
        update({ state: 'succeeded', progress, finishedAt: new Date().toISOString() });
        this.logger.log({ msg: 'rebuild finished', readModels: job.readModels, events: progress.eventsRead, eventsPerSecond: progress.eventsPerSecond });
      },
      (error: unknown) => {
        update({ state: 'failed', error: (error as Error).message, finishedAt: new Date().toISOString() });
        this.logger.error({ msg: 'rebuild failed; running it again resumes where it stopped', readModels: job.readModels, err: error });
      },
    );
    this.running.add(run);
    void run.finally(() => this.running.delete(run));
    return { job, started: true };
  }

  /** Before the database closes: an interrupted rebuild resumes from its last batch next time. */
  async beforeApplicationShutdown(): Promise<void> {
    this.controller.abort();
    // A start still taking its leases goes on to a rebuild that stops at once and gives them back.
    await this.starting;
    await Promise.allSettled([...this.running]);
  }
}
