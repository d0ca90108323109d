import { INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AuditModule } from '@refund-desk/audit';
import { DataProtectionModule } from '@refund-desk/data-protection';
import { DatabaseModule } from '@refund-desk/database';
import { EventStoreModule } from '@refund-desk/event-store';
import { PlatformModule } from '@refund-desk/platform';
import { ReadModelsModule } from '@refund-desk/read-models';

@Module({ imports: [PlatformModule, DatabaseModule, EventStoreModule, DataProtectionModule, ReadModelsModule, AuditModule] })
class OperatorModule {}

/**
 * The service's modules without HTTP, for operator commands. Projections stay off: a command
 * reads, it does not compete with the running projector.
 */
export async function operatorContext(): Promise<INestApplicationContext> {
  process.env.PROJECTIONS_ENABLED = 'false';
  process.env.LOG_LEVEL ??= 'warn';
  try {
    return await NestFactory.createApplicationContext(OperatorModule, { logger: ['error', 'warn'] });
  } catch (error) {
    if (/in use by process/.test((error as Error).message)) {
      throw new Error(
        `${(error as Error).message}\nThe embedded store serves one process at a time: stop the service, or use its HTTP routes (GET /v1/audit/...).`,
        { cause: error },
      );
    }
    throw error;
  }
}
