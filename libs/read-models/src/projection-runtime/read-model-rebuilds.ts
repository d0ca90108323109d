import { BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import { SQL_DATABASE, SqlDatabase } from '@refund-desk/database';
import { SealedEventLog } from '@refund-desk/event-store';
import { Projection, PROJECTIONS } from './projection';
import { rebuildReadModels, RebuildProgress } from './rebuild';

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
 * the database. One job at a time per read model; the latest job of each is kept for status.
 */
@Injectable()
export class ReadModelRebuilds implements BeforeApplicationShutdown {
  private readonly logger = new Logger('Rebuild');
  private readonly jobs = new Map<string, RebuildJob>();
  private readonly controller = new AbortController();
  private readonly running = new Set<Promise<unknown>>();

  constructor(
    @Inject(SQL_DATABASE) private readonly db: SqlDatabase,
    private readonly store: SealedEventLog,
    @Inject(PROJECTIONS) private readonly projections: readonly Projection[],
  ) {}

  get names(): string[] {
    return this.projections.map((projection) => projection.name);
  }

  job(name: string): RebuildJob | undefined {
    return this.jobs.get(name);
  }

  /** Starts a rebuild of the named read models, or answers the job already rebuilding one of them. */
  start(names: readonly string[]): { job: RebuildJob; started: boolean } {
    const busy = names.map((name) => this.jobs.get(name)).find((job) => job?.state === 'running');
    if (busy) return { job: busy, started: false };
    const projections = this.projections.filter((projection) => names.includes(projection.name));
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
    await Promise.allSettled([...this.running]);
  }
}
