/**
 * `npm run bench:profile`: where the API's CPU goes per POST /v1/cases. The service runs as in the
 * HTTP bench (PostgreSQL, request logging on, no projector in the process) and autocannon loads it
 * from a process of its own; V8's sampling profiler records the service's process meanwhile.
 * Prints CPU milliseconds per request by library and the heaviest functions, and writes the
 * .cpuprofile under bench/results/ (open it in Chrome DevTools or speedscope).
 *
 *   npm run bench:profile                          10 s at 32 connections
 *   npm run bench:profile -- --seconds 20 --connections 16 --route queue
 *   npm run bench:profile -- --rate 500 --projector   as the lag scenario runs: API and projector in one process
 */
import 'reflect-metadata';
import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { PostgresDatabase } from '@refund-desk/database';
import { sampleRequest, startTestApp } from '../test/support/test-app';
import { LoadOptions, runLoad } from './support/load';
import { productionLogSink } from './support/logs';
import { ScratchDatabase } from './support/postgres';
import { say } from './support/progress';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

const ROOT = resolve(__dirname, '..');

/** The library a function belongs to: an npm package, one of ours, Node itself or V8's bookkeeping. */
export function bucketOf(url: string, functionName: string): string {
  if (!url) {
    if (functionName === '(garbage collector)') return 'V8: garbage collection';
    if (functionName === '(idle)') return '(idle)';
    return functionName.startsWith('(') ? `V8: ${functionName.slice(1, -1)}` : 'V8: native';
  }
  const path = url.replace(/^file:\/\//, '');
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  if (pkg) return pkg[1];
  if (path.startsWith('node:')) return `node: ${path.slice(5).split('/')[0]}`;
  const own = relative(ROOT, path);
  const ours = /^(libs|apps)\/([^/]+)\//.exec(own);
  if (ours) return `${ours[1]}/${ours[2]}`;
  return own.startsWith('..') ? path : own;
}

/** Self time of each sampled node, in microseconds. */
function selfTimes(profile: CpuProfile): Map<number, number> {
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  return self;
}

export function summarize(profile: CpuProfile, requests: number): string {
  const self = selfTimes(profile);
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const buckets = new Map<string, number>();
  const functions = new Map<string, number>();
  let busy = 0;
  for (const [id, us] of self) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    const bucket = bucketOf(url, functionName);
    if (bucket === '(idle)') continue;
    busy += us;
    buckets.set(bucket, (buckets.get(bucket) ?? 0) + us);
    const name = `${functionName || '(anonymous)'} ${url ? `${relative(ROOT, url.replace(/^file:\/\//, ''))}:${lineNumber + 1}` : ''}`.trim();
    functions.set(name, (functions.get(name) ?? 0) + us);
  }
  const perRequest = (us: number) => (us / 1000 / requests).toFixed(3);
  const share = (us: number) => `${((100 * us) / busy).toFixed(1)}%`;
  const rows = (map: Map<string, number>, limit: number) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, limit)
      .map(([name, us]) => `  ${perRequest(us).padStart(7)} ms  ${share(us).padStart(6)}  ${name}`);
  const wall = (profile.endTime - profile.startTime) / 1e6;
  return [
    `${requests} requests in ${wall.toFixed(1)} s of profile; CPU busy ${(busy / 1e6).toFixed(1)} s = ${perRequest(busy)} ms per request`,
    '',
    'CPU per request by library (self time):',
    ...rows(buckets, 25),
    '',
    'Heaviest functions (self time):',
    ...rows(functions, 30),
  ].join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string', default: '10' },
      connections: { type: 'string', default: '32' },
      route: { type: 'string', default: 'post' },
      rate: { type: 'string' },
      projector: { type: 'boolean', default: false },
    },
  });
  const rate = values.rate === undefined ? undefined : Number(values.rate);
  const seconds = Number(values.seconds);
  const connections = Number(values.connections);
  if (!(seconds > 0) || !(connections > 0) || !['post', 'queue'].includes(values.route!) || (rate !== undefined && !(rate > 0))) {
    throw new Error('usage: bench:profile [--seconds N] [--connections N] [--route post|queue] [--rate N] [--projector]');
  }
  const scratch = await ScratchDatabase.create();
  const database = await PostgresDatabase.open({ connectionString: scratch.url, schema: 'profile', poolSize: 10 });
  const app = await startTestApp({ database, env: { PROJECTIONS_ENABLED: String(values.projector) }, logDestination: productionLogSink() });
  try {
    const load: Omit<LoadOptions, 'connections' | 'seconds'> =
      values.route === 'post'
        ? {
            url: `${app.url}/v1/cases`,
            method: 'POST' as const,
            body: JSON.stringify(sampleRequest(app.clock.now())),
            headers: { 'content-type': 'application/json', authorization: `Bearer ${app.token('bench_agent', ['agent'])}` },
          }
        : { url: `${app.url}/v1/queues/manager`, headers: { authorization: `Bearer ${app.token('bench_manager', ['manager'])}` } };
    say(
      `profile: warm-up, then ${seconds} s of ${values.route} at ${connections} connections${rate ? `, ${rate}/s` : ''}` +
        `${values.projector ? ', projector in the process' : ''} under the profiler`,
    );
    await runLoad({ ...load, connections, seconds: 3, rate });
    const session = new Session();
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 200 });
    await session.post('Profiler.start');
    const result = await runLoad({ ...load, connections, seconds, rate });
    const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: CpuProfile };
    session.disconnect();
    const ok = result.requests - result.non2xx - result.errors;
    const dir = join(ROOT, 'bench', 'results');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `profile-${values.route}-${new Date().toISOString().replace(/[:.]/g, '-')}.cpuprofile`);
    writeFileSync(file, JSON.stringify(profile));
    process.stdout.write(
      `${values.route === 'post' ? 'POST /v1/cases' : 'GET /v1/queues/manager'}: ${result.requestsPerSecond} req/s, p50 ${result.latencyMs.p50} ms, p99 ${result.latencyMs.p99} ms, ` +
        `${result.non2xx} non-2xx, ${result.errors} errors\n${summarize(profile, Math.max(1, ok))}\n\nprofile: ${relative(ROOT, file)}\n`,
    );
  } finally {
    await app.close();
    await scratch.drop();
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`bench:profile failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  });
}
