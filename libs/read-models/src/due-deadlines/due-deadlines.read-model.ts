import { defineReadModel } from '../read-model';
import { dueDeadlinesProjection } from './due-deadlines.projection';
import { DueDeadlinesQuery } from './due-deadlines.query';

/** Open deadlines of every case: what the deadline scheduler records as missed, and the late refunds list. */
export const dueDeadlines = defineReadModel(dueDeadlinesProjection, [DueDeadlinesQuery]);
