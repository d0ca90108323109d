import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Clock, Roles } from '@refund-desk/platform';
import { dueDeadlines, DueDeadlinesQuery, followUpQueue, FollowUpQueueQuery, managerQueue, ManagerQueueQuery, ProjectionRunner } from '@refund-desk/read-models';
import { ApiCommonProblems, ApiProblems } from '../http/openapi';
import { awaitMinPosition, MIN_POSITION_HEADERS } from '../read-models/consistency';
import { FollowUpQueueQueryDto, FollowUpQueueResponse, LateRefundsQueryDto, LateRefundsResponse, ManagerQueueQueryDto, ManagerQueueResponse } from './queues.dto';

const DEFAULT_LIMIT = 50;

/** Work queues, served from their read models. */
@ApiTags('queues')
@ApiBearerAuth()
@ApiCommonProblems()
@ApiProblems(400)
@Controller('v1/queues')
export class QueuesController {
  constructor(
    private readonly managerQueue: ManagerQueueQuery,
    private readonly followUpQueue: FollowUpQueueQuery,
    private readonly deadlines: DueDeadlinesQuery,
    private readonly runner: ProjectionRunner,
    private readonly clock: Clock,
  ) {}

  @Get('manager')
  @Roles('manager', 'senior_manager')
  @ApiOperation({
    operationId: 'listManagerQueue',
    summary: 'Cases waiting for a manager (a decision, an appeal verdict, a second approval): priority first, then the earliest deadline',
    description: 'Filters combine; a page holds `limit` items (50 by default) and `nextCursor` fetches the next one.',
  })
  @ApiOkResponse({ type: ManagerQueueResponse, description: 'A page of the queue', headers: MIN_POSITION_HEADERS })
  async manager(@Query() query: ManagerQueueQueryDto, @Res({ passthrough: true }) reply: FastifyReply): Promise<ManagerQueueResponse> {
    await awaitMinPosition(this.runner, managerQueue, query.minPosition, reply);
    const now = this.clock.now();
    const page = await this.managerQueue.list(
      {
        assignee: query.assignee,
        unassigned: query.unassigned,
        priorities: query.priority,
        slaBreached: query.slaBreached,
        reasonCode: query.reasonCode,
        category: query.category,
        requiredAuthority: query.requiredAuthority,
        waitingFor: query.waitingFor,
        customerId: query.customerId,
        limit: query.limit ?? DEFAULT_LIMIT,
        cursor: query.cursor,
      },
      now,
    );
    return { items: [...page.items] as ManagerQueueResponse['items'], nextCursor: page.nextCursor, asOf: now.toISOString() };
  }

  @Get('follow-up')
  @Roles('agent', 'manager')
  @ApiOperation({
    operationId: 'listFollowUpQueue',
    summary: 'Decided cases whose follow-up is due (the policy sets the delay after the decision)',
    description: 'Longest overdue first; a case leaves the queue when FollowedUp or CaseClosed is recorded.',
  })
  @ApiOkResponse({ type: FollowUpQueueResponse, description: 'A page of the queue', headers: MIN_POSITION_HEADERS })
  async followUp(@Query() query: FollowUpQueueQueryDto, @Res({ passthrough: true }) reply: FastifyReply): Promise<FollowUpQueueResponse> {
    await awaitMinPosition(this.runner, followUpQueue, query.minPosition, reply);
    const now = this.clock.now();
    const page = await this.followUpQueue.list(
      { outcome: query.outcome, channel: query.channel, customerId: query.customerId, limit: query.limit ?? DEFAULT_LIMIT, cursor: query.cursor },
      now,
    );
    return { items: [...page.items], nextCursor: page.nextCursor, asOf: now.toISOString() };
  }

  @Get('late-refunds')
  @Roles('agent', 'manager', 'senior_manager')
  @ApiOperation({
    operationId: 'listLateRefunds',
    summary: 'Refunds not settled by their deadline (legal or policy), as the deadline scheduler recorded them',
    description: 'Longest overdue first; a refund leaves the list when RefundSettled or CaseClosed is recorded.',
  })
  @ApiOkResponse({ type: LateRefundsResponse, description: 'A page of the list', headers: MIN_POSITION_HEADERS })
  async lateRefunds(@Query() query: LateRefundsQueryDto, @Res({ passthrough: true }) reply: FastifyReply): Promise<LateRefundsResponse> {
    await awaitMinPosition(this.runner, dueDeadlines, query.minPosition, reply);
    const now = this.clock.now();
    const page = await this.deadlines.lateRefunds({ limit: query.limit ?? DEFAULT_LIMIT, cursor: query.cursor });
    return { items: [...page.items], nextCursor: page.nextCursor, asOf: now.toISOString() };
  }
}
