import { defineReadModel } from '../read-model';
import { InsightsQuery } from './insights.query';
import { trendAnalyticsProjection } from './trend-analytics.projection';
import { TrendsQuery } from './trends.query';

/** Case facts and policy revisions: GET /v1/analytics/trends and /v1/analytics/insights. */
export const trendAnalytics = defineReadModel(trendAnalyticsProjection, [TrendsQuery, InsightsQuery]);
