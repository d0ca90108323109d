export { DeadlineScheduler, SCHEDULER_ACTOR, SCHEDULER_LEASE } from './deadline-scheduler';
export type { DueDeadline, DueDeadlineSource, TickResult } from './deadline-scheduler';
export { DeadlinesModule } from './deadlines.module';
