import { Module } from '@nestjs/common';
import { DatabaseModule } from '@refund-desk/database';
import { DeadlinesModule } from '@refund-desk/deadlines';
import { DataProtectionModule } from '@refund-desk/data-protection';
import { EventStoreModule } from '@refund-desk/event-store';
import { MessagingModule } from '@refund-desk/messaging';
import { PlatformModule } from '@refund-desk/platform';
import { ReadModelsModule } from '@refund-desk/read-models';
import { ApiModule } from '@refund-desk/http-api';

/**
 * Everything in one process on one store: the API and the projector (and the Kafka relay when
 * KAFKA_BROKERS is set). What `npm start` runs.
 */
@Module({
  imports: [PlatformModule, DatabaseModule, EventStoreModule, DataProtectionModule, ReadModelsModule, ApiModule, MessagingModule, DeadlinesModule],
})
export class RefundDeskModule {}
