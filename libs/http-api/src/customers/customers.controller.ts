import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiParam, ApiProperty, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { HttpProblem, Roles } from '@refund-desk/platform';
import { customerTimeline, CustomerTimeline, CustomerTimelineQuery, ProjectionRunner } from '@refund-desk/read-models';
import { MoneyDto } from '@refund-desk/case-handling';
import { ApiCommonProblems, ApiProblems } from '../http/openapi';
import { awaitMinPosition, MIN_POSITION_HEADERS } from '../read-models/consistency';
import { ID, PagedQueryDto } from '../read-models/read-model-query.dto';

class TimelineEntryResponse {
  @ApiProperty({ type: 'integer', description: 'Global position in the event log' }) position!: number;
  @ApiProperty() caseId!: string;
  @ApiProperty({ type: 'integer', description: 'Version in the case stream' }) version!: number;
  @ApiProperty({ example: 'Decided' }) type!: string;
  @ApiProperty({ format: 'date-time' }) occurredAt!: string;
  @ApiProperty({ format: 'date-time' }) recordedAt!: string;
  @ApiProperty({ type: String, nullable: true }) actor!: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'The event data with personal data (names, contacts, free text) set to null' })
  data!: Record<string, unknown>;
}

class TimelineSummaryResponse {
  @ApiProperty({ type: 'integer' }) cases!: number;
  @ApiProperty({ type: 'integer', description: 'Cases decided with refund, partial refund, store credit, exchange or repair' }) approved!: number;
  @ApiProperty({ type: 'integer' }) denied!: number;
  @ApiProperty({ type: [MoneyDto], description: 'Refunds settled, per currency' }) refunded!: MoneyDto[];
}

class CustomerTimelineResponse {
  @ApiProperty() customerId!: string;
  @ApiProperty({ type: TimelineSummaryResponse, description: 'Over every case of the customer, whatever the page' }) summary!: TimelineSummaryResponse;
  @ApiProperty({ type: [TimelineEntryResponse], description: 'Oldest first' }) items!: TimelineEntryResponse[];
  @ApiProperty({ type: String, nullable: true, description: 'Pass as cursor for the next page; null on the last' }) nextCursor!: string | null;
}

@ApiTags('customers')
@ApiBearerAuth()
@ApiCommonProblems()
@Controller('v1/customers')
export class CustomersController {
  constructor(
    private readonly timelines: CustomerTimelineQuery,
    private readonly runner: ProjectionRunner,
  ) {}

  @Get(':customerId/timeline')
  @Roles('agent', 'manager', 'senior_manager', 'auditor')
  @ApiOperation({
    operationId: 'getCustomerTimeline',
    summary: 'Every event of every case of the customer, oldest first, with a summary',
    description: 'Personal data (names, contacts, free text) is left out of the entries. An unknown customer has an empty timeline.',
  })
  @ApiParam({ name: 'customerId', description: 'The customer id of the requests (1-100 letters, digits, . _ : -)', example: 'cus_81' })
  @ApiOkResponse({ type: CustomerTimelineResponse, description: 'A page of the timeline', headers: MIN_POSITION_HEADERS })
  @ApiProblems(400)
  async timeline(
    @Param('customerId') customerId: string,
    @Query() query: PagedQueryDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CustomerTimeline> {
    if (!ID.test(customerId)) {
      throw new HttpProblem(400, 'customerId must be 1-100 letters, digits, . _ : -', {
        slug: 'validation',
        errors: [{ field: 'customerId', message: 'must be 1-100 letters, digits, . _ : -' }],
      });
    }
    await awaitMinPosition(this.runner, customerTimeline, query.minPosition, reply);
    return this.timelines.timeline(customerId, { limit: query.limit ?? 200, cursor: query.cursor });
  }
}
