import { Module } from '@nestjs/common';
import { CaseHandlingModule } from '@refund-desk/case-handling';
import { DeadlineScheduler } from './deadline-scheduler';

/**
 * Deadlines that act. Runs where commands run (the API and the all-in-one process); the due
 * deadlines come from the read models, which ReadModelsModule provides globally.
 */
@Module({
  imports: [CaseHandlingModule],
  providers: [DeadlineScheduler],
  exports: [DeadlineScheduler],
})
export class DeadlinesModule {}
