import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Clock, Roles } from '@refund-desk/platform';
import { Insights, InsightsQuery, ProjectionRunner, trendAnalytics, Trends, TrendsQuery } from '@refund-desk/read-models';
import { ApiCommonProblems, ApiProblems } from '../http/openapi';
import { awaitMinPosition, MIN_POSITION_HEADERS } from '../read-models/consistency';
import { InsightsQueryDto, InsightsResponse, PeriodQueryDto, TrendsQueryDto, TrendsResponse } from './analytics.dto';

const DEFAULT_DAYS = 90;

/** Trends and insights for whoever owns the policy, computed with SQL over the trend read model. */
@ApiTags('analytics')
@ApiBearerAuth()
@ApiCommonProblems()
@ApiProblems(400)
@Controller('v1/analytics')
export class AnalyticsController {
  constructor(
    private readonly trendsQuery: TrendsQuery,
    private readonly insightsQuery: InsightsQuery,
    private readonly runner: ProjectionRunner,
    private readonly clock: Clock,
  ) {}

  @Get('trends')
  @Roles('manager', 'senior_manager', 'auditor', 'admin')
  @ApiOperation({
    operationId: 'getTrends',
    summary: 'Requests, escalations, approvals, denials, approval rate, refunds, time to decision, SLA breaches and satisfaction per period',
    description: 'Each figure counts in the bucket of the moment it happened (logged, escalated, decided, settled, asked, deadline missed).',
  })
  @ApiOkResponse({ type: TrendsResponse, description: 'The figures per bucket', headers: MIN_POSITION_HEADERS })
  async trends(@Query() query: TrendsQueryDto, @Res({ passthrough: true }) reply: FastifyReply): Promise<Trends> {
    await awaitMinPosition(this.runner, trendAnalytics, query.minPosition, reply);
    const now = this.clock.now();
    return this.trendsQuery.trends({ ...this.period(query, now), interval: query.interval ?? 'week', groupBy: query.groupBy }, now);
  }

  @Get('insights')
  @Roles('manager', 'senior_manager', 'admin')
  @ApiOperation({
    operationId: 'getInsights',
    summary: 'Findings for the policy owner, with the figures behind them',
    description:
      'Categories whose exceptions mostly missed the window by a few days, products with rising defect claims, repeat requesters, ' +
      'the cost of exceptions per period, and the approval rate under each policy version.',
  })
  @ApiOkResponse({ type: InsightsResponse, description: 'The findings', headers: MIN_POSITION_HEADERS })
  async insights(@Query() query: InsightsQueryDto, @Res({ passthrough: true }) reply: FastifyReply): Promise<Insights> {
    await awaitMinPosition(this.runner, trendAnalytics, query.minPosition, reply);
    return this.insightsQuery.insights({
      ...this.period(query, this.clock.now()),
      interval: query.interval ?? 'month',
      minCases: query.minCases ?? 5,
      nearMissDays: query.nearMissDays ?? 7,
    });
  }

  private period(query: PeriodQueryDto, now: Date): { from: Date; to: Date } {
    const to = query.to ? new Date(query.to) : now;
    const from = query.from ? new Date(query.from) : new Date(to.getTime() - DEFAULT_DAYS * 86_400_000);
    return { from, to };
  }
}
