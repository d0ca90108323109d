import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ValidateNestedObject } from '@refund-desk/platform';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsDefined,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  Min,
  ValidateIf,
} from 'class-validator';
import { ALTERNATIVES, Alternative, APPEAL_VERDICTS, AppealVerdict, CONTEST_REASONS, ContestReason, LEGAL_RIGHTS, LegalRight, NOTIFICATION_CHANNELS, NotificationChannel, Outcome, OUTCOMES, PRIORITIES, Priority } from '@refund-desk/domain';
import { EvidenceDto, MoneyDto } from './common.dto';

export class AddNoteDto {
  @ApiProperty({ example: 'Customer sent a video of the fault' }) @IsString() @Length(1, 4_000)
  text!: string;

  @ApiPropertyOptional({ type: [EvidenceDto] })
  @IsOptional() @IsArray() @ArrayMaxSize(50) @ValidateNestedObject(() => EvidenceDto, { each: true })
  evidence?: EvidenceDto[];
}

export class EscalationDto {
  @ApiProperty({ example: 'Long-standing customer; product line has known heating faults' }) @IsString() @Length(1, 1_000)
  reason!: string;

  @ApiProperty({ enum: PRIORITIES, example: 'high' }) @IsIn(PRIORITIES)
  priority!: Priority;
}

export class AssignmentDto {
  @ApiProperty({ example: 'mgr_anna', description: 'Subject of the manager who takes the case' })
  @IsString() @Length(1, 100)
  assignee!: string;
}

export class ContestDto {
  @ApiProperty({ enum: LEGAL_RIGHTS, example: 'conformity', description: 'The statutory right the evaluation found and the decider disputes' })
  @IsIn(LEGAL_RIGHTS)
  right!: LegalRight;

  @ApiProperty({ enum: CONTEST_REASONS, example: 'damage_by_misuse' }) @IsIn(CONTEST_REASONS)
  reason!: ContestReason;

  @ApiProperty({ example: ['inspection-report-4711'], description: 'References to the evidence (an inspection report, photos): at least one' })
  @IsArray() @ArrayMinSize(1) @ArrayMaxSize(20) @IsString({ each: true }) @Length(1, 500, { each: true })
  evidence!: string[];
}

export class DecisionDto {
  @ApiProperty({ enum: OUTCOMES, example: 'partial_refund' }) @IsIn(OUTCOMES)
  outcome!: Outcome;

  @ApiPropertyOptional({ type: MoneyDto, description: 'Required for partial_refund; defaults to the amount paid for refund and store_credit' })
  @IsOptional() @ValidateNestedObject(() => MoneyDto)
  amount?: MoneyDto;

  @ApiProperty({ example: 'Defect reported 10 days after the window; goodwill for a loyal customer' }) @IsString() @Length(1, 4_000)
  rationale!: string;

  @ApiPropertyOptional({ example: 'Return policy §4.2; Codice del Consumo art. 130' }) @IsOptional() @IsString() @Length(1, 1_000)
  legalBasis?: string;

  @ApiPropertyOptional({ enum: ALTERNATIVES, isArray: true })
  @IsOptional() @IsArray() @ArrayUnique() @ArrayMaxSize(ALTERNATIVES.length) @IsIn(ALTERNATIVES, { each: true })
  alternativesOffered?: Alternative[];

  @ApiPropertyOptional({
    type: [ContestDto],
    description: 'Statutory rights the decision disputes, each with a reason and evidence; needs senior_manager authority. Without one, a decision below a right the evaluation found is a 409 below-legal-floor',
  })
  @IsOptional() @IsArray() @ArrayMaxSize(2) @ValidateNestedObject(() => ContestDto, { each: true })
  contests?: ContestDto[];
}

/** The decision that replaces the first one when an appeal is overturned: a decision without its rationale (the verdict's serves). */
export class ReplacementDecisionDto {
  @ApiProperty({ enum: OUTCOMES, example: 'refund' }) @IsIn(OUTCOMES)
  outcome!: Outcome;

  @ApiPropertyOptional({ type: MoneyDto, description: 'Required for partial_refund; defaults to the amount paid for refund and store_credit' })
  @IsOptional() @ValidateNestedObject(() => MoneyDto)
  amount?: MoneyDto;

  @ApiPropertyOptional({ example: 'Directive (EU) 2019/771 art. 10' }) @IsOptional() @IsString() @Length(1, 1_000)
  legalBasis?: string;

