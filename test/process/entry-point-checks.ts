/** What the entry-point suites share: starting built processes, and the checks they make on them. */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { ensureBuilt, escalatingRequest, Exit, http, runCli, ServiceProcess } from '../support/processes';

const started: ServiceProcess[] = [];
/** Starts an entry point that the suite kills at the end whatever happens. */
export const start = (name: string, entry: string, env: Record<string, string>): ServiceProcess => {
  const service = ServiceProcess.start(name, entry, env);
  started.push(service);
  return service;
};

/** Builds once, and kills whatever the suite started, even when a test failed half-way. */
export function setUpProcessSuite(): void {
  jest.setTimeout(180_000);
  beforeAll(() => ensureBuilt(), 10 * 60_000);
  afterAll(() => {
    for (const service of started) service.kill();
  });
}

/** Stops everything still running gracefully (before dropping what they use). */
export async function stopAll(): Promise<void> {
  for (const service of started) await service.stop(5_000);
}

/** The token command of the built CLI, against the same secret as the services. */
export async function cliToken(env: Record<string, string>, sub: string, roles: string): Promise<string> {
  const minted = await runCli(['token', '--sub', sub, '--roles', roles], env);
  expect(minted).toMatchObject({ code: 0 });
  return minted.stdout.trim();
}

/** Logs a case and evaluates it; the default policy escalates it to the manager queue. */
export async function escalateOneCase(api: string, agent: string): Promise<{ caseId: string; position: number; evaluationMs: number }> {
  const logged = await http(api, 'POST', '/v1/cases', { token: agent, body: escalatingRequest(), headers: { 'idempotency-key': randomBytes(8).toString('hex') } });
  expect(logged.status).toBe(201);
  const begun = Date.now();
  const evaluated = await http(api, 'POST', `/v1/cases/${logged.body.caseId}/evaluation`, { token: agent });
  const evaluationMs = Date.now() - begun;
  expect(evaluated.status).toBe(200);
  expect(evaluated.body.status).toBe('escalated');
  return { caseId: logged.body.caseId, position: evaluated.body.position, evaluationMs };
}

export async function inManagerQueue(api: string, manager: string, caseId: string, position: number): Promise<boolean> {
  const queue = await http(api, 'GET', `/v1/queues/manager?minPosition=${position}&limit=200`, { token: manager });
  expect(queue.status).toBe(200);
  return queue.headers.get('x-min-position-reached') === 'true' && queue.body.items.some((item: { caseId: string }) => item.caseId === caseId);
}

/**
 * Shut down by SIGTERM with nothing left hanging: Nest runs the shutdown hooks, then raises the
 * signal again, so a clean stop ends by SIGTERM (a hung one would end by the SIGKILL of stop()).
 */
export function expectCleanExit(exit: Exit): void {
  expect([{ code: 0, signal: null }, { code: null, signal: 'SIGTERM' }]).toContainEqual(exit);
}

/** The relay's liveness file: written once its consumer fetches or heartbeats. */
export const relayAlive = (file: string): boolean => existsSync(file) && !Number.isNaN(Date.parse(readFileSync(file, 'utf8')));
