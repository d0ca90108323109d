import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController } from './health.controller';

/** /health, /health/live, /health/ready and /metrics, for every process that serves HTTP. */
@Module({
  // The controller logs each distinct failure with its cause; Terminus would log every failed probe again.
  imports: [TerminusModule.forRoot({ logger: false })],
  controllers: [HealthController],
})
export class HealthModule {}
