import { defineReadModel } from '../read-model';
import { managerQueueProjection } from './manager-queue.projection';
import { ManagerQueueQuery } from './manager-queue.query';

/** Escalated, undecided cases: GET /v1/queues/manager. */
export const managerQueue = defineReadModel(managerQueueProjection, [ManagerQueueQuery]);
