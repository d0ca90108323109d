import { Global, Module } from '@nestjs/common';
import { AuthModule } from './auth/auth.module';
import { AppConfigModule } from './config/config.module';
import { LoggingModule } from './logging/logging.module';
import { Metrics } from './metrics/metrics';
import { Clock, IdGenerator, RandomIdGenerator, SystemClock } from './time/clock';

/** Configuration, logging, metrics, the clock and id generation: what every process needs. */
@Global()
@Module({
  imports: [AppConfigModule, LoggingModule],
  providers: [Metrics, { provide: Clock, useClass: SystemClock }, { provide: IdGenerator, useClass: RandomIdGenerator }],
  exports: [AppConfigModule, LoggingModule, Metrics, Clock, IdGenerator],
})
export class PlatformModule {}

/** Bearer-token authentication and role checks for processes that serve HTTP. */
export { AuthModule };
