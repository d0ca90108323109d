import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ValidateNestedObject } from '@refund-desk/platform';
import { ArrayMaxSize, IsArray, IsDefined, IsInt, IsNumber, IsObject, IsOptional, IsString, Length, Matches, Max, Min } from 'class-validator';
import { MAX_POLICY_DAYS, MAX_POLICY_HOURS } from '@refund-desk/domain';

const CODE = /^[a-z0-9][a-z0-9_-]{0,59}$/;

export class ReturnWindowDto {
  @ApiProperty({ example: 30, maximum: MAX_POLICY_DAYS }) @IsInt() @Min(0) @Max(MAX_POLICY_DAYS) default!: number;
  @ApiProperty({ example: { electronics: 14 }, type: 'object', additionalProperties: { type: 'integer' } }) @IsObject()
  byCategory!: Record<string, number>;
}

export class RepeatRequesterDto {
  @ApiProperty({ example: 3 }) @IsInt() @Min(1) threshold!: number;
  @ApiProperty({ example: 365, maximum: MAX_POLICY_DAYS }) @IsInt() @Min(1) @Max(MAX_POLICY_DAYS) lookbackDays!: number;
}

export class AuthorityLimitsDto {
  @ApiProperty({ example: { EUR: 5000 }, description: 'Minor units by currency', type: 'object', additionalProperties: { type: 'integer' } })
  @IsObject()
  agent!: Record<string, number>;
  @ApiProperty({ example: { EUR: 50000 }, type: 'object', additionalProperties: { type: 'integer' } }) @IsObject()
  manager!: Record<string, number>;
}

export class SlaHoursDto {
  @ApiProperty({ example: 120, maximum: MAX_POLICY_HOURS }) @IsNumber() @Min(0) @Max(MAX_POLICY_HOURS) low!: number;
  @ApiProperty({ example: 48, maximum: MAX_POLICY_HOURS }) @IsNumber() @Min(0) @Max(MAX_POLICY_HOURS) normal!: number;
  @ApiProperty({ example: 24, maximum: MAX_POLICY_HOURS }) @IsNumber() @Min(0) @Max(MAX_POLICY_HOURS) high!: number;
  @ApiProperty({ example: 4, maximum: MAX_POLICY_HOURS }) @IsNumber() @Min(0) @Max(MAX_POLICY_HOURS) urgent!: number;
}

export class SettlementDaysDto {
  @ApiProperty({ example: 3, maximum: MAX_POLICY_DAYS }) @IsInt() @Min(0) @Max(MAX_POLICY_DAYS) min!: number;
  @ApiProperty({ example: 10, maximum: MAX_POLICY_DAYS }) @IsInt() @Min(0) @Max(MAX_POLICY_DAYS) max!: number;
}

export class PolicyRulesDto {
  @ApiProperty({ type: ReturnWindowDto }) @IsDefined() @ValidateNestedObject(() => ReturnWindowDto)
  returnWindowDays!: ReturnWindowDto;

  @ApiProperty({ example: ['gift-cards'] }) @IsArray() @ArrayMaxSize(500) @Matches(CODE, { each: true })
  nonReturnableCategories!: string[];

  @ApiProperty({ example: ['new', 'unopened', 'like_new'] }) @IsArray() @ArrayMaxSize(100) @Matches(CODE, { each: true })
  acceptedConditions!: string[];

  @ApiProperty({ example: { IT: 14, RU: 14 }, type: 'object', additionalProperties: { type: 'integer' } }) @IsObject()
  statutoryWithdrawalDays!: Record<string, number>;

  @ApiProperty({ type: RepeatRequesterDto }) @IsDefined() @ValidateNestedObject(() => RepeatRequesterDto)
  repeatRequester!: RepeatRequesterDto;

  @ApiProperty({ type: AuthorityLimitsDto }) @IsDefined() @ValidateNestedObject(() => AuthorityLimitsDto)
  authorityLimits!: AuthorityLimitsDto;

  @ApiProperty({ type: SlaHoursDto }) @IsDefined() @ValidateNestedObject(() => SlaHoursDto)
  slaHours!: SlaHoursDto;

  @ApiProperty({ example: ['safety_hazard'] }) @IsArray() @ArrayMaxSize(100) @Matches(CODE, { each: true })
  urgentReasonCodes!: string[];

  @ApiProperty({ example: 7, maximum: MAX_POLICY_DAYS }) @IsInt() @Min(0) @Max(MAX_POLICY_DAYS) goodwillGraceDays!: number;
  @ApiProperty({ example: 7, maximum: MAX_POLICY_DAYS }) @IsInt() @Min(0) @Max(MAX_POLICY_DAYS) followUpDelayDays!: number;

  @ApiProperty({ type: SettlementDaysDto }) @IsDefined() @ValidateNestedObject(() => SettlementDaysDto)
  refundSettlementDays!: SettlementDaysDto;

  // Optional, so a policy body written before four eyes and appeals existed stays valid; the domain checks the entries.
  @ApiPropertyOptional({
    example: { EUR: 100000, CHF: 100000 },
    description: 'Four eyes: a money-back decision above this amount (minor units by currency) needs a second approver before any refund. A currency without an entry needs none; absent: the defaults (100000 minor units in EUR, USD, GBP and CHF, 10000000 RUB, 500000 BRL, 400000 SAR and AED)',
    type: 'object',
    additionalProperties: { type: 'integer' },
  })
  @IsOptional() @IsObject()
  fourEyesThreshold?: Record<string, number>;

  @ApiPropertyOptional({ example: 30, maximum: MAX_POLICY_DAYS, description: 'Days after a decision within which a denial or partial outcome may be appealed; absent: 30' })
  @IsOptional() @IsInt() @Min(0) @Max(MAX_POLICY_DAYS)
  appealWindowDays?: number;
}

export class RevisePolicyDto {
  @ApiProperty({ type: PolicyRulesDto }) @IsDefined() @ValidateNestedObject(() => PolicyRulesDto)
  rules!: PolicyRulesDto;

  @ApiProperty({ example: 'Extend the electronics window to 30 days: most exceptions missed it by under a week' })
  @IsString() @Length(1, 2_000)
  changeNote!: string;
}

export class PolicyResponse {
  @ApiProperty({ type: 'integer', example: 2 }) version!: number;
  @ApiProperty({ type: PolicyRulesDto }) rules!: PolicyRulesDto;
  @ApiProperty({ format: 'date-time' }) revisedAt!: string;
  @ApiProperty() revisedBy!: string;
  @ApiProperty() changeNote!: string;
}

export class RevisedPolicyResponse extends PolicyResponse {
  @ApiProperty({ type: 'integer', description: 'Global position of PolicyRevised' }) position!: number;
}
