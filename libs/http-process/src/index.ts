export { createHttpAdapter } from './http-adapter';
export { instrumentHttp } from './observability';
export { HealthModule } from './health/health.module';
export { HealthController } from './health/health.controller';
export { ApiBodyProblems, ApiCommonProblems, ApiProblems, HEADERS, headerRef } from './openapi-problems';
