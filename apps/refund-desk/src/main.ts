import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createHttpAdapter } from '@refund-desk/http-process';
import { createStartupLogger, failStartup, loadAppConfig, StartupNestLogger } from '@refund-desk/platform';
import { configureHttpApp } from '@refund-desk/http-api';
import { RefundDeskModule } from './refund-desk.module';

const startupLogger = createStartupLogger();

async function main(): Promise<void> {
  const config = loadAppConfig();
  // Until the application's logger exists, Nest logs (and a failed start is reported) as the same JSON lines.
  const app = await NestFactory.create<NestFastifyApplication>(RefundDeskModule, createHttpAdapter(config), {
    logger: new StartupNestLogger(startupLogger),
    abortOnError: false,
  });
  await configureHttpApp(app, config);
  await app.listen(config.PORT, config.HOST);
}

// A bad setting or an unreachable dependency is named in one JSON line, and the process exits with 1.
main().catch((error: unknown) => failStartup(error));
