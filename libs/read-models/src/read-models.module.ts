import { BeforeApplicationShutdown, Global, Inject, Logger, Module, OnApplicationBootstrap, OnModuleInit } from '@nestjs/common';
import { migrate, SQL_DATABASE, SqlDatabase } from '@refund-desk/database';
import { SealedEventLog } from '@refund-desk/event-store';
import { AppConfig, Metrics } from '@refund-desk/platform';
import { CustomerHistoryProjection } from './customer-history/customer-history.projection';
import { CustomerHistoryQuery } from './customer-history/customer-history.query';
import { CustomerTimelineProjection } from './customer-timeline/customer-timeline.projection';
import { CustomerTimelineQuery } from './customer-timeline/customer-timeline.query';
import { FollowUpQueueProjection } from './follow-up-queue/follow-up-queue.projection';
import { FollowUpQueueQuery } from './follow-up-queue/follow-up-queue.query';
import { ManagerQueueProjection } from './manager-queue/manager-queue.projection';
import { ManagerQueueQuery } from './manager-queue/manager-queue.query';
import { CHECKPOINT_MIGRATIONS } from './projection-runtime/checkpoints';
import { ensureLiveGeneration } from './projection-runtime/generations';
import { Projection, PROJECTIONS } from './projection-runtime/projection';
import { ProjectionRunner } from './projection-runtime/projection-runner';
import { ReadModelRebuilds } from './projection-runtime/read-model-rebuilds';
import { InsightsQuery } from './trend-analytics/insights.query';
import { TrendAnalyticsProjection } from './trend-analytics/trend-analytics.projection';
import { TrendsQuery } from './trend-analytics/trends.query';

/** Every read model's projection, in the order they are listed in status and health. */
export const PROJECTION_CLASSES = [
  CustomerHistoryProjection,
  ManagerQueueProjection,
  FollowUpQueueProjection,
  CustomerTimelineProjection,
  TrendAnalyticsProjection,
];

/** Creates the checkpoint table and each read model's live generation (tables and views). */
export async function prepareReadModels(db: SqlDatabase, projections: readonly Projection[]): Promise<void> {
  await migrate(db, 'projections', CHECKPOINT_MIGRATIONS);
  for (const projection of projections) await ensureLiveGeneration(db, projection);
}

class ProjectorLifecycle implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Projections');

  constructor(
    @Inject(SQL_DATABASE) private readonly db: SqlDatabase,
    @Inject(PROJECTIONS) private readonly projections: readonly Projection[],
    private readonly runner: ProjectionRunner,
    private readonly config: AppConfig,
    private readonly metrics: Metrics,
  ) {}

  async onModuleInit(): Promise<void> {
    await prepareReadModels(this.db, this.projections);
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

  async beforeApplicationShutdown(): Promise<void> {
    await this.runner.stop();
  }
}

/**
 * The read models and their projections. Queries work in every process; the projections run
 * where PROJECTIONS_ENABLED is true (the projector, and the all-in-one `npm start`).
 */
@Global()
@Module({
  providers: [
    ...PROJECTION_CLASSES,
    {
      provide: PROJECTIONS,
      inject: PROJECTION_CLASSES,
      useFactory: (...projections: Projection[]) => projections,
    },
    {
      provide: ProjectionRunner,
      // Projections keep no personal data, so they read the log as stored and never open a sealed field.
      inject: [SQL_DATABASE, SealedEventLog, PROJECTIONS],
      useFactory: (db: SqlDatabase, store: SealedEventLog, projections: Projection[]) => new ProjectionRunner(db, store, projections),
    },
    CustomerHistoryQuery,
    ManagerQueueQuery,
    FollowUpQueueQuery,
    CustomerTimelineQuery,
    TrendsQuery,
    InsightsQuery,
    ReadModelRebuilds,
    ProjectorLifecycle,
  ],
  exports: [
    ProjectionRunner,
    PROJECTIONS,
    ReadModelRebuilds,
    CustomerHistoryQuery,
    ManagerQueueQuery,
    FollowUpQueueQuery,
    CustomerTimelineQuery,
    TrendsQuery,
    InsightsQuery,
  ],
})
export class ReadModelsModule {}
