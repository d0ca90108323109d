import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { HttpProblem, Roles } from '@refund-desk/platform';
import { CustomerTimeline, CustomerTimelineQuery, ProjectionRunner } from '@refund-desk/read-models';
import { MoneyDto } from '@refund-desk/case-handling';
import { awaitMinPosition, MIN_POSITION_HEADERS } from '../read-models/consistency';
import { ID, PagedQueryDto } from '../read-models/read-model-query.dto';

class TimelineEntryResponse {
  @ApiProperty({ description: 'Global position in the event log' }) position!: number;
  @ApiProperty() caseId!: string;
  @ApiProperty({ description: 'Version in the case stream' }) version!: number;
  @ApiProperty({ example: 'Decided' }) type!: string;
  @ApiProperty({ format: 'date-time' }) occurredAt!: string;
  @ApiProperty({ format: 'date-time' }) recordedAt!: string;
  @ApiProperty({ nullable: true }) actor!: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'The event data with personal data (names, contacts, free text) set to null' })
  data!: Record<string, unknown>;
}

class TimelineSummaryResponse {
  @ApiProperty() cases!: number;
  @ApiProperty({ description: 'Cases decided with refund, partial refund, store credit, exchange or repair' }) approved!: number;
  @ApiProperty() denied!: number;
  @ApiProperty({ type: [MoneyDto], description: 'Refunds settled, per currency' }) refunded!: MoneyDto[];
}

class CustomerTimelineResponse {
  @ApiProperty() customerId!: string;
  @ApiProperty({ type: TimelineSummaryResponse, description: 'Over every case of the customer, whatever the page' }) summary!: TimelineSummaryResponse;
  @ApiProperty({ type: [TimelineEntryResponse], description: 'Oldest first' }) items!: TimelineEntryResponse[];
  @ApiProperty({ nullable: true }) nextCursor!: string | null;
}

@ApiTags('customers')
@ApiBearerAuth()
@Controller('v1/customers')
export class CustomersController {
  constructor(
    private readonly timelines: CustomerTimelineQuery,
    private readonly runner: ProjectionRunner,
  ) {}

  @Get(':customerId/timeline')
  @Roles('agent', 'manager', 'senior_manager', 'auditor')
  @ApiOperation({ summary: "Every event of every case of the customer, oldest first, with a summary" })
  @ApiOkResponse({ type: CustomerTimelineResponse, headers: MIN_POSITION_HEADERS })
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
    await awaitMinPosition(this.runner, 'customer_timeline', query.minPosition, reply);
    return this.timelines.timeline(customerId, { limit: query.limit ?? 200, cursor: query.cursor });
  }
}
