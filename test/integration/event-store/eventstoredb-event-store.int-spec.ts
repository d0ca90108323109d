import { EventStoreDbEventStore } from '@refund-desk/event-store';
import { eventStoreContract } from '@refund-desk/event-store/testing';
import { describeWithEventStoreDb } from '../../support/eventstoredb';

/**
 * The contract every adapter passes, against a real EventStoreDB/KurrentDB node. The contract's
 * streams all start with "contract", so that is the category this store owns here.
 */
describeWithEventStoreDb('EventStoreDbEventStore on a real node', (node) => {
  eventStoreContract(async () => {
    const running = await node();
    const store = EventStoreDbEventStore.connect(running.url, { streamPrefixes: ['contract'] });
    return {
      store,
      dispose: async () => {
        await store.close();
        await running.stop();
      },
    };
  });
});
