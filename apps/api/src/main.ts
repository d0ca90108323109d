import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createHttpAdapter } from '@refund-desk/http-process';
import { createStartupLogger, failStartup, loadAppConfig, setServiceName, StartupNestLogger } from '@refund-desk/platform';
import { configureHttpApp } from '@refund-desk/http-api';
import { ApiProcessModule } from './api-process.module';

setServiceName('refund-desk-api');
const startupLogger = createStartupLogger();

async function main(): Promise<void> {
  // In its own process the API leaves the projections to the projector unless told otherwise.
  process.env.PROJECTIONS_ENABLED ??= 'false';
  const config = loadAppConfig();
  // Until the application's logger exists, Nest logs (and a failed start is reported) as the same JSON lines.
  const app = await NestFactory.create<NestFastifyApplication>(ApiProcessModule, createHttpAdapter(config), {
    logger: new StartupNestLogger(startupLogger),
    abortOnError: false,
  });
  await configureHttpApp(app, config);
  await app.listen(config.PORT, config.HOST);
}

main().catch((error: unknown) => failStartup(error));
