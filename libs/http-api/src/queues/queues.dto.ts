import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsOptional, IsString, Length, Matches } from 'class-validator';
import { AUTHORITY_LEVELS, AuthorityLevel, CHANNELS, Channel, OUTCOMES, Outcome, PRIORITIES, Priority } from '@refund-desk/domain';
import { MoneyDto } from '@refund-desk/case-handling';
import { WAITING_FOR, WaitingFor } from '@refund-desk/read-models';
import { CODE, ID, PagedQueryDto, toBoolean, toList } from '../read-models/read-model-query.dto';

export class ManagerQueueQueryDto extends PagedQueryDto {
  @ApiPropertyOptional({ description: 'Only cases assigned to this person', example: 'mgr_marco' })
  @IsOptional() @IsString() @Length(1, 100)
  assignee?: string;

  @ApiPropertyOptional({ description: 'Only cases nobody has taken yet' })
  @IsOptional() @Transform(toBoolean) @IsBoolean()
  unassigned?: boolean;

  @ApiPropertyOptional({ description: 'One or more priorities, comma-separated or the parameter repeated', example: ['urgent', 'high'], enum: PRIORITIES, isArray: true })
  @IsOptional() @Transform(toList) @IsIn(PRIORITIES, { each: true, message: `priority must be any of ${PRIORITIES.join(', ')}` })
  priority?: Priority[];

  @ApiPropertyOptional({ description: 'true: only cases past their deadline now; false: only those still within it' })
  @IsOptional() @Transform(toBoolean) @IsBoolean()
  slaBreached?: boolean;

  @ApiPropertyOptional({ description: "The request's reason code", example: 'defective' })
  @IsOptional() @Matches(CODE, { message: 'reasonCode must be a lower-case code' })
  reasonCode?: string;

  @ApiPropertyOptional({ example: 'small-appliances' })
  @IsOptional() @Matches(CODE, { message: 'category must be a lower-case code' })
  category?: string;

  @ApiPropertyOptional({ enum: AUTHORITY_LEVELS, description: 'Only cases whose decision needs this authority', example: 'senior_manager' })
  @IsOptional() @IsIn(AUTHORITY_LEVELS)
  requiredAuthority?: AuthorityLevel;

  @ApiPropertyOptional({ enum: WAITING_FOR, description: 'Only cases waiting for a first decision, an appeal verdict or a second approver', example: 'approval' })
  @IsOptional() @IsIn(WAITING_FOR)
  waitingFor?: WaitingFor;

  @ApiPropertyOptional({ example: 'cus_81' })
  @IsOptional() @Matches(ID, { message: 'customerId must be 1-100 letters, digits, . _ : -' })
  customerId?: string;
}

export class FollowUpQueueQueryDto extends PagedQueryDto {
  @ApiPropertyOptional({ enum: OUTCOMES })
  @IsOptional() @IsIn(OUTCOMES)
  outcome?: Outcome;

  @ApiPropertyOptional({ enum: CHANNELS, description: 'The channel the request came in by' })
  @IsOptional() @IsIn(CHANNELS)
  channel?: Channel;

  @ApiPropertyOptional({ example: 'cus_81' })
  @IsOptional() @Matches(ID, { message: 'customerId must be 1-100 letters, digits, . _ : -' })
  customerId?: string;
}

class ProductResponse {
  @ApiProperty({ type: String, nullable: true, example: 'KTL-200' }) sku!: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'Electric kettle' }) name!: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'small-appliances' }) category!: string | null;
}

class QueueDecisionResponse {
  @ApiProperty({ type: String, nullable: true }) decidedBy!: string | null;
  @ApiProperty({ type: String, nullable: true, enum: OUTCOMES }) outcome!: string | null;
  @ApiProperty({ type: MoneyDto, nullable: true }) amount!: MoneyDto | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) decidedAt!: string | null;
}

