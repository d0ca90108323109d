import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import { createHttpAdapter, instrumentHttp } from '@refund-desk/http-process';
import { ConfigError, createStartupLogger, failStartup, loadAppConfig, setServiceName, StartupNestLogger } from '@refund-desk/platform';
import { KafkaRelayProcessModule } from './kafka-relay-process.module';

setServiceName('refund-desk-kafka-relay');
const startupLogger = createStartupLogger();

async function main(): Promise<void> {
  // The projector keeps the read models; this process only reads them.
  process.env.PROJECTIONS_ENABLED ??= 'false';
  const config = loadAppConfig();
  if (!config.KAFKA_BROKERS) throw new ConfigError(['KAFKA_BROKERS must be set for the Kafka relay (host:port[,host:port...])']);
  const app = await NestFactory.create<NestFastifyApplication>(KafkaRelayProcessModule, createHttpAdapter(config), {
    logger: new StartupNestLogger(startupLogger),
    abortOnError: false,
  });
  app.useLogger(app.get(Logger));
  instrumentHttp(app);
  app.enableShutdownHooks();
  // /health (503 while the relay has no consumer in its group), the probes and /metrics only.
  await app.listen(config.PORT, config.HOST);
}

main().catch((error: unknown) => failStartup(error));
