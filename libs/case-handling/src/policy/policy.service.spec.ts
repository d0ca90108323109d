import { randomBytes, randomUUID } from 'node:crypto';
import { CustomerKeyStore, PersonalDataProtectingEventStore } from '@refund-desk/data-protection';
import { migrate, PgliteDatabase } from '@refund-desk/database';
import { DEFAULT_POLICY_RULES } from '@refund-desk/domain';
import { EVENT_LOG_MIGRATIONS, EventStore, PostgresEventStore } from '@refund-desk/event-store';
import { Clock, IdGenerator, Metrics } from '@refund-desk/platform';
import { CommandContext } from '../command-handling/command-context';
import { StreamCommandHandler, StreamStore } from '../command-handling/stream-command-handler';
import { VersionMismatchError } from '../errors/command-errors';
import { PolicyService } from './policy.service';

class HandClock extends Clock {
  private at = Date.parse('2026-10-01T12:00:00.000Z');
  now(): Date {
    return new Date(this.at);
  }
  advance(ms: number): void {
    this.at += ms;
  }
}

describe('PolicyService', () => {
  let db: PgliteDatabase;
  let store: EventStore;
  let clock: HandClock;
  let policies: PolicyService;
  const ids: IdGenerator = { newId: () => randomUUID() };
  const admin = (expectedVersion?: number): CommandContext => ({
    actor: { id: 'admin_ada', roles: ['admin'] },
    correlationId: randomUUID(),
    causationId: null,
    expectedVersion,
  });
  const service = (): PolicyService => new PolicyService(store, new StreamCommandHandler(store, clock, ids, new Metrics()), clock, ids);

  // One database for the suite (opening one is slow): each test works from the version it finds.
  beforeAll(async () => {
    db = await PgliteDatabase.open();
    await migrate(db, 'event-log', EVENT_LOG_MIGRATIONS);
    // The application's store over the log, as in the service (policy events hold no personal data, so no key is used).
    store = new PersonalDataProtectingEventStore(new PostgresEventStore(db), new CustomerKeyStore(db, randomBytes(32)));
    clock = new HandClock();
    policies = service();
    await policies.onModuleInit();
  });
  afterAll(() => db.close());
  const head = async (): Promise<number> => (await store.readStream('refundPolicy-current')).length;

  it('installs the default policy once, however many processes start', async () => {
    expect(await policies.current()).toMatchObject({ version: 1, revisedBy: 'system', rules: DEFAULT_POLICY_RULES });
    await service().onModuleInit();
    expect(await head()).toBe(1);
  });

  it('retries a revision that lost a race when the caller pinned no version, instead of refusing it', async () => {
    // Another revision lands between this one's read and its append.
    let raced = false;
    const racing: StreamStore = {
      readStream: (streamId, options) => store.readStream(streamId, options),
      append: async (streamId, events, options) => {
        if (!raced) {
          raced = true;
          await service().revise({ rules: DEFAULT_POLICY_RULES, changeNote: 'in between' }, admin());
        }
        return store.append(streamId, events, options);
      },
    };
    const loser = new PolicyService(store, new StreamCommandHandler(racing, clock, ids, new Metrics()), clock, ids);
    const before = await head();
    const revised = await loser.revise({ rules: DEFAULT_POLICY_RULES, changeNote: 'mine' }, admin());
    expect(raced).toBe(true);
    expect(revised.policy).toMatchObject({ version: before + 2, changeNote: 'mine' });
  });

  it('refuses a revision whose If-Match names a version that is not current', async () => {
    const seen = await head();
    await policies.revise({ rules: DEFAULT_POLICY_RULES, changeNote: 'next' }, admin(seen));
    await expect(policies.revise({ rules: DEFAULT_POLICY_RULES, changeNote: 'stale' }, admin(seen))).rejects.toMatchObject({
      constructor: VersionMismatchError,
      actual: seen + 1,
    });
  });

  it("sees another process's revision once its cache is older than a second by the injected clock", async () => {
    clock.advance(1_001);
    const cached = (await policies.current()).version;
    await service().revise({ rules: DEFAULT_POLICY_RULES, changeNote: 'elsewhere' }, admin());
    expect((await policies.current()).version).toBe(cached);
    clock.advance(1_001);
    expect((await policies.current()).version).toBe(cached + 1);
  });
});
