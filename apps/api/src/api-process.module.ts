import { Module } from '@nestjs/common';
import { DatabaseModule } from '@refund-desk/database';
import { DeadlinesModule } from '@refund-desk/deadlines';
import { DataProtectionModule } from '@refund-desk/data-protection';
import { EventStoreModule } from '@refund-desk/event-store';
import { PlatformModule } from '@refund-desk/platform';
import { ReadModelsModule } from '@refund-desk/read-models';
import { ApiModule } from '@refund-desk/http-api';

/**
 * The HTTP API as a process of its own (production): queries read the read models the projector
 * keeps; the deadline scheduler runs here too, where commands run (one replica at a time, by lease).
 */
@Module({
  imports: [PlatformModule, DatabaseModule, EventStoreModule, DataProtectionModule, ReadModelsModule, ApiModule, DeadlinesModule],
})
export class ApiProcessModule {}
