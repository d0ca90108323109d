import { Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { AuditModule } from '@refund-desk/audit';
import { CaseHandlingModule } from '@refund-desk/case-handling';
import { AppConfig, AuthGuard, AuthModule } from '@refund-desk/platform';
import { ReadModelsAdminController } from './admin/read-models.controller';
import { AnalyticsController } from './analytics/analytics.controller';
import { AuditController } from './audit/audit.controller';
import { CasesController } from './cases/cases.controller';
import { CustomersController } from './customers/customers.controller';
import { ErasureController } from './customers/erasure.controller';
import { HealthModule } from './health/health.module';
import { AsyncApiController } from './docs/asyncapi.controller';
import { ProblemDetailsFilter } from './http/problem.filter';
import { CallerThrottlerGuard } from './http/throttler.guard';
import { PolicyController } from './policy/policy.controller';
import { QueuesController } from './queues/queues.controller';

/**
 * The HTTP API of the public contract. It needs the platform, the database, the event store and
 * the read models from its host module (the API process, or the all-in-one process).
 */
@Module({
  imports: [
    AuthModule,
    CaseHandlingModule,
    AuditModule,
    HealthModule,
    ThrottlerModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        throttlers: [{ ttl: 60_000, limit: Math.max(1, config.RATE_LIMIT_PER_MINUTE) }],
        skipIf: () => config.RATE_LIMIT_PER_MINUTE === 0,
      }),
    }),
  ],
  controllers: [
    CasesController,
    PolicyController,
    QueuesController,
    CustomersController,
    AnalyticsController,
    AuditController,
    ErasureController,
    ReadModelsAdminController,
    AsyncApiController,
  ],
  providers: [
    // Order matters: the caller must be known before the rate limit counts per caller.
    { provide: APP_GUARD, useExisting: AuthGuard },
    { provide: APP_GUARD, useClass: CallerThrottlerGuard },
    { provide: APP_FILTER, useClass: ProblemDetailsFilter },
  ],
})
export class ApiModule {}
