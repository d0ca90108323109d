import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CommandBus } from '@nestjs/cqrs';
import { AddNoteCommand, CommandContext, LogRequestCommand } from '@refund-desk/case-handling';
import { PgliteDatabase, PostgresDatabase, SqlDatabase } from '@refund-desk/database';
import { RefundRequest } from '@refund-desk/domain';
import { sampleRequest, startTestApp } from '../../test/support/test-app';
import { Progress, say } from '../support/progress';
import { ScratchDatabase } from '../support/postgres';
import { LatencySummary, perSecond, summarize } from '../support/stats';
import { runWriters } from '../support/workload';

export interface CommandPathCell {
  readonly scenario: 'command path';
  readonly store: 'postgres' | 'pglite';
  readonly writers: number;
  readonly commands: number;
  readonly streams: number;
  readonly commandsPerSecond: number;
  readonly latencyMs: LatencySummary;
  readonly errors: number;
  readonly firstError?: string;
}

const context = (): CommandContext => ({
  actor: { id: 'agent_bench', roles: ['agent'] },
  correlationId: randomUUID(),
  causationId: null,
});

/**
 * The append workload through the command handlers, as the API and the Kafka relay run them:
 * the first command of each case logs the request (RequestLogged), the rest add notes
 * (NoteAdded); each loads the case, decides, seals personal data and appends at the version it
 * loaded. The service runs without its projector, as the API process does.
 */
export async function runCommandPathScenario(options: {
  store: 'postgres' | 'pglite';
  commands: number;
  streams: number;
  writers: readonly number[];
  scratch?: ScratchDatabase;
}): Promise<CommandPathCell[]> {
  const cells: CommandPathCell[] = [];
  for (const writers of options.writers) {
    say(`command path on ${options.store}: ${writers} writer(s), ${options.commands} commands into ${options.streams} cases`);
    let database: SqlDatabase;
    let dataDir: string | undefined;
    if (options.store === 'postgres') {
      const schema = `commands_${randomBytes(4).toString('hex')}`;
      database = await PostgresDatabase.open({ connectionString: options.scratch!.url, schema, poolSize: Math.max(10, writers) });
    } else {
      dataDir = mkdtempSync(join(tmpdir(), 'refund-desk-bench-'));
      database = await PgliteDatabase.open({ dataDir: join(dataDir, 'db') });
    }
    const app = await startTestApp({ database, env: { PROJECTIONS_ENABLED: 'false' } });
    try {
      const bus = app.app.get(CommandBus);
      const cases = new Map<number, string>();
      const progress = new Progress('commands', options.commands);
      const run = await runWriters(
        { appends: options.commands, streams: options.streams, writers },
        async (job) => {
          if (job.expectedVersion === 0) {
            const request = sampleRequest(app.clock.now()) as unknown as RefundRequest;
            const result = await bus.execute(new LogRequestCommand(request, context()));
            cases.set(job.stream, result.caseId);
          } else {
            const caseId = cases.get(job.stream);
            if (!caseId) throw new Error(`case of stream ${job.stream} was not logged`);
            await bus.execute(new AddNoteCommand(caseId, { text: 'Customer called again about the courier scan.', evidence: [] }, context()));
          }
        },
        (done) => progress.tick(done),
      );
      cells.push({
        scenario: 'command path',
        store: options.store,
        writers,
        commands: options.commands,
        streams: options.streams,
        commandsPerSecond: perSecond(run.latenciesMs.length, run.ms),
        latencyMs: summarize(run.latenciesMs, 2),
        errors: run.errors,
        ...(run.firstError ? { firstError: run.firstError } : {}),
      });
    } finally {
      await app.close();
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    }
  }
  return cells;
}
