import { Module } from '@nestjs/common';
import { DatabaseModule } from '@refund-desk/database';
import { DataProtectionModule } from '@refund-desk/data-protection';
import { EventStoreModule } from '@refund-desk/event-store';
import { HealthModule } from '@refund-desk/http-process';
import { MessagingModule } from '@refund-desk/messaging';
import { PlatformModule } from '@refund-desk/platform';
import { ReadModelsModule } from '@refund-desk/read-models';

/**
 * The Kafka relay and the case-event forwarder as a process of their own. The read models are
 * here because command handlers query them (a customer's earlier cases); their projections run
 * in the projector, not here. It serves /health and /metrics on PORT, for probes and scraping.
 */
@Module({
  imports: [PlatformModule, DatabaseModule, EventStoreModule, DataProtectionModule, ReadModelsModule, MessagingModule, HealthModule],
})
export class KafkaRelayProcessModule {}
