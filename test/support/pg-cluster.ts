/**
 * A PostgreSQL cluster a suite creates, owns, stops, restarts and drops: for fault injection that
 * must never touch the shared server on 5432. Debian's postgresql-common tools manage it
 * (pg_createcluster runs as root and hands the cluster to the postgres user).
 */
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { freePort } from './processes';

const execFileAsync = promisify(execFile);
const PREFIX = 'rdfault';

/** The newest server version installed (its initdb is what pg_createcluster runs). */
function serverVersion(): string | null {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root)
    .filter((version) => existsSync(`${root}/${version}/bin/initdb`))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ?? null;
}

const hasCommand = (command: string): boolean => {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

/** Why a cluster cannot be created here, or null when it can. */
function clusterProblem(): string | null {
  if (process.platform !== 'linux') return 'creating a PostgreSQL cluster needs Debian\'s postgresql-common (Linux)';
  for (const command of ['pg_createcluster', 'pg_ctlcluster', 'pg_dropcluster', 'pg_lsclusters']) {
    if (!hasCommand(command)) return `${command} is missing (apt-get install postgresql-common postgresql)`;
  }
  if (!serverVersion()) return 'no PostgreSQL server is installed under /usr/lib/postgresql';
  if (process.getuid?.() !== 0) return 'pg_createcluster needs root';
  return null;
}

/**
 * A suite that creates its own PostgreSQL cluster. In CI one that cannot be created fails the
 * suite; elsewhere it is skipped with a message saying why.
 */
export function describeWithOwnCluster(name: string, body: () => void): void {
  const problem = clusterProblem();
  if (!problem) return describe(name, body);
  if (process.env.CI) {
    return describe(name, () => {
      it('needs a PostgreSQL cluster of its own', () => {
        throw new Error(`${problem}. CI requires it (.ci/run installs postgresql).`);
      });
    });
  }
  console.warn(`Skipping "${name}": ${problem}.`);
  describe.skip(name, body);
}

export const processAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** Clusters this helper made for test processes that died before dropping them (a killed jest). */
async function dropAbandonedClusters(version: string): Promise<void> {
  const { stdout } = await execFileAsync('pg_lsclusters', ['-h']);
  for (const line of stdout.split('\n')) {
    const [ver, cluster] = line.trim().split(/\s+/);
    const owner = new RegExp(`^${PREFIX}_(\\d+)_[0-9a-f]+$`).exec(cluster ?? '');
    if (ver === version && owner && !processAlive(Number(owner[1]))) {
      await execFileAsync('pg_dropcluster', ['--stop', ver, cluster]).catch(() => undefined);
    }
  }
}

export class OwnCluster {
  private dropped = false;

  private constructor(
    readonly version: string,
    readonly name: string,
    readonly port: number,
  ) {}

  /** Creates and starts a cluster on a free port, trusting local connections. */
  static async create(): Promise<OwnCluster> {
    const version = serverVersion()!;
    await dropAbandonedClusters(version);
    const name = `${PREFIX}_${process.pid}_${randomBytes(3).toString('hex')}`;
    const port = await freePort();
    const cluster = new OwnCluster(version, name, port);
    try {
      await execFileAsync('pg_createcluster', [version, name, '-p', String(port), '--', '--auth=trust'], { timeout: 120_000 });
      await cluster.start();
    } catch (error) {
      await cluster.drop();
      const { stderr } = error as { stderr?: string };
      throw new Error(`could not create the PostgreSQL cluster ${name}: ${(error as Error).message}\n${stderr ?? ''}`, { cause: error });
    }
    return cluster;
  }

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  /** Starts the server and waits until it accepts connections. */
  async start(): Promise<void> {
    await execFileAsync('pg_ctlcluster', ['--skip-systemctl-redirect', this.version, this.name, 'start'], { timeout: 60_000 });
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        await this.query('SELECT 1');
        return;
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  }

  /** Stops the server without a shutdown checkpoint (as a crash would); restart runs crash recovery. */
  async stopImmediately(): Promise<void> {
    await execFileAsync('pg_ctlcluster', ['--skip-systemctl-redirect', this.version, this.name, 'stop', '-m', 'immediate'], { timeout: 60_000 });
  }

  /** Ends every other session on this cluster (only this suite's service connects to it). */
  async terminateConnections(applicationName: string): Promise<number> {
    const rows = await this.query<{ terminated: number }>(
      // Materialised first, so the filter is applied before any backend is terminated.
      `WITH targets AS MATERIALIZED (SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND pid <> pg_backend_pid())
       SELECT (count(*) FILTER (WHERE pg_terminate_backend(pid)))::int AS terminated FROM targets`,
      [applicationName],
    );
    return rows[0].terminated;
  }

  async query<Row = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<Row[]> {
    const client = new Client({ connectionString: this.url, connectionTimeoutMillis: 5_000 });
    client.on('error', () => undefined);
    await client.connect();
    try {
      return (await client.query(sql, params)).rows as Row[];
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  /** Stops and removes the cluster (data and configuration); safe to call twice. */
  async drop(): Promise<void> {
    if (this.dropped) return;
    this.dropped = true;
    await execFileAsync('pg_dropcluster', ['--stop', this.version, this.name], { timeout: 60_000 }).catch(() => undefined);
  }
}
