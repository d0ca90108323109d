import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ConfigError, loadAppConfig } from '@refund-desk/platform';
import { ApiProcessModule } from './api-process.module';
import { configureHttpApp, createHttpAdapter } from './bootstrap';

async function main(): Promise<void> {
  // In its own process the API leaves the projections to the projector unless told otherwise.
  process.env.PROJECTIONS_ENABLED ??= 'false';
  const config = loadAppConfig();
  const app = await NestFactory.create<NestFastifyApplication>(ApiProcessModule, createHttpAdapter(config), { bufferLogs: true });
  await configureHttpApp(app, config);
  await app.listen(config.PORT, config.HOST);
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
