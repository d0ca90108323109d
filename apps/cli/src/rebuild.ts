import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { SingleBar } from 'cli-progress';
import { DatabaseModule, LeaseLostError, SQL_DATABASE, SqlDatabase } from '@refund-desk/database';
import { EventStoreModule, SealedEventLog } from '@refund-desk/event-store';
import { loadAppConfig, PlatformModule } from '@refund-desk/platform';
import { READ_MODELS, RebuildBusyError, rebuildReadModels, ReadModelsModule } from '@refund-desk/read-models';

@Module({ imports: [PlatformModule, DatabaseModule, EventStoreModule, ReadModelsModule] })
class RebuildModule {}

export interface RebuildCommandOptions {
  /** Events per committed batch; the rebuild's own default when absent. */
  readonly batchSize?: number;
  readonly restart: boolean;
}

/**
 * Rebuilds read models against DATABASE_URL (or the embedded store when no service holds it)
 * with a progress bar; the running service keeps serving the old tables until the swap. Refused,
 * naming who, while another process (a replica, another CLI) rebuilds one of them.
 */
export async function rebuildCommand(name: string, options: RebuildCommandOptions): Promise<void> {
  // The rebuild is this process's only work; a projector here would compete with the service's.
  process.env.PROJECTIONS_ENABLED = 'false';
  process.env.LOG_LEVEL ??= 'warn';
  const config = loadAppConfig();
  let app;
  try {
    app = await NestFactory.createApplicationContext(RebuildModule, { logger: false, abortOnError: false });
  } catch (error) {
    const message = (error as Error).message;
    if (config.usesEmbeddedDatabase && /in use by process/.test(message)) {
      throw new Error(
        `${message}\nThe running service holds the embedded database: rebuild inside it instead with\n` +
          `  curl -XPOST localhost:${config.PORT}/v1/admin/read-models/${name}/rebuild -H "Authorization: Bearer <admin token>"`,
        { cause: error },
      );
    }
    throw error;
  }
  try {
    const chosen = READ_MODELS.filter((readModel) => name === 'all' || readModel.name === name).map((readModel) => readModel.projection);
    if (chosen.length === 0) throw new Error(`Unknown read model ${name}; known: ${READ_MODELS.map((readModel) => readModel.name).join(', ')}, or all`);
    const bar = new SingleBar({
      format: 'rebuild {models} [{bar}] {percentage}% | position {value}/{total} | {rate} events/s | {phase}',
      hideCursor: true,
    });
    bar.start(1, 0, { models: chosen.map((p) => p.name).join(', '), rate: 0, phase: 'starting' });
    let result;
    try {
      result = await rebuildReadModels(app.get<SqlDatabase>(SQL_DATABASE), app.get(SealedEventLog), chosen, {
        batchSize: options.batchSize,
        restart: options.restart,
        leaseTtlMs: config.REBUILD_LEASE_TTL_MS,
        onProgress: (progress) => {
          bar.setTotal(Math.max(1, progress.headPosition ?? 0));
          bar.update(progress.position ?? 0, { rate: progress.eventsPerSecond, phase: progress.phase });
        },
      });
    } catch (error) {
      bar.stop();
      // main prints the message and exits 1; the busy case says who, without a stack trace.
      if (error instanceof RebuildBusyError) throw new Error(`Not rebuilt: ${error.message}.`, { cause: error });
      if (error instanceof LeaseLostError) {
        throw new Error(`Rebuild stopped: ${error.message} (another process took it over); what was committed is kept, and running it again resumes.`, {
          cause: error,
        });
      }
      throw error;
    }
    bar.update(result.headPosition ?? result.position ?? 0, { rate: result.eventsPerSecond, phase: 'done' });
    bar.stop();
    const generations = Object.entries(result.generations).map(([model, generation]) => `${model}@g${generation}`).join(', ');
    process.stdout.write(
      `Rebuilt ${generations}: ${result.eventsRead} events in ${result.elapsedSeconds.toFixed(1)} s (${result.eventsPerSecond} events/s), swapped in.\n`,
    );
  } finally {
    await app.close();
  }
}