export class ManagerQueueItemResponse {
  @ApiProperty() caseId!: string;
  @ApiProperty({ type: String, nullable: true }) customerId!: string | null;
  @ApiProperty({ type: ProductResponse }) product!: ProductResponse;
  @ApiProperty({ type: MoneyDto, nullable: true }) amount!: MoneyDto | null;
  @ApiProperty({ type: String, nullable: true, example: 'defective' }) reasonCode!: string | null;
  @ApiProperty({ enum: PRIORITIES }) priority!: Priority;
  @ApiProperty({ type: [String], example: ['return_window'], description: 'Policy rules behind an automatic escalation' })
  escalationReasonCodes!: string[];
  @ApiProperty({ type: String, nullable: true, enum: ['agent', 'manager', 'senior_manager'], example: 'manager' }) requiredAuthority!: string | null;
  @ApiProperty({ format: 'date-time' }) escalatedAt!: string;
  @ApiProperty({ format: 'date-time' }) slaDueAt!: string;
  @ApiProperty({ description: 'slaDueAt has passed at the time of the query' }) slaBreached!: boolean;
  @ApiProperty({ type: String, nullable: true }) assignee!: string | null;
  @ApiProperty({ enum: WAITING_FOR, description: 'What the case waits for: a first decision, an appeal verdict, or a second approver (four eyes)' })
  waitingFor!: WaitingFor;
  @ApiProperty({ format: 'date-time', description: 'When the wait began: escalated, appealed, or decided' }) waitingSince!: string;
  @ApiProperty({ type: String, nullable: true, format: 'date-time', description: 'When the deadline was recorded as missed (priority and authority were raised)' })
  slaMissedAt!: string | null;
  @ApiProperty({ type: QueueDecisionResponse, nullable: true, description: 'The decision appealed or waiting for approval; its decider may not decide the appeal or approve it' })
  decision!: QueueDecisionResponse | null;
  @ApiProperty({ type: String, nullable: true, description: 'For an appeal: who decided what is appealed' }) firstDecidedBy!: string | null;
}

export class ManagerQueueResponse {
  @ApiProperty({ type: [ManagerQueueItemResponse], description: 'Urgent first, then the earliest deadline' })
  items!: ManagerQueueItemResponse[];
  @ApiProperty({ type: String, nullable: true, description: 'Pass as cursor for the next page; null on the last' }) nextCursor!: string | null;
  @ApiProperty({ format: 'date-time', description: 'The time slaBreached was computed against' }) asOf!: string;
}

export class FollowUpItemResponse {
  @ApiProperty() caseId!: string;
  @ApiProperty({ type: String, nullable: true }) customerId!: string | null;
  @ApiProperty({ type: String, nullable: true, enum: OUTCOMES }) outcome!: string | null;
  @ApiProperty({ format: 'date-time' }) decidedAt!: string;
  @ApiProperty({ format: 'date-time', description: 'decidedAt plus the policy follow-up delay' }) followUpDueAt!: string;
  @ApiProperty({ type: 'integer' }) daysOverdue!: number;
  @ApiProperty({ type: String, nullable: true, format: 'date-time', description: 'When the follow-up was recorded as missed' }) missedAt!: string | null;
  @ApiProperty({ type: String, nullable: true, enum: CHANNELS, description: 'Channel the request came in by' }) channel!: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'it' }) locale!: string | null;
}

export class FollowUpQueueResponse {
  @ApiProperty({ type: [FollowUpItemResponse], description: 'Longest overdue first' }) items!: FollowUpItemResponse[];
  @ApiProperty({ type: String, nullable: true, description: 'Pass as cursor for the next page; null on the last' }) nextCursor!: string | null;
  @ApiProperty({ format: 'date-time' }) asOf!: string;
}

export class LateRefundsQueryDto extends PagedQueryDto {}

export class LateRefundResponse {
  @ApiProperty({ example: '4b1f0a9e8c2d4e6f' }) caseId!: string;
  @ApiProperty({ format: 'date-time', description: 'When the money was due: the statutory refund deadline, or the policy settlement time' }) dueAt!: string;
  @ApiProperty({ format: 'date-time', description: 'When the scheduler recorded the deadline as missed (DeadlineMissed)' }) missedAt!: string;
  @ApiProperty({ type: MoneyDto, nullable: true, description: 'The amount decided' }) amount!: MoneyDto | null;
  @ApiProperty({ type: String, nullable: true, enum: ['law', 'policy'], description: 'Which rule set the deadline' }) under!: 'law' | 'policy' | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) decidedAt!: string | null;
}

export class LateRefundsResponse {
  @ApiProperty({ type: [LateRefundResponse], description: 'Longest overdue first' }) items!: LateRefundResponse[];
  @ApiProperty({ type: String, nullable: true, description: 'Pass as cursor for the next page; null on the last' }) nextCursor!: string | null;
  @ApiProperty({ format: 'date-time' }) asOf!: string;
}
