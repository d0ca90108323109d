import { Global, Module } from '@nestjs/common';
import { migrate, SQL_DATABASE, SqlDatabase } from '@refund-desk/database';
import { AppConfig } from '@refund-desk/platform';
import { EVENT_STORE, EventStore } from './event-store';
import { EVENT_LOG_MIGRATIONS } from './postgres/event-log.schema';
import { PostgresEventStore } from './postgres/postgres-event-store';

/** The event store chosen by EVENT_STORE; the schema is created or migrated on start. */
@Global()
@Module({
  providers: [
    {
      provide: EVENT_STORE,
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
  exports: [EVENT_STORE],
})
export class EventStoreModule {}
