import { ERASED, personalDataPaths } from '@refund-desk/domain';
import {
  AppendOptions,
  AppendResult,
  EventStore,
  JsonObject,
  LogCheckpoint,
  LogHead,
  LogHorizon,
  NewEvent,
  ReadAllOptions,
  ReadAllResult,
  ReadStreamOptions,
  RecordedEvent,
} from '@refund-desk/event-store';
import { CustomerKeyStore } from './customer-key-store';
import { decryptField, encryptField, isEncryptedField, keyIdOf } from './field-cipher';

type Node = Record<string, unknown>;

function forEachPersonalField(type: string, data: Node, visit: (parent: Node, key: string, value: unknown) => void): void {
  for (const path of personalDataPaths(type)) {
    let node: Node | undefined = data;
    for (const key of path.slice(0, -1)) {
      const next: unknown = node?.[key];
      node = next !== null && typeof next === 'object' ? (next as Node) : undefined;
    }
    const leaf = path[path.length - 1];
    if (node && typeof node[leaf] === 'string') visit(node, leaf, node[leaf]);
  }
}

const customerIdOf = (event: NewEvent): string | undefined => {
  const fromMetadata = event.metadata.customerId;
  if (typeof fromMetadata === 'string' && fromMetadata) return fromMetadata;
  const customer = (event.data as { customer?: { id?: unknown } }).customer;
  return typeof customer?.id === 'string' ? customer.id : undefined;
};

/**
 * The event store the application uses: personal fields are sealed with the customer's key on
 * the way in (so the log, its hash chain and every copy of it hold only ciphertext) and opened
 * on the way out; once the key is destroyed they read as "[erased]".
 */
export class PersonalDataProtectingEventStore implements EventStore {
  readonly name: string;
  readonly positionsCountEvents: boolean;

  constructor(
    readonly log: EventStore,
    private readonly keys: CustomerKeyStore,
  ) {
    this.name = log.name;
    this.positionsCountEvents = log.positionsCountEvents;
  }

  async append(streamId: string, events: readonly NewEvent[], options: AppendOptions): Promise<AppendResult> {
    const sealed = await Promise.all(events.map((event) => this.seal(event)));
    const result = await this.log.append(streamId, sealed, options);
    if (result.duplicate) return { ...result, events: await this.reveal(result.events) };
    // What was just sealed is at hand in the clear: answer with it instead of decrypting it again.
    const recorded = result.events.map((event, i) => (sealed[i] === events[i] ? event : { ...event, data: events[i].data }));
    return { ...result, events: await this.reveal(recorded) };
  }

  async readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]> {
    return this.reveal(await this.log.readStream(streamId, options));
  }

  async readAll(options: ReadAllOptions): Promise<ReadAllResult> {
    const result = await this.log.readAll(options);
    return { ...result, events: await this.reveal(result.events) };
  }

  head(): Promise<LogHead> {
    return this.log.head();
  }

  checkpointAt(position: number): Promise<LogCheckpoint | null> {
    return this.log.checkpointAt(position);
  }

  compareCheckpoints(a: LogCheckpoint | null, b: LogCheckpoint | null): number {
    return this.log.compareCheckpoints(a, b);
  }

  horizon(now?: Date): Promise<LogHorizon | null> {
    return this.log.horizon?.(now) ?? Promise.resolve(null);
  }

  onAppended(listener: () => void): () => void {
    return this.log.onAppended(listener);
  }

  close(): Promise<void> {
    return this.log.close();
  }

  private async seal(event: NewEvent): Promise<NewEvent> {
    if (personalDataPaths(event.type).length === 0) return event;
    const data = structuredClone(event.data) as Node;
    let customerId: string | undefined;
    let key: { keyId: string; key: Buffer } | undefined;
    const pending: Array<[Node, string, string]> = [];
    forEachPersonalField(event.type, data, (parent, field, value) => {
      if (!isEncryptedField(value)) pending.push([parent, field, value as string]);
    });
    if (pending.length === 0) return event;
    customerId = customerIdOf(event);
    // Personal data is never stored in the clear: an event without its customer is a bug upstream.
    if (!customerId) throw new Error(`${event.type} carries personal data but names no customer (metadata.customerId)`);
    key = await this.keys.activeKey(customerId);
    for (const [parent, field, value] of pending) parent[field] = encryptField(key.key, key.keyId, value);
    return { ...event, data: data as JsonObject };
  }

  /** Opens the personal fields of a batch, fetching the keys it needs in one query. */
  async reveal(events: readonly RecordedEvent[]): Promise<RecordedEvent[]> {
    const keyIds: string[] = [];
    for (const event of events) {
      forEachPersonalField(event.type, event.data as Node, (_parent, _field, value) => {
        if (isEncryptedField(value)) keyIds.push(keyIdOf(value));
      });
    }
    if (keyIds.length === 0) return [...events];
    const keys = await this.keys.keys(keyIds);
    return events.map((event) => {
      if (personalDataPaths(event.type).length === 0) return event;
      const data = structuredClone(event.data) as Node;
      forEachPersonalField(event.type, data, (parent, field, value) => {
        if (!isEncryptedField(value)) return;
        const key = keys.get(keyIdOf(value));
        parent[field] = key ? decryptField(key, value) : ERASED;
      });
      return { ...event, data: data as JsonObject };
    });
  }
}