  @ApiPropertyOptional({ enum: ALTERNATIVES, isArray: true })
  @IsOptional() @IsArray() @ArrayUnique() @ArrayMaxSize(ALTERNATIVES.length) @IsIn(ALTERNATIVES, { each: true })
  alternativesOffered?: Alternative[];

  @ApiPropertyOptional({ type: [ContestDto], description: 'As on a first decision: statutory rights disputed with evidence (senior_manager)' })
  @IsOptional() @IsArray() @ArrayMaxSize(2) @ValidateNestedObject(() => ContestDto, { each: true })
  contests?: ContestDto[];
}

export class AppealDto {
  @ApiProperty({ example: 'The kettle was faulty from the start; the customer sent a video', description: "The customer's grounds for the appeal" })
  @IsString() @Length(1, 4_000)
  reason!: string;

  @ApiPropertyOptional({ type: [EvidenceDto] })
  @IsOptional() @IsArray() @ArrayMaxSize(50) @ValidateNestedObject(() => EvidenceDto, { each: true })
  evidence?: EvidenceDto[];
}

export class AppealVerdictDto {
  @ApiProperty({ enum: APPEAL_VERDICTS, example: 'overturned', description: 'upheld: the first decision stands; overturned: `decision` replaces it' })
  @IsIn(APPEAL_VERDICTS)
  verdict!: AppealVerdict;

  @ApiProperty({ example: 'The video shows the fault on first use' }) @IsString() @Length(1, 4_000)
  rationale!: string;

  @ApiPropertyOptional({ type: ReplacementDecisionDto, description: 'Required when overturned, refused when upheld' })
  @ValidateIf((dto: AppealVerdictDto) => dto.verdict === 'overturned' || dto.decision !== undefined)
  @IsDefined({ message: 'decision is required when the appeal is overturned' })
  @ValidateNestedObject(() => ReplacementDecisionDto)
  decision?: ReplacementDecisionDto;
}

export const APPROVAL_VERDICTS = ['approved', 'rejected'] as const;

/** Four eyes: the second person's answer on a decision above the policy's threshold. */
export class ApprovalDto {
  @ApiProperty({ enum: APPROVAL_VERDICTS, example: 'approved', description: 'approved: refunds may be executed; rejected: the decision is void and the case waits for a new one' })
  @IsIn(APPROVAL_VERDICTS)
  verdict!: (typeof APPROVAL_VERDICTS)[number];

  @ApiPropertyOptional({
    example: 'The photos show wear',
    description: 'With approved: an optional note. With rejected: required, the reason (recorded on DecisionRejected)',
  })
  @ValidateIf((dto: ApprovalDto) => dto.verdict === 'rejected' || dto.note !== undefined)
  @IsString() @Length(1, 4_000)
  note?: string;
}

export class CommunicationDto {
  @ApiProperty({ enum: NOTIFICATION_CHANNELS, example: 'email' }) @IsIn(NOTIFICATION_CHANNELS)
  channel!: NotificationChannel;
}

export const REFUND_EXECUTION_STATUSES = ['issued', 'settled', 'failed'] as const;

export class RefundExecutionDto {
  @ApiProperty({ enum: REFUND_EXECUTION_STATUSES }) @IsIn(REFUND_EXECUTION_STATUSES)
  status!: (typeof REFUND_EXECUTION_STATUSES)[number];

  @ApiProperty({ example: 'card' }) @IsString() @Matches(/^[a-z0-9][a-z0-9_-]{0,59}$/, { message: 'method must be a lower-case code' })
  method!: string;

  @ApiProperty({ type: MoneyDto }) @IsDefined() @ValidateNestedObject(() => MoneyDto)
  amount!: MoneyDto;

  @ApiProperty({ example: 'pay_7731' }) @IsString() @Length(1, 100)
  reference!: string;

  @ApiPropertyOptional({ example: 'Card expired', description: 'Required when status is failed' })
  @ValidateIf((dto: RefundExecutionDto) => dto.status === 'failed' || dto.failureReason !== undefined)
  @IsString() @Length(1, 1_000)
  failureReason?: string;
}

export class FollowUpDto {
  @ApiProperty({ minimum: 1, maximum: 5, example: 4 }) @IsInt() @Min(1) @Max(5)
  satisfaction!: number;

  @ApiPropertyOptional({ example: 'Quick and fair' }) @IsOptional() @IsString() @Length(1, 4_000)
  comment?: string;

  @ApiProperty({ example: 'email' }) @IsString() @Length(1, 40)
  channel!: string;
}

export class ClosureDto {
  @ApiProperty({ example: 'Partial refund settled; customer satisfied' }) @IsString() @Length(1, 4_000)
  summary!: string;
}
