import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { Lease, LEASE_MIGRATIONS, Leases } from './leases';
import { migrate } from './migrations';
import { SqlDatabase } from './sql-database';

export interface LeadershipOptions {
  /** The lease's name: one leader per name across every replica on the database. */
  readonly name: string;
  /** Who this process is, in the lease table and in logs (host, pid and a random part). */
  readonly holder: string;
  /** How long a lease runs without renewal: the longest a dead leader keeps the work from the others. */
  readonly ttlMs: number;
  /** How often the leader renews and a follower tries to take over; a third of the TTL by default. */
  readonly checkEveryMs?: number;
  readonly logger?: { log(message: string): void; warn(message: string): void };
}

/** This process among the replicas: host, pid and a random part (a pid is reused after a restart). */
export const REPLICA_ID = `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;

export type LeaderWork = (lease: Lease, signal: AbortSignal) => Promise<void>;

const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });

/**
 * Runs a piece of work in one replica at a time. Each replica keeps trying to take the lease;
 * the one that holds it runs the work and renews the lease while it runs. The work is stopped
 * (its signal aborted) as soon as the lease is lost, when a renewal is refused, or when no renewal
 * has succeeded for a whole TTL (the database was unreachable: another replica may lead by now).
 * Whatever the work writes must still be fenced with assertLeaseHeld: a process paused past its
 * lease (GC, SIGSTOP, a partition) learns it lost only after it wakes.
 *
 * stop() is the graceful handover: the work is stopped, awaited, and the lease released, so the
 * next replica takes over at its next check instead of after the TTL.
 */
export class Leadership {
  private readonly leases: Leases;
  private readonly checkEveryMs: number;
  private controller?: AbortController;
  private loop?: Promise<void>;
  private held: Lease | null = null;
  private elected = 0;

  constructor(
    db: SqlDatabase,
    private readonly options: LeadershipOptions,
  ) {
    this.leases = new Leases(db);
    this.checkEveryMs = options.checkEveryMs ?? Math.max(50, Math.floor(options.ttlMs / 3));
  }

  /** The lease while this replica leads; null otherwise. */
  get lease(): Lease | null {
    return this.held;
  }

  get isLeader(): boolean {
    return this.held !== null;
  }

  /** Times this replica became leader since it started. */
  get terms(): number {
    return this.elected;
  }

  /** Creates the lease table if it is missing; call once before start(). */
  static prepare(db: SqlDatabase): Promise<string[]> {
    return migrate(db, 'leases', LEASE_MIGRATIONS);
  }

  start(work: LeaderWork): void {
    if (this.controller && !this.controller.signal.aborted) return;
    const controller = new AbortController();
    this.controller = controller;
    this.loop = this.campaign(work, controller.signal);
  }

  async stop(): Promise<void> {
    this.controller?.abort();
    await this.loop;
    this.loop = undefined;
  }

  private async campaign(work: LeaderWork, stopped: AbortSignal): Promise<void> {
    while (!stopped.aborted) {
      let lease: Lease | null = null;
      try {
        lease = await this.leases.tryAcquire(this.options.name, this.options.holder, this.options.ttlMs);
      } catch (error) {
        this.options.logger?.warn(`could not reach the lease ${this.options.name}: ${(error as Error).message}`);
      }
      if (!lease) {
        await sleep(this.checkEveryMs, stopped);
        continue;
      }
      await this.lead(lease, work, stopped);
    }
  }

  /** Runs the work under the lease until it is lost, the work ends, or the replica stops. */
  private async lead(first: Lease, work: LeaderWork, stopped: AbortSignal): Promise<void> {
    this.held = first;
    this.elected += 1;
    this.options.logger?.log(`leading ${this.options.name} (token ${first.token})`);
    const term = new AbortController();
    const onStop = () => term.abort();
    stopped.addEventListener('abort', onStop, { once: true });
    const running = work(first, term.signal).catch((error: unknown) => {
      this.options.logger?.warn(`${this.options.name} stopped with an error; standing down: ${(error as Error).message}`);
    });
    let finished = false;
    void running.then(() => {
      finished = true;
      term.abort();
    });
    let lastRenewed = Date.now();
    while (!term.signal.aborted) {
      await sleep(this.checkEveryMs, term.signal);
      if (term.signal.aborted) break;
      try {
        const renewed = await this.leases.renew(this.held!, this.options.ttlMs);
        if (!renewed) {
          this.options.logger?.warn(`lost the lease ${this.options.name} (token ${this.held!.token}); standing down`);
          break;
        }
        this.held = renewed;
        lastRenewed = Date.now();
      } catch (error) {
        // Unknown whether the lease still stands: keep working until a whole TTL has passed
        // without a renewal, after which another replica may have taken it.
        if (Date.now() - lastRenewed >= this.options.ttlMs) {
          this.options.logger?.warn(`could not renew ${this.options.name} for ${this.options.ttlMs} ms; standing down: ${(error as Error).message}`);
          break;
        }
      }
    }
    term.abort();
    stopped.removeEventListener('abort', onStop);
    await running;
    const lease = this.held!;
    this.held = null;
    // Handing over at once on a graceful stop; after a loss there is nothing left to release.
    if (stopped.aborted || finished) await this.leases.release(lease).catch(() => undefined);
    if (finished && !stopped.aborted) await sleep(this.checkEveryMs, stopped);
  }
}
