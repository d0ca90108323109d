import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsISO8601, IsOptional, Max, Min } from 'class-validator';
import { INSIGHT_KINDS, TREND_GROUPINGS, TREND_INTERVALS, TrendGrouping, TrendInterval } from '@refund-desk/read-models';
import { MoneyDto } from '@refund-desk/case-handling';
import { ReadModelQueryDto } from '../read-models/read-model-query.dto';

export class PeriodQueryDto extends ReadModelQueryDto {
  @ApiPropertyOptional({ format: 'date-time', description: 'Start, inclusive (default: 90 days before `to`)' })
  @IsOptional() @IsISO8601({ strict: true }, { message: 'from must be an ISO-8601 time' })
  from?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'End, exclusive (default: now)' })
  @IsOptional() @IsISO8601({ strict: true }, { message: 'to must be an ISO-8601 time' })
  to?: string;
}

export class TrendsQueryDto extends PeriodQueryDto {
  @ApiPropertyOptional({ enum: TREND_INTERVALS, default: 'week', description: 'Bucket size (UTC; weeks start on Monday)' })
  @IsOptional() @IsIn(TREND_INTERVALS)
  interval?: TrendInterval;

  @ApiPropertyOptional({ enum: TREND_GROUPINGS, description: 'Split each bucket by this dimension (product: the SKU; decider: who took the first decision in force)' })
  @IsOptional() @IsIn(TREND_GROUPINGS)
  groupBy?: TrendGrouping;
}

export class InsightsQueryDto extends PeriodQueryDto {
  @ApiPropertyOptional({ enum: TREND_INTERVALS, default: 'month', description: 'Period of the exception-cost series' })
  @IsOptional() @IsIn(TREND_INTERVALS)
  interval?: TrendInterval;

  @ApiPropertyOptional({ minimum: 1, maximum: 10_000, default: 5, description: 'Fewest cases behind a finding about a category or product' })
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(10_000)
  minCases?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 365, default: 7, description: 'A return window missed by fewer days is a near miss' })
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(365)
  nearMissDays?: number;
}

export class TrendBucketResponse {
  @ApiProperty({ format: 'date-time', description: 'Start of the bucket (UTC)' }) start!: string;
  @ApiPropertyOptional({ type: String, nullable: true, description: 'The group (with groupBy); null for cases without one, e.g. undecided' }) group?: string | null;
  @ApiProperty({ type: 'integer', description: 'Requests logged in the bucket' }) requests!: number;
  @ApiProperty({ type: 'integer', description: 'Escalations made in the bucket' }) escalations!: number;
  @ApiProperty({ type: 'integer', description: 'Decisions in the bucket with an approving outcome' }) approvals!: number;
  @ApiProperty({ type: 'integer', description: 'Denials decided in the bucket' }) denials!: number;
  @ApiProperty({ type: 'number', nullable: true, description: 'approvals / (approvals + denials)' }) approvalRate!: number | null;
  @ApiProperty({ type: [MoneyDto], description: 'Refunds settled in the bucket, per currency' }) refunded!: MoneyDto[];
  @ApiProperty({ type: 'number', nullable: true, description: 'Median hours from logging to decision, over the decisions of the bucket' })
  medianHoursToDecision!: number | null;
  @ApiProperty({ type: 'integer', description: 'Escalations whose deadline fell in the bucket and passed before a decision (or is still open past it)' })
  slaBreaches!: number;
  @ApiProperty({ type: 'number', nullable: true, description: 'Mean satisfaction (1-5) of the follow-ups recorded in the bucket' }) averageSatisfaction!: number | null;
  @ApiProperty({ type: 'integer', description: 'Decisions appealed in the bucket' }) appeals!: number;
  @ApiProperty({ type: 'number', nullable: true, description: 'Of the decisions taken in the bucket, the share appealed so far' }) appealRate!: number | null;
  @ApiProperty({ type: 'integer', description: 'Appeals decided in the bucket with the first decision upheld' }) upheld!: number;
  @ApiProperty({ type: 'integer', description: 'Appeals decided in the bucket with the first decision overturned' }) overturned!: number;
  @ApiProperty({ type: 'number', nullable: true, description: 'overturned / (upheld + overturned)' }) overturnRate!: number | null;
  @ApiProperty({ type: 'integer', description: 'Decisions above the four-eyes threshold approved by a second person in the bucket' }) fourEyesApprovals!: number;
  @ApiProperty({ type: 'integer', description: 'Decisions above the four-eyes threshold rejected by a second person in the bucket' }) fourEyesRejections!: number;
  @ApiProperty({ type: 'integer', description: 'Deadlines recorded as missed in the bucket (decision, appeal, refund settlement, follow-up)' }) deadlinesMissed!: number;
}

export class TrendsResponse {
  @ApiProperty({ format: 'date-time' }) from!: string;
  @ApiProperty({ format: 'date-time' }) to!: string;
  @ApiProperty({ enum: TREND_INTERVALS }) interval!: TrendInterval;
  @ApiProperty({ enum: TREND_GROUPINGS, nullable: true }) groupBy!: TrendGrouping | null;
  @ApiProperty({ type: [TrendBucketResponse], description: 'Oldest first; without groupBy every bucket of the period, empty ones included' })
  buckets!: TrendBucketResponse[];
}

export class InsightResponse {
  @ApiProperty({ enum: INSIGHT_KINDS }) kind!: string;
  @ApiProperty() title!: string;
  @ApiProperty() detail!: string;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'The figures behind the finding' }) figures!: Record<string, unknown>;
}

export class InsightsResponse {
  @ApiProperty({ format: 'date-time' }) from!: string;
  @ApiProperty({ format: 'date-time' }) to!: string;
  @ApiProperty({ type: [InsightResponse] }) findings!: InsightResponse[];
}
