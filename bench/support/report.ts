import type { AppendCell } from '../scenarios/append';
import type { CommandPathCell } from '../scenarios/command-path';
import type { HttpCell } from '../scenarios/http';
import type { LagCell } from '../scenarios/lag';
import type { RebuildCell } from '../scenarios/rebuild';
import type { ScaleCell } from '../scenarios/scale';
import type { FailoverCell } from '../scenarios/failover';
import { ratio } from './stats';

export interface Target {
  readonly goal: string;
  readonly measured: string;
  readonly met: boolean | null;
}

interface Results {
  readonly append: readonly AppendCell[];
  readonly http: readonly HttpCell[];
  readonly rebuild: readonly RebuildCell[];
  readonly lag: readonly LagCell[];
  readonly failover: readonly FailoverCell[];
  readonly rate: number;
}

const fmt = (n: number | null | undefined): string => (n === null || n === undefined ? '–' : n.toLocaleString('en-US'));

/** The issue's targets, judged from this run's own figures (ratios within one run). */
export function targetsOf(r: Results): Target[] {
  const targets: Target[] = [];
  const at = (writers: number, system: AppendCell['system']) =>
    r.append.find((c) => c.store === 'postgres' && c.writers === writers && c.system === system);
  // Issue 16: group commit takes appends past one durable commit per row.
  for (const [writers, goal] of [
    [8, 1.0],
    [32, 1.5],
  ] as const) {
    const ours = at(writers, 'refund-desk');
    if (!ours) continue;
    const raw = ratio(ours.appendsPerSecond, at(writers, 'raw INSERT')?.appendsPerSecond ?? 0);
    const limit = at(writers, 'raw INSERT, 100 rows/commit')?.appendsPerSecond;
    targets.push({
      goal: `append at ${writers} writers ≥ ${goal.toFixed(1)}× raw INSERT`,
      measured: `${raw ?? '–'}×${limit ? ` (${fmt(ours.appendsPerSecond)}/s; 100 rows/commit: ${fmt(limit)}/s)` : ''}`,
      met: raw === null ? null : raw >= goal,
    });
  }
  const ours = at(8, 'refund-desk');
  if (ours) {
    const peer = ratio(ours.appendsPerSecond, at(8, 'emmett-postgresql')?.appendsPerSecond ?? 0);
    targets.push({ goal: 'append at 8 writers ≥ 1.5× emmett-postgresql', measured: `${peer ?? '–'}×`, met: peer === null ? null : peer >= 1.5 });
  }
  for (const cell of r.rebuild) {
    const share = ratio(cell.eventsPerSecond, cell.bulkEventsPerSecond);
    targets.push({
      goal: `rebuild of ${fmt(cell.events)} events ≥ 0.5× bulk insert and ≥ 30k events/s`,
      measured: `${fmt(cell.eventsPerSecond)} events/s, ${share ?? '–'}× of ${fmt(cell.bulkEventsPerSecond)}`,
      met: share === null ? null : share >= 0.5 && cell.eventsPerSecond >= 30_000,
    });
  }
  const post = (target: HttpCell['target'], rate: number | null) =>
    r.http.find((c) => c.target === target && c.route === 'POST /v1/cases' && c.rate === rate);
  const ourMax = post('refund-desk', null);
  const bareMax = post('bare route', null);
  if (ourMax && bareMax) {
    const share = ratio(ourMax.requestsPerSecond, bareMax.requestsPerSecond);
    targets.push({ goal: 'HTTP POST /v1/cases ≥ 0.5× the bare route', measured: `${share ?? '–'}×`, met: share === null ? null : share >= 0.5 });
  }
  const ourRate = r.http.find((c) => c.target === 'refund-desk' && c.route === 'POST /v1/cases' && c.rate !== null);
  if (ourRate) {
    const kept = ourRate.requestsPerSecond >= 0.95 * (ourRate.rate ?? 0) && ourRate.non2xx + ourRate.errors === 0;
    targets.push({
      goal: `HTTP POST /v1/cases p99 < 50 ms at ${ourRate.rate} requests/s`,
      measured: `p99 ${ourRate.latencyMs.p99} ms at ${fmt(ourRate.requestsPerSecond)}/s${kept ? '' : ' (rate not kept or errors)'}`,
      met: ourRate.latencyMs.p99 < 50 && kept,
    });
  }
  for (const cell of r.lag) {
    const kept = cell.commandsPerSecond >= 0.95 * cell.rate && cell.failedCommands === 0;
    targets.push({
      goal: `projection lag p99 < 250 ms at ${cell.rate} commands/s`,
      measured: `p99 ${fmt(cell.lagMs.p99)} ms at ${fmt(cell.commandsPerSecond)} commands/s${kept ? '' : ' (rate not kept or errors)'}`,
      met: cell.lagMs.p99 < 250 && kept,
    });
  }
  for (const cell of r.failover) {
    targets.push({
      goal: `failover of ${cell.lease} < 5 s with default settings (TTL ${fmt(cell.ttlMs)} ms)`,
      measured: `max ${fmt(cell.takeoverMs.max)} ms over ${cell.kills}`,
      met: cell.takeoverMs.max < 5_000,
    });
  }
  return targets;
}

