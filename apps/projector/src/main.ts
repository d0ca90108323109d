import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import { ConfigError, loadAppConfig } from '@refund-desk/platform';
import { createHttpAdapter } from '../../api/src/bootstrap';
import { ProjectorProcessModule } from './projector-process.module';

async function main(): Promise<void> {
  // This process exists to run the projections; PROJECTIONS_ENABLED=false would leave it idle.
  process.env.PROJECTIONS_ENABLED = 'true';
  const config = loadAppConfig();
  const app = await NestFactory.create<NestFastifyApplication>(ProjectorProcessModule, createHttpAdapter(config), { bufferLogs: true });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();
  await app.listen(config.PORT, config.HOST);
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
