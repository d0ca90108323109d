// Every read model (READ_MODELS) and the module that registers them.
export { ReadModelsModule } from './read-models.module';
export { READ_MODELS } from './read-models';
export type { ReadModel } from './read-model';

// Each read model's descriptor (controllers name it through this), query services, and what they take and answer.
export { customerHistory } from './customer-history/customer-history.read-model';
export { CustomerHistoryQuery } from './customer-history/customer-history.query';

export { customerTimeline } from './customer-timeline/customer-timeline.read-model';
export { CustomerTimelineQuery } from './customer-timeline/customer-timeline.query';
export type { CustomerTimeline, TimelineEntry, TimelineSummary } from './customer-timeline/customer-timeline.query';

export { followUpQueue } from './follow-up-queue/follow-up-queue.read-model';
export { FollowUpQueueQuery } from './follow-up-queue/follow-up-queue.query';
export type { FollowUpFilter, FollowUpItem } from './follow-up-queue/follow-up-queue.query';

export { managerQueue } from './manager-queue/manager-queue.read-model';
export { ManagerQueueQuery } from './manager-queue/manager-queue.query';
export type { ManagerQueueFilter, ManagerQueueItem } from './manager-queue/manager-queue.query';
export { WAITING_FOR } from './manager-queue/manager-queue.projection';
export type { WaitingFor } from './manager-queue/manager-queue.projection';

export { trendAnalytics } from './trend-analytics/trend-analytics.read-model';
export { TREND_GROUPINGS, TREND_INTERVALS, TrendsQuery } from './trend-analytics/trends.query';
export type { TrendBucket, TrendGrouping, TrendInterval, TrendQuery, Trends } from './trend-analytics/trends.query';
export { INSIGHT_KINDS, InsightsQuery } from './trend-analytics/insights.query';
export type { Insight, InsightKind, Insights, InsightsQueryInput } from './trend-analytics/insights.query';

export { dueDeadlines } from './due-deadlines/due-deadlines.read-model';
export { DueDeadlinesQuery } from './due-deadlines/due-deadlines.query';
export type { DueDeadline, LateRefund } from './due-deadlines/due-deadlines.query';

export type { Page } from './shared/pagination';

// The projection runtime as the processes use it: status and read-your-writes, rebuilds.
export { ProjectionRunner } from './projection-runtime/projection-runner';
export type { ProjectionStatus } from './projection-runtime/projection-runner';
export { ReadModelRebuilds } from './projection-runtime/read-model-rebuilds';
export type { RebuildJob } from './projection-runtime/read-model-rebuilds';
export { REBUILD_BATCH_SIZE, rebuildReadModels } from './projection-runtime/rebuild';
export { REBUILD_LEASE_TTL_MS, RebuildBusyError, rebuildLeaseName, RebuildLeases } from './projection-runtime/rebuild-leases';
export type { RebuildLeaseOptions } from './projection-runtime/rebuild-leases';
export type { RebuildOptions, RebuildProgress } from './projection-runtime/rebuild';
