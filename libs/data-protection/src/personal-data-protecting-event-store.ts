import { ERASED, personalDataPaths } from '@refund-desk/domain';
import {
  AppendOptions,
  AppendResult,
  DamagedEventError,
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
  SealedEventLog,
  verifyChain,
} from '@refund-desk/event-store';
import { CustomerKeyStore } from './customer-key-store';
import { decryptField, encryptField, isEncryptedField, keyIdOf } from './field-cipher';

type Node = Record<string, unknown>;

function forEachPersonalField(
  type: string,
  data: Node,
  visit: (parent: Node, key: string, value: unknown, path: readonly string[]) => void,
): void {
  for (const path of personalDataPaths(type)) {
    let node: Node | undefined = data;
    for (const key of path.slice(0, -1)) {
      const next: unknown = node?.[key];
      node = next !== null && typeof next === 'object' ? (next as Node) : undefined;
    }
    const leaf = path[path.length - 1];
    if (node && typeof node[leaf] === 'string') visit(node, leaf, node[leaf], path);
  }
}

/**
 * Personal fields of an event as stored that hold text in the clear: written before the field
 * was sealed (the log is append-only, so they stay as they were), and untouched by erasure.
 */
export function plaintextPersonalFields(event: Pick<RecordedEvent, 'type' | 'data'>): string[] {
  const found: string[] = [];
  if (personalDataPaths(event.type).length === 0) return found;
  forEachPersonalField(event.type, event.data as Node, (_parent, _field, value, path) => {
    if (!isEncryptedField(value) && value !== '') found.push(path.join('.'));
  });
  return found;
}

/** Opens one sealed field: the text, ERASED when its key was destroyed, or undefined when it is damaged. */
function open(keys: ReadonlyMap<string, Buffer | null>, token: string): string | undefined {
  const keyId = keyIdOf(token);
  if (!keys.has(keyId)) return undefined;
  const key = keys.get(keyId);
  if (!key) return ERASED;
  try {
    return decryptField(key, token);
  } catch {
    return undefined;
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
  readonly personalData = 'readable';
  readonly name: string;
  readonly positionsCountEvents: boolean;

  constructor(
    readonly log: SealedEventLog,
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

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const { integrity, ...read } = options;
    if (integrity !== 'verify') return this.reveal(await this.log.readStream(streamId, read), integrity === 'mark' ? 'mark' : 'fail');
    if ((read.fromVersion ?? 1) > 1) throw new Error('a verified read starts at version 1');
    // The whole stream is checked, then cut: a cut made in SQL by a changed recorded time would
    // look like a shorter, intact stream.
    const stored = await this.log.readStream(streamId);
    const verification = verifyChain(stored, { compareCheckpoints: (a, b) => this.log.compareCheckpoints(a, b) });
    if (verification.brokenAt) {
      const { version, position, eventId, type, reason } = verification.brokenAt;
      throw new DamagedEventError(streamId, { version, position, eventId, type }, reason, `its hash chain is broken (${reason.replace(/_/g, ' ')})`);
    }
    const upTo = read.recordedUpTo?.getTime();
    const cut = stored.filter(
      (event) =>
        event.version <= (read.toVersion ?? Number.MAX_SAFE_INTEGER) && (upTo === undefined || Date.parse(event.recordedAt) <= upTo),
    );
    return this.reveal(cut, 'fail');
  }

  /** Never fails on a damaged event: export, forwarding and catch-up go on past it, marked. */
  async readAll(options: ReadAllOptions): Promise<ReadAllResult> {
    const result = await this.log.readAll(options);
    return { ...result, events: await this.reveal(result.events, 'mark') };
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
    const pending: Array<[Node, string, string]> = [];
    forEachPersonalField(event.type, data, (parent, field, value) => {
      if (!isEncryptedField(value)) pending.push([parent, field, value as string]);
    });
    if (pending.length === 0) return event;
    const customerId = customerIdOf(event);
    // Personal data is never stored in the clear: an event without its customer is a bug upstream.
    if (!customerId) throw new Error(`${event.type} carries personal data but names no customer (metadata.customerId)`);
    const key = await this.keys.activeKey(customerId);
    for (const [parent, field, value] of pending) parent[field] = encryptField(key.key, key.keyId, value);
    return { ...event, data: data as JsonObject };
  }

  /**
   * Opens the personal fields of a batch, fetching the keys it needs in one query. A field that
   * does not open (its bytes changed, or it names a key never issued) fails the read naming the
   * event ('fail'), or comes back null with the event marked ('mark'). A destroyed key is not
   * damage: its fields read as ERASED.
   */
  async reveal(events: readonly RecordedEvent[], onDamage: 'fail' | 'mark' = 'fail'): Promise<RecordedEvent[]> {
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
      const damaged: string[] = [];
      forEachPersonalField(event.type, data, (parent, field, value, path) => {
        if (!isEncryptedField(value)) return;
        const opened = open(keys, value);
        if (opened === undefined) damaged.push(path.join('.'));
        parent[field] = opened ?? null;
      });
      if (damaged.length === 0) return { ...event, data: data as JsonObject };
      const detail = `sealed personal data that does not open (${damaged.join(', ')})`;
      if (onDamage === 'fail') {
        const { version, position, eventId, type } = event;
        throw new DamagedEventError(event.streamId, { version, position, eventId, type }, 'unreadable_personal_data', detail);
      }
      return { ...event, data: data as JsonObject, damage: { reason: 'unreadable_personal_data', fields: damaged, detail } };
    });
  }
}
