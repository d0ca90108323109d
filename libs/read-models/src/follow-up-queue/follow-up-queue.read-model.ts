import { defineReadModel } from '../read-model';
import { followUpQueueProjection } from './follow-up-queue.projection';
import { FollowUpQueueQuery } from './follow-up-queue.query';

/** Decided cases whose follow-up is due: GET /v1/queues/follow-up. */
export const followUpQueue = defineReadModel(followUpQueueProjection, [FollowUpQueueQuery]);
