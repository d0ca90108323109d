import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { ConfigError, loadAppConfig } from '@refund-desk/platform';
import { KafkaRelayProcessModule } from './kafka-relay-process.module';

async function main(): Promise<void> {
  // The projector keeps the read models; this process only reads them.
  process.env.PROJECTIONS_ENABLED ??= 'false';
  const config = loadAppConfig();
  if (!config.KAFKA_BROKERS) throw new ConfigError(['KAFKA_BROKERS must be set for the Kafka relay (host:port[,host:port...])']);
  const app = await NestFactory.createApplicationContext(KafkaRelayProcessModule, { bufferLogs: true });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();
  await app.init();
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
