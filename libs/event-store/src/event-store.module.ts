import { Global, Module } from '@nestjs/common';
import { migrate, SQL_DATABASE, SqlDatabase } from '@refund-desk/database';
import { AppConfig } from '@refund-desk/platform';
import { EVENT_LOG, EventStore } from './event-store';
import { EVENT_LOG_MIGRATIONS } from './postgres/event-log.schema';
import { PostgresEventStore } from './postgres/postgres-event-store';

/**
 * The event log adapter chosen by EVENT_STORE, as EVENT_LOG; the schema is created or migrated on
 * start. The application's EVENT_STORE (personal data protected) is layered on top by DataProtectionModule.
 */
@Global()
@Module({
  providers: [
    {
      provide: EVENT_LOG,
      inject: [AppConfig, SQL_DATABASE],
      useFactory: async (config: AppConfig, db: SqlDatabase): Promise<EventStore> => {
        if (config.EVENT_STORE !== 'postgres') {
          throw new Error(`EVENT_STORE=${config.EVENT_STORE} is not available in this build`);
        }
        await migrate(db, 'event-log', EVENT_LOG_MIGRATIONS);
        return new PostgresEventStore(db);
      },
    },
  ],
  exports: [EVENT_LOG],
})
export class EventStoreModule {}
