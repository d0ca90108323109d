import { Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { AuditModule } from '@refund-desk/audit';
import { CaseHandlingModule } from '@refund-desk/case-handling';
import { HealthModule } from '@refund-desk/http-process';
import { AppConfig, AuthGuard, AuthModule } from '@refund-desk/platform';
import { ReadModelsAdminController } from './admin/read-models.controller';
import { AnalyticsController } from './analytics/analytics.controller';
import { AuditController } from './audit/audit.controller';
import { SignInController } from './auth/sign-in.controller';
import { CasesController } from './cases/cases.controller';
import { CustomersController } from './customers/customers.controller';
import { ErasureController } from './customers/erasure.controller';
import { AsyncApiController } from './docs/asyncapi.controller';
import { ProblemDetailsFilter } from './http/problem.filter';
import { RateLimitStoreModule, RATE_LIMIT_WINDOW_MS } from './http/rate-limit/request-limits';
import { SlidingWindowStore } from './http/rate-limit/sliding-window.store';
import { SubjectThrottlerGuard } from './http/rate-limit/subject-throttler.guard';
import { LegalRulesController } from './legal-rules/legal-rules.controller';
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
    RateLimitStoreModule,
    ThrottlerModule.forRootAsync({
      imports: [RateLimitStoreModule],
      inject: [AppConfig, SlidingWindowStore],
      useFactory: (config: AppConfig, storage: SlidingWindowStore) => ({
        throttlers: [{ ttl: RATE_LIMIT_WINDOW_MS, limit: Math.max(1, config.RATE_LIMIT_PER_MINUTE) }],
        storage,
        skipIf: () => config.RATE_LIMIT_PER_MINUTE === 0,
      }),
    }),
  ],
  controllers: [
    CasesController,
    PolicyController,
    LegalRulesController,
    QueuesController,
    CustomersController,
    AnalyticsController,
    AuditController,
    ErasureController,
    ReadModelsAdminController,
    AsyncApiController,
    SignInController,
  ],
  providers: [
    // Order matters: the caller must be known before the rate limit counts per caller. Limits per
    // client address run earlier still, in the request hook (installRequestLimits).
    { provide: APP_GUARD, useExisting: AuthGuard },
    { provide: APP_GUARD, useClass: SubjectThrottlerGuard },
    { provide: APP_FILTER, useClass: ProblemDetailsFilter },
  ],
})
export class ApiModule {}
