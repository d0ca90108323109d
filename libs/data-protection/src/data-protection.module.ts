import { Global, Logger, Module } from '@nestjs/common';
import { migrate, SQL_DATABASE, SqlDatabase } from '@refund-desk/database';
import { EventStore, SealedEventLog } from '@refund-desk/event-store';
import { AppConfig } from '@refund-desk/platform';
import { CUSTOMER_KEY_MIGRATIONS, CustomerKeyStore } from './customer-key-store';
import { resolveMasterKey } from './master-key';
import { PersonalDataProtectingEventStore } from './personal-data-protecting-event-store';

/**
 * Provides EventStore, the application's view of the event log with personal data sealed per
 * customer, over SealedEventLog (the adapter as stored), and the key store erasure destroys keys in.
 */
@Global()
@Module({
  providers: [
    {
      provide: CustomerKeyStore,
      inject: [SQL_DATABASE, AppConfig],
      useFactory: async (db: SqlDatabase, config: AppConfig) => {
        // Migrated here, not in a lifecycle hook, so the check below finds its table.
        await migrate(db, 'data-protection', CUSTOMER_KEY_MIGRATIONS);
        const { key, generated, file } = resolveMasterKey(config);
        if (generated) new Logger('DataProtection').warn(`PII_MASTER_KEY is not set: generated a development key in ${file}`);
        const keys = new CustomerKeyStore(db, key);
        await keys.verifyMasterKey();
        return keys;
      },
    },
    {
      provide: EventStore,
      inject: [SealedEventLog, CustomerKeyStore],
      useFactory: (log: SealedEventLog, keys: CustomerKeyStore) => new PersonalDataProtectingEventStore(log, keys),
    },
  ],
  exports: [EventStore, CustomerKeyStore],
})
export class DataProtectionModule {}
