import { Module } from '@nestjs/common';
import { DatabaseModule } from '@refund-desk/database';
import { EventStoreModule } from '@refund-desk/event-store';
import { HealthModule } from '@refund-desk/http-process';
import { PlatformModule } from '@refund-desk/platform';
import { ReadModelsModule } from '@refund-desk/read-models';

/**
 * The projector as a process of its own (production): catches every read model up from the log
 * and serves only /health and /metrics, for probes and for scraping its lag.
 */
@Module({
  imports: [PlatformModule, DatabaseModule, EventStoreModule, ReadModelsModule, HealthModule],
})
export class ProjectorProcessModule {}
