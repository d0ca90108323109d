/**
 * `npm run bench`: every scenario of issue 7 side by side in one run on the same PostgreSQL
 * server (and PGlite for the embedded rows), a table on stdout, a JSON report under
 * bench/results/. Progress goes to stderr.
 *
 *   npm run bench                          quick sizes (a few minutes)
 *   npm run bench -- --size full           the sizes (100k appends, 1M-event rebuild; about an hour)
 *   npm run bench -- --only append,rebuild --store postgres
 *
 * The server is BENCH_DATABASE_URL, else TEST_DATABASE_URL, else postgres://postgres@127.0.0.1:5432/test;
 * each run works in a database of its own and drops it at the end.
 */
import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Client } from 'pg';
import { AppendCell, runAppendScenario } from './scenarios/append';
import { CommandPathCell, runCommandPathScenario } from './scenarios/command-path';
import { HttpCell, runHttpScenario } from './scenarios/http';
import { LagCell, runLagScenario } from './scenarios/lag';
import { FailoverCell, runFailoverScenario } from './scenarios/failover';
import { RebuildCell, runRebuildScenario } from './scenarios/rebuild';
import { runScaleScenario, ScaleCell } from './scenarios/scale';
import { BENCH_SERVER_URL, ScratchDatabase, serverFacts } from './support/postgres';
import { say } from './support/progress';
import { printReport, Target, targetsOf } from './support/report';

const SCENARIOS = ['append', 'command', 'http', 'rebuild', 'lag', 'failover', 'scale'] as const;
type Scenario = (typeof SCENARIOS)[number];
/** Run only when asked for (--only): the scale scenario fills a store of ten million events (about half an hour). */
const ON_REQUEST: readonly Scenario[] = ['scale'];

const SIZES = {
  quick: { appends: 5_000, streams: 500, commands: 3_000, cases: 300, pgliteAppends: 2_000, pgliteCommands: 1_000, writers: [1, 8, 32], rebuild: [100_000], httpSeconds: 10, lagSeconds: 20, failoverRounds: 4 },
  full: { appends: 100_000, streams: 10_000, commands: 100_000, cases: 10_000, pgliteAppends: 100_000, pgliteCommands: 100_000, writers: [1, 8, 32], rebuild: [100_000, 1_000_000], httpSeconds: 30, lagSeconds: 60, failoverRounds: 16 },
} as const;

const HELP = `npm run bench -- [options]
  --size quick|full        preset sizes (default quick; full = the issue's 100k appends and 1M-event rebuild)
  --only LIST              scenarios, comma-separated: ${SCENARIOS.join(',')} (default all but ${ON_REQUEST.join(',')})
  --store postgres|pglite|both   stores for the append and command-path scenarios (default both)
  --appends N --streams N  append workload on PostgreSQL (commands use the same numbers)
  --writers LIST           concurrent writers, e.g. 1,8,32
  --events LIST            rebuild sizes, e.g. 100000,1000000
  --rate N                 requests/s for the fixed-rate HTTP run and the lag run (default 500)
  --seconds N              length of each HTTP and lag run
  --rounds N               failover: leaders ended (SIGKILL and SIGTERM by turns; default 4, full 16)
  --scale-events LIST      scale: store sizes measured side by side (default 100000,10000000)`;

function parse() {
  const { values } = parseArgs({
    options: {
      size: { type: 'string', default: 'quick' },
      only: { type: 'string' },
      store: { type: 'string', default: 'both' },
      appends: { type: 'string' },
      streams: { type: 'string' },
      writers: { type: 'string' },
      events: { type: 'string' },
      rate: { type: 'string', default: '500' },
      seconds: { type: 'string' },
      rounds: { type: 'string' },
      'scale-events': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    process.exit(0);
  }
  const fail = (message: string): never => {
    process.stderr.write(`${message}\n\n${HELP}\n`);
    process.exit(2);
  };
  if (values.size !== 'quick' && values.size !== 'full') fail(`--size must be quick or full, got "${values.size}"`);
  const size = SIZES[values.size as 'quick' | 'full'];
  const count = (name: string, raw: string | undefined, fallback: number): number => {
    if (raw === undefined) return fallback;
    const n = Number(raw);
    return Number.isSafeInteger(n) && n > 0 ? n : fail(`--${name} must be a whole number > 0, got "${raw}"`);
  };
  const list = (name: string, raw: string | undefined, fallback: readonly number[]): number[] =>
    raw === undefined ? [...fallback] : raw.split(',').map((part) => count(name, part.trim(), 0));
  const only = values.only === undefined ? SCENARIOS.filter((s) => !ON_REQUEST.includes(s)) : values.only.split(',').map((s) => s.trim());
  for (const scenario of only) if (!(SCENARIOS as readonly string[]).includes(scenario)) fail(`unknown scenario "${scenario}"`);
  if (!['postgres', 'pglite', 'both'].includes(values.store!)) fail(`--store must be postgres, pglite or both, got "${values.store}"`);
  const appends = count('appends', values.appends, size.appends);
  const streams = count('streams', values.streams, size.streams);
  return {
    size: values.size as 'quick' | 'full',
    only: only as Scenario[],
    stores: values.store === 'both' ? (['postgres', 'pglite'] as const) : ([values.store] as ('postgres' | 'pglite')[]),
    appends,
    streams,
    commands: values.appends ? appends : size.commands,
    cases: values.streams ? streams : size.cases,
    pgliteAppends: values.appends ? appends : size.pgliteAppends,
    pgliteCommands: values.appends ? appends : size.pgliteCommands,
    writers: list('writers', values.writers, size.writers),
    rebuild: list('events', values.events, size.rebuild),
    rate: count('rate', values.rate, 500),
    httpSeconds: count('seconds', values.seconds, size.httpSeconds),
    lagSeconds: count('seconds', values.seconds, size.lagSeconds),
    failoverRounds: count('rounds', values.rounds, size.failoverRounds),
    scaleEvents: list('scale-events', values['scale-events'], [100_000, 10_000_000]),
  };
}

const version = (pkg: string, from = join(__dirname, '..')): string | null => {
  try {
    return JSON.parse(readFileSync(require.resolve(`${pkg}/package.json`, { paths: [from] }), 'utf8')).version;
  } catch {
    return null;
  }
};

function gitCommit(): string | null {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: __dirname, encoding: 'utf8' }).trim();
  } catch {
    return null;
  }
}

