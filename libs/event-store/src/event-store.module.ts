import { Global, Module, OnApplicationShutdown } from '@nestjs/common';
import { migrate, SQL_DATABASE, SqlDatabase } from '@refund-desk/database';
import { CASE_STREAM_CATEGORY, POLICY_STREAM_CATEGORY } from '@refund-desk/domain';
import { AppConfig, DependencyError } from '@refund-desk/platform';
import { SealedEventLog } from './event-store';
import { EventStoreDbEventStore } from './eventstoredb/eventstoredb-event-store';
import { EVENT_LOG_MIGRATIONS } from './postgres/event-log.schema';
import { PostgresEventStore } from './postgres/postgres-event-store';

/**
 * The event log adapter chosen by the EVENT_STORE setting, provided as SealedEventLog
 * (DataProtectionModule layers the application's EventStore on top). On PostgreSQL the schema is created or migrated on start;
 * on EventStoreDB the SQL database still holds read models, checkpoints, keys and idempotency keys.
 */
@Global()
@Module({
  providers: [
    {
      provide: SealedEventLog,
      inject: [AppConfig, SQL_DATABASE],
      useFactory: async (config: AppConfig, db: SqlDatabase): Promise<SealedEventLog> => {
        if (config.EVENT_STORE === 'eventstoredb') {
          try {
            // The client connects on first use; what fails here is a connection string it cannot read.
            return EventStoreDbEventStore.connect(config.EVENTSTOREDB_URL!, {
              streamPrefixes: [`${CASE_STREAM_CATEGORY}-`, `${POLICY_STREAM_CATEGORY}-`],
            });
          } catch (error) {
            throw new DependencyError('eventstoredb', 'EVENTSTOREDB_URL', error);
          }
        }
        await migrate(db, 'event-log', EVENT_LOG_MIGRATIONS);
        return new PostgresEventStore(db);
      },
    },
  ],
  exports: [SealedEventLog],
})
export class EventStoreModule implements OnApplicationShutdown {
  constructor(private readonly store: SealedEventLog) {}

  /** After every module stopped reading: the EventStoreDB client's gRPC streams would keep the process alive. */
  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
  }
}
