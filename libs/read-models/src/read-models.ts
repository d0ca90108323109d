import { customerHistory } from './customer-history/customer-history.read-model';
import { dueDeadlines } from './due-deadlines/due-deadlines.read-model';
import { customerTimeline } from './customer-timeline/customer-timeline.read-model';
import { followUpQueue } from './follow-up-queue/follow-up-queue.read-model';
import { managerQueue } from './manager-queue/manager-queue.read-model';
import { trendAnalytics } from './trend-analytics/trend-analytics.read-model';

/**
 * Every read model, in the order status and health list them. Adding a read model is adding its
 * folder and one entry here: registration, status, rebuild and the rebuild routes follow.
 */
export const READ_MODELS = [customerHistory, managerQueue, followUpQueue, customerTimeline, trendAnalytics, dueDeadlines] as const;
