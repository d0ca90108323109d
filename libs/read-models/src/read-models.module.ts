import { BeforeApplicationShutdown, Global, Inject, Logger, Module, OnApplicationBootstrap, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { Leadership, REPLICA_ID, SQL_DATABASE, SqlDatabase } from '@refund-desk/database';
import { SealedEventLog } from '@refund-desk/event-store';
import { AppConfig, Metrics } from '@refund-desk/platform';
import { prepareReadModels } from './projection-runtime/generations';
import { Projection, PROJECTIONS } from './projection-runtime/projection';
import { ProjectionRunner } from './projection-runtime/projection-runner';
import { ReadModelRebuilds } from './projection-runtime/read-model-rebuilds';
import { READ_MODELS } from './read-models';

const QUERIES = READ_MODELS.flatMap((readModel) => readModel.queries);

class ProjectorLifecycle implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy, BeforeApplicationShutdown {
  private readonly logger = new Logger('Projections');
  private stopping?: Promise<void>;

  constructor(
    @Inject(SQL_DATABASE) private readonly db: SqlDatabase,
    @Inject(PROJECTIONS) private readonly projections: readonly Projection[],
    private readonly runner: ProjectionRunner,
    private readonly config: AppConfig,
    private readonly metrics: Metrics,
  ) {}

  async onModuleInit(): Promise<void> {
    await prepareReadModels(this.db, this.projections);
    await Leadership.prepare(this.db);
    this.runner.onBatch((projection, events, seconds) => {
      this.metrics.projectionEventsApplied.inc({ projection }, events);
      this.metrics.projectionBatchSeconds.observe({ projection }, seconds);
    });
  }

  onApplicationBootstrap(): void {
    if (!this.config.PROJECTIONS_ENABLED) return;
    this.runner.start();
    this.logger.log(`running ${this.projections.map((p) => p.name).join(', ')}`);
  }

  /**
   * The handover starts with the first shutdown hook Nest calls, in every module at once: Nest
   * awaits the later hooks module by module, and a slow one elsewhere (a consumer group being
   * left) would otherwise hold the lease here for seconds after SIGTERM.
   */
  onModuleDestroy(): void {
    this.stopping ??= this.runner.stop();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await (this.stopping ??= this.runner.stop());
  }
}

/**
 * The read models of READ_MODELS and their projections. Queries work in every process; the
 * projections run where PROJECTIONS_ENABLED is true (the projector, and the all-in-one `npm start`).
 */
@Global()
@Module({
  providers: [
    { provide: PROJECTIONS, useValue: READ_MODELS.map((readModel) => readModel.projection) },
    {
      provide: ProjectionRunner,
      // Projections keep no personal data, so they read the log as stored and never open a sealed field.
      // Every replica may run the projections; the one holding the lease moves the read models.
      inject: [SQL_DATABASE, SealedEventLog, PROJECTIONS, AppConfig],
      useFactory: (db: SqlDatabase, store: SealedEventLog, projections: Projection[], config: AppConfig) =>
        new ProjectionRunner(db, store, projections, {
          batchSize: 500,
          idleWaitMs: 250,
          leadership: new Leadership(db, { name: 'projections', holder: REPLICA_ID, ttlMs: config.LEADER_LEASE_TTL_MS, logger: new Logger('Projections') }),
        }),
    },
    ...QUERIES,
    ReadModelRebuilds,
    ProjectorLifecycle,
  ],
  exports: [ProjectionRunner, ReadModelRebuilds, ...QUERIES],
})
export class ReadModelsModule {}
