import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ConfigError, loadAppConfig } from '@refund-desk/platform';
import { configureHttpApp, createHttpAdapter } from '../../api/src/bootstrap';
import { RefundDeskModule } from './refund-desk.module';

async function main(): Promise<void> {
  const config = loadAppConfig();
  const app = await NestFactory.create<NestFastifyApplication>(RefundDeskModule, createHttpAdapter(config), { bufferLogs: true });
  await configureHttpApp(app, config);
  await app.listen(config.PORT, config.HOST);
}

main().catch((error: unknown) => {
  // A bad setting is named plainly rather than buried in a stack trace.
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
