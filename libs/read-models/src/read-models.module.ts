import { BeforeApplicationShutdown, Global, Inject, Logger, Module, OnApplicationBootstrap, OnModuleInit } from '@nestjs/common';
import { migrate, SQL_DATABASE, SqlDatabase } from '@refund-desk/database';
import { EVENT_STORE, EventStore } from '@refund-desk/event-store';
import { AppConfig } from '@refund-desk/platform';
import { CustomerHistoryProjection } from './customer-history/customer-history.projection';
import { CustomerHistoryQuery } from './customer-history/customer-history.query';
import { CHECKPOINT_MIGRATIONS } from './projection-runtime/checkpoints';
import { Projection, PROJECTIONS } from './projection-runtime/projection';
import { ProjectionRunner } from './projection-runtime/projection-runner';

class ProjectorLifecycle implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Projections');

  constructor(
    @Inject(SQL_DATABASE) private readonly db: SqlDatabase,
    @Inject(PROJECTIONS) private readonly projections: readonly Projection[],
    private readonly runner: ProjectionRunner,
    private readonly config: AppConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    await migrate(this.db, 'projections', CHECKPOINT_MIGRATIONS);
    for (const projection of this.projections) await migrate(this.db, `read-model:${projection.name}`, projection.migrations);
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
    CustomerHistoryProjection,
    {
      provide: PROJECTIONS,
      inject: [CustomerHistoryProjection],
      useFactory: (...projections: Projection[]) => projections,
    },
    {
      provide: ProjectionRunner,
      inject: [SQL_DATABASE, EVENT_STORE, PROJECTIONS],
      useFactory: (db: SqlDatabase, store: EventStore, projections: Projection[]) => new ProjectionRunner(db, store, projections),
    },
    CustomerHistoryQuery,
    ProjectorLifecycle,
  ],
  exports: [ProjectionRunner, CustomerHistoryQuery, PROJECTIONS],
})
export class ReadModelsModule {}
