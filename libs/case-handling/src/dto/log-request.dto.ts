import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ValidateNestedObject } from '@refund-desk/platform';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsDefined,
  IsEmail,
  IsIn,
  IsISO31661Alpha2,
  IsISO8601,
  IsOptional,
  IsString,
  Length,
  Matches,
} from 'class-validator';
import { CHANNELS, Channel, REQUESTED_RESOLUTIONS, RequestedResolution, SALE_CHANNELS, SaleChannel } from '@refund-desk/domain';
import { EvidenceDto, MoneyDto } from './common.dto';

const ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/;
const SLUG = /^[a-z0-9][a-z0-9_-]{0,59}$/;

export class CustomerDto {
  @ApiProperty({ example: 'cus_81' }) @IsString() @Matches(ID, { message: 'id must be 1-100 letters, digits, . _ : -' })
  id!: string;

  @ApiProperty({ example: 'Maria Rossi' }) @IsString() @Length(1, 200)
  name!: string;

  @ApiPropertyOptional({ example: 'maria@example.com' }) @IsOptional() @IsEmail() @Length(3, 254)
  email?: string;

  @ApiPropertyOptional({ example: '+39 055 0000' }) @IsOptional() @IsString() @Matches(/^\+?[0-9 ()./-]{3,40}$/, { message: 'phone must be a phone number' })
  phone?: string;

  @ApiProperty({ example: 'it', description: 'BCP-47 language tag; messages exist for en, it, ru, pt, ar (others get English)' })
  @IsString() @Matches(/^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$/, { message: 'locale must be a BCP-47 language tag' })
  locale!: string;
}

export class OrderDto {
  @ApiProperty({ example: 'ord_5521' }) @IsString() @Matches(ID, { message: 'id must be 1-100 letters, digits, . _ : -' })
  id!: string;

  @ApiProperty({ example: '2026-09-01T10:00:00Z' }) @IsISO8601({ strict: true })
  purchasedAt!: string;

  @ApiProperty({ example: 'IT', description: 'ISO-3166 alpha-2 country of the sale' }) @IsISO31661Alpha2()
  country!: string;

  @ApiProperty({ example: 'card' }) @IsString() @Matches(SLUG, { message: 'paymentMethod must be a lower-case code' })
  paymentMethod!: string;

  @ApiPropertyOptional({ example: '2026-09-03T15:00:00Z', description: 'When the goods reached the customer: statutory periods run from here (from the purchase when absent)' })
  @IsOptional() @IsISO8601({ strict: true })
  deliveredAt?: string;

  @ApiPropertyOptional({ enum: SALE_CHANNELS, example: 'online', description: 'How the sale was made: withdrawal rights cover online, phone and off-premises sales (taken as a distance sale when absent)' })
  @IsOptional() @IsIn(SALE_CHANNELS)
  saleChannel?: SaleChannel;

  @ApiPropertyOptional({ example: true, description: 'Whether the seller gave written return information (RU: three months to withdraw without it)' })
  @IsOptional() @IsBoolean()
  returnInformationGiven?: boolean;
}

export class ProductDto {
  @ApiProperty({ example: 'KTL-200' }) @IsString() @Length(1, 100)
  sku!: string;

  @ApiProperty({ example: 'Electric kettle' }) @IsString() @Length(1, 200)
  name!: string;

  @ApiProperty({ example: 'small-appliances' }) @IsString() @Matches(SLUG, { message: 'category must be a lower-case code' })
  category!: string;

  @ApiProperty({ example: 'used', description: 'new, unopened, like_new, used, damaged, ...' })
  @IsString() @Matches(SLUG, { message: 'condition must be a lower-case code' })
  condition!: string;
}

export class ReasonDto {
  @ApiProperty({ example: 'defective', description: 'defective, damaged_in_transit, not_as_described, changed_mind, safety_hazard, ...' })
  @IsString() @Matches(SLUG, { message: 'code must be a lower-case code' })
  code!: string;

  @ApiProperty({ example: 'Stopped heating after 40 days', description: "The customer's own words" })
  @IsString() @Length(1, 4_000)
  description!: string;

  @ApiPropertyOptional({ example: '2026-11-20T09:00:00Z', description: 'When a hidden defect showed (BR: the defect period runs from then)' })
  @IsOptional() @IsISO8601({ strict: true })
  defectNoticedAt?: string;
}

export class LogRequestDto {
  @ApiProperty({ type: CustomerDto }) @IsDefined() @ValidateNestedObject(() => CustomerDto)
  customer!: CustomerDto;

  @ApiProperty({ type: OrderDto }) @IsDefined() @ValidateNestedObject(() => OrderDto)
  order!: OrderDto;

  @ApiProperty({ type: ProductDto }) @IsDefined() @ValidateNestedObject(() => ProductDto)
  product!: ProductDto;

  @ApiProperty({ type: MoneyDto, description: 'What the customer paid' }) @IsDefined() @ValidateNestedObject(() => MoneyDto)
  amount!: MoneyDto;

  @ApiProperty({ type: ReasonDto }) @IsDefined() @ValidateNestedObject(() => ReasonDto)
  reason!: ReasonDto;

  @ApiProperty({ enum: REQUESTED_RESOLUTIONS, example: 'refund' }) @IsIn(REQUESTED_RESOLUTIONS)
  requestedResolution!: RequestedResolution;

  @ApiProperty({ enum: CHANNELS, example: 'email' }) @IsIn(CHANNELS)
  channel!: Channel;

  @ApiPropertyOptional({ type: [EvidenceDto] })
  @IsOptional() @IsArray() @ArrayMaxSize(50) @ValidateNestedObject(() => EvidenceDto, { each: true })
  evidence?: EvidenceDto[];
}
