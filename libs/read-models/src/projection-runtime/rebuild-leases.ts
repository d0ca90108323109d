import { assertLeaseHeld, Lease, Leadership, LeaseLostError, Leases, SqlDatabase, SqlExecutor } from '@refund-desk/database';

/**
 * How long a rebuild's lease runs without renewal when nobody says otherwise. Longer than the
 * projections' lease (LEADER_LEASE_TTL_MS, 3 s) on purpose: a rebuild batch (5000 events) can hold
 * the embedded store's only connection for seconds, and a renewal queued behind it must not find
 * the lease already run out, or a healthy rebuild is stopped. The cost is small: only after a
 * rebuild is killed does the next rebuild of that read model wait, at most this long; a rebuild
 * that ends (done, failed, aborted) releases its leases at once, and nothing else waits on them.
 */
export const REBUILD_LEASE_TTL_MS = 30_000;

/** The lease that lets one process at a time rebuild a read model. */
export const rebuildLeaseName = (readModel: string): string => `rebuild:${readModel}`;

/** Another process (a replica, the CLI) holds the rebuild lease of a read model: this rebuild did not start. */
export class RebuildBusyError extends Error {
  constructor(
    readonly readModel: string,
    /** Who rebuilds it: a REPLICA_ID (host, pid, random part), or null when its lease ran out as we looked. */
    readonly holder: string | null,
  ) {
    super(
      `Read model ${readModel} is being rebuilt by ${holder ?? 'another process'}; ` +
        'wait for that rebuild to finish (or, if that process died, for its lease to run out) and try again',
    );
    this.name = 'RebuildBusyError';
  }
}

export interface RebuildLeaseOptions {
  /** Who rebuilds, in the lease table and in the busy error others get. */
  readonly holder: string;
  readonly ttlMs: number;
}

/**
 * The leases of one rebuild, one per read model it rebuilds, taken all or none. While it runs
 * they are renewed every third of the TTL (keep), every write of the rebuild is fenced with them
 * (fence), and at the end they are released so the next rebuild need not wait for them to run out.
 */
export class RebuildLeases {
  private renewal?: { stop(): Promise<void> };

  private constructor(
    private readonly leases: Leases,
    private held: Lease[],
    readonly ttlMs: number,
  ) {}

  /**
   * Takes the lease of every read model, in name order; when one is held by someone else, gives
   * back those already taken and throws RebuildBusyError naming the read model and its holder.
   */
  static async acquire(db: SqlDatabase, readModels: readonly string[], options: RebuildLeaseOptions): Promise<RebuildLeases> {
    await Leadership.prepare(db);
    const leases = new Leases(db);
    const taken: Lease[] = [];
    const giveBack = () => Promise.all(taken.map((lease) => leases.release(lease).catch(() => false)));
    try {
      for (const readModel of [...new Set(readModels)].sort()) {
        const lease = await leases.tryAcquire(rebuildLeaseName(readModel), options.holder, options.ttlMs);
        if (!lease) {
          const current = await leases.holder(rebuildLeaseName(readModel));
          throw new RebuildBusyError(readModel, current?.holder ?? null);
        }
        taken.push(lease);
      }
    } catch (error) {
      await giveBack();
      throw error;
    }
    return new RebuildLeases(leases, taken, options.ttlMs);
  }

  /** The lease names and tokens held, for logs and tests. */
  get current(): readonly Lease[] {
    return this.held;
  }

  /**
   * Run first in every transaction the rebuild writes in: refuses it (LeaseLostError, the
   * transaction rolls back) once any of the leases was taken over or ran out, and makes a takeover
   * wait until a write already under way has committed.
   */
  readonly fence = async (tx: SqlExecutor): Promise<void> => {
    for (const lease of this.held) await assertLeaseHeld(tx, lease);
  };

  /**
   * Renews the leases every third of the TTL until stop(). `lost` is called once when a renewal is
   * refused (another process took a lease over), or when none has succeeded for a whole TTL (the
   * database is unreachable: by now another process may have taken them).
   */
  keep(lost: (error: LeaseLostError) => void): void {
    if (this.renewal) return;
    const everyMs = Math.max(50, Math.floor(this.ttlMs / 3));
    let lastRenewed = Date.now();
    let stopped = false;
    let timer: NodeJS.Timeout | undefined;
    let wake: (() => void) | undefined;
    const loop = (async () => {
      while (!stopped) {
        await new Promise<void>((resolve) => {
          wake = resolve;
          timer = setTimeout(resolve, everyMs);
        });
        if (stopped) return;
        try {
          const renewed: Lease[] = [];
          for (const lease of this.held) {
            const next = await this.leases.renew(lease, this.ttlMs);
            if (!next) return lost(new LeaseLostError(lease));
            renewed.push(next);
          }
          this.held = renewed;
          lastRenewed = Date.now();
        } catch {
          // Unknown whether the leases still stand: keep going until a whole TTL has passed without
          // a renewal; the fence refuses any write made after they ran out meanwhile.
          if (Date.now() - lastRenewed >= this.ttlMs) return lost(new LeaseLostError(this.held[0]));
        }
      }
    })();
    this.renewal = {
      stop: async () => {
        stopped = true;
        clearTimeout(timer);
        wake?.();
        await loop;
      },
    };
  }

  /** Stops renewing and gives every lease back; one that was taken over meanwhile is left to its new holder. */
  async release(): Promise<void> {
    await this.renewal?.stop();
    await Promise.all(this.held.map((lease) => this.leases.release(lease).catch(() => false)));
  }
}