function table(title: string, header: string[], rows: (string | number | null)[][]): string {
  const cells = [header, ...rows.map((row) => row.map((v) => (typeof v === 'number' ? fmt(v) : (v ?? '–'))))];
  const widths = header.map((_, i) => Math.max(...cells.map((row) => String(row[i]).length)));
  const line = (row: (string | number)[]) => row.map((v, i) => (i === 0 ? String(v).padEnd(widths[i]) : String(v).padStart(widths[i]))).join('  ');
  return [`\n${title}`, line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

export function printReport(report: {
  machine: { cpus: number; cpuModel: string | null; node: string; postgres: Record<string, string> };
  results: { append: AppendCell[]; commandPath: CommandPathCell[]; http: HttpCell[]; rebuild: RebuildCell[]; lag: LagCell[]; scale: ScaleCell[]; failover: FailoverCell[] };
  targets: Target[];
}): void {
  const { machine, results } = report;
  const out: string[] = [
    `refund-desk bench — ${machine.cpus} CPUs (${machine.cpuModel}), Node ${machine.node}, PostgreSQL ${machine.postgres.server_version} (synchronous_commit=${machine.postgres.synchronous_commit}, fsync=${machine.postgres.fsync})`,
  ];
  if (results.append.length > 0) {
    out.push(
      table(
        'Append: single-event appends with optimistic concurrency, durable commits',
        ['store / system', 'writers', 'appends', 'appends/s', 'p50 ms', 'p99 ms', 'errors'],
        results.append.map((c) => [`${c.store} / ${c.system}`, c.writers, c.appends, c.appendsPerSecond, c.latencyMs.p50, c.latencyMs.p99, c.errors]),
      ),
    );
  }
  if (results.commandPath.length > 0) {
    out.push(
      table(
        'Command path: load, decide, seal personal data, append (log a request, then notes)',
        ['store', 'writers', 'commands', 'commands/s', 'p50 ms', 'p99 ms', 'errors'],
        results.commandPath.map((c) => [c.store, c.writers, c.commands, c.commandsPerSecond, c.latencyMs.p50, c.latencyMs.p99, c.errors]),
      ),
    );
  }
  if (results.http.length > 0) {
    out.push(
      table(
        'HTTP (autocannon in its own process)',
        ['target', 'route', 'rate', 'conns', 'req/s', 'p50 ms', 'p99 ms', 'non-2xx', 'errors'],
        results.http.map((c) => [c.target, c.route, c.rate ?? 'max', c.connections, c.requestsPerSecond, c.latencyMs.p50, c.latencyMs.p99, c.non2xx, c.errors]),
      ),
    );
  }
  if (results.rebuild.length > 0) {
    out.push(
      table(
        'Rebuild of every read model vs INSERT … SELECT of the same rows',
        ['events', 'rows', 'rebuild s', 'events/s', 'process CPU', 'bulk s', 'bulk events/s', 'share'],
        results.rebuild.map((c) => [
          c.events,
          c.rowsWritten,
          c.rebuildSeconds,
          c.eventsPerSecond,
          c.processCpuShare === undefined ? '–' : `${Math.round(c.processCpuShare * 100)}%`,
          c.bulkInsertSeconds,
          c.bulkEventsPerSecond,
          `${ratio(c.eventsPerSecond, c.bulkEventsPerSecond)}×`,
        ]),
      ),
    );
  }
  if (results.lag.length > 0) {
    out.push(
      table(
        'Projection lag while POST /v1/cases arrives at a fixed rate (API and projector in one process)',
        ['rate', 'achieved/s', 'cmd p99 ms', 'failed', 'lag p50 ms', 'lag p99 ms', 'lag max ms', 'drain ms'],
        results.lag.map((c) => [c.rate, c.commandsPerSecond, c.commandLatencyMs.p99, c.failedCommands, c.lagMs.p50, c.lagMs.p99, c.lagMs.max, c.drainMs]),
      ),
    );
  }
  if (results.scale.length > 0) {
    const cells = results.scale;
    const latency = (pick: (c: ScaleCell) => { p50: number; p99: number }) => cells.map((c) => `${pick(c).p50} / ${pick(c).p99}`);
    const rows: (string | number | null)[][] = [
      ['cases', ...cells.map((c) => c.cases)],
      ['fill in bulk, events/s', ...cells.map((c) => c.fillEventsPerSecond)],
      ['append, 1 writer, p50 / p99 ms', ...latency((c) => c.append1Writer)],
      ['append, 1 writer, appends/s', ...cells.map((c) => c.append1Writer.perSecond)],
      ['append, 8 writers, p50 / p99 ms', ...latency((c) => c.append8Writers)],
      ['append, 8 writers, appends/s', ...cells.map((c) => c.append8Writers.perSecond)],
      ['case load (read + fold), p50 / p99 ms', ...latency((c) => c.caseLoad)],
      ['catch-up from zero, s', ...cells.map((c) => c.catchUpSeconds)],
      ['catch-up from zero, events/s', ...cells.map((c) => c.catchUpEventsPerSecond)],
      ...Object.keys(cells[0].queries).map((name) => [`query: ${name}, p50 / p99 ms`, ...latency((c) => c.queries[name])]),
      ['events table with indexes and TOAST, MiB', ...cells.map((c) => c.storage.eventsTableMiB)],
      ['bytes per event (table + indexes)', ...cells.map((c) => c.storage.bytesPerEvent)],
      ...cells[0].storage.relations.map((r, i) => [
        `  ${r.name}, MiB${r.density !== undefined ? (r.name.includes('heap') ? ' (free %, dead %)' : ' (leaf density %)') : ''}`,
        ...cells.map((c) => {
          const rel = c.storage.relations[i];
          if (!rel) return null;
          if (rel.density === undefined || rel.density === null) return rel.mib;
          return rel.name.includes('heap') ? `${rel.mib} (${rel.density}, ${rel.deadTuplePercent})` : `${rel.mib} (${rel.density})`;
        }),
      ]),
      ['read models, MiB', ...cells.map((c) => c.storage.readModelsMiB)],
    ];
    out.push(table('The event log at scale: the same measurements on a small and a large store', ['measure', ...cells.map((c) => `${fmt(c.events)} events`)], rows));
  }
  if (results.failover.length > 0) {
    out.push(
      table(
        'Failover: three all-in-one replicas, the leader ended (SIGKILL, or SIGTERM handing over); time until another holds the lease',
        ['lease (signal)', 'TTL ms', 'rounds', 'min ms', 'median ms', 'max ms'],
        results.failover.map((c) => [c.lease, c.ttlMs, c.kills, c.takeoverMs.min, c.takeoverMs.median, c.takeoverMs.max]),
      ),
    );
  }
  if (report.targets.length > 0) {
    out.push(
      table(
        'Targets',
        ['goal', 'measured', 'met'],
        report.targets.map((t) => [t.goal, t.measured, t.met === null ? 'n/a' : t.met ? 'yes' : 'NO']),
      ),
    );
  }
  process.stdout.write(`${out.join('\n')}\n`);
}