async function reachable(): Promise<void> {
  const client = new Client({ connectionString: BENCH_SERVER_URL, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    await client.end();
  } catch (error) {
    process.stderr.write(`Cannot reach PostgreSQL at ${BENCH_SERVER_URL}: ${(error as Error).message}\nStart it, or set BENCH_DATABASE_URL.\n`);
    process.exit(2);
  }
}

async function main(): Promise<void> {
  const options = parse();
  await reachable();
  const started = new Date();
  const scratch = await ScratchDatabase.create();
  const checkpoint = async (): Promise<void> => {
    const client = new Client({ connectionString: scratch.url });
    await client.connect();
    await client.query('CHECKPOINT').catch(() => undefined); // needs superuser; without it the run is only noisier
    await client.end();
  };
  const append: AppendCell[] = [];
  const command: CommandPathCell[] = [];
  const http: HttpCell[] = [];
  const rebuild: RebuildCell[] = [];
  const lag: LagCell[] = [];
  const failover: FailoverCell[] = [];
  const scale: ScaleCell[] = [];
  try {
    for (const store of options.stores) {
      const pg = store === 'postgres';
      if (options.only.includes('append')) {
        append.push(
          ...(await runAppendScenario({
            store,
            appends: pg ? options.appends : options.pgliteAppends,
            streams: options.streams,
            // PGlite has one connection: more writers only queue for it.
            writers: pg ? options.writers : options.writers.filter((w) => w <= 8),
            scratch,
            checkpoint: pg ? checkpoint : undefined,
          })),
        );
      }
      if (options.only.includes('command')) {
        command.push(
          ...(await runCommandPathScenario({
            store,
            commands: pg ? options.commands : options.pgliteCommands,
            streams: options.cases,
            writers: pg ? options.writers : options.writers.filter((w) => w <= 8),
            scratch,
          })),
        );
      }
    }
    if (options.only.includes('http')) http.push(...(await runHttpScenario({ scratch, seconds: options.httpSeconds, rate: options.rate, queueCases: 500 })));
    if (options.only.includes('rebuild')) for (const events of options.rebuild) rebuild.push(await runRebuildScenario({ scratch, events }));
    if (options.only.includes('lag')) lag.push(await runLagScenario({ scratch, rate: options.rate, seconds: options.lagSeconds }));
    if (options.only.includes('failover')) failover.push(...(await runFailoverScenario({ scratch, rounds: options.failoverRounds })));
    if (options.only.includes('scale')) for (const events of options.scaleEvents) scale.push(await runScaleScenario({ scratch, events }));
  } finally {
    await scratch.drop();
  }

  const targets: Target[] = targetsOf({ append, http, rebuild, lag, failover, rate: options.rate });
  const report = {
    startedAt: started.toISOString(),
    seconds: Math.round((Date.now() - started.getTime()) / 1000),
    options,
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? null,
      memoryGiB: Number((totalmem() / 2 ** 30).toFixed(1)),
      node: process.version,
      postgres: await serverFacts(),
    },
    versions: {
      commit: gitCommit(),
      '@nestjs/core': version('@nestjs/core'),
      fastify: version('fastify'),
      pg: version('pg'),
      '@electric-sql/pglite': version('@electric-sql/pglite'),
      '@event-driven-io/emmett-postgresql': version('@event-driven-io/emmett-postgresql', join(__dirname, 'peers')),
      autocannon: version('autocannon'),
    },
    results: { append, commandPath: command, http, rebuild, lag, failover, scale },
    targets,
  };
  printReport(report);
  const dir = join(__dirname, 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `bench-${started.toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(dir, 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);
  say(`report saved to ${file}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
