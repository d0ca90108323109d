import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import { createHttpAdapter, instrumentHttp } from '@refund-desk/http-process';
import { createStartupLogger, failStartup, loadAppConfig, setServiceName, StartupNestLogger } from '@refund-desk/platform';
import { ProjectorProcessModule } from './projector-process.module';

setServiceName('refund-desk-projector');
const startupLogger = createStartupLogger();

async function main(): Promise<void> {
  // This process exists to run the projections; PROJECTIONS_ENABLED=false would leave it idle.
  process.env.PROJECTIONS_ENABLED = 'true';
  const config = loadAppConfig();
  const app = await NestFactory.create<NestFastifyApplication>(ProjectorProcessModule, createHttpAdapter(config), {
    logger: new StartupNestLogger(startupLogger),
    abortOnError: false,
  });
  app.useLogger(app.get(Logger));
  instrumentHttp(app);
  app.enableShutdownHooks();
  await app.listen(config.PORT, config.HOST);
}

main().catch((error: unknown) => failStartup(error));
