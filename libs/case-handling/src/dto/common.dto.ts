import { ApiProperty } from '@nestjs/swagger';
import { IsInt, IsISO4217CurrencyCode, IsString, IsUrl, Length, Max, Min } from 'class-validator';

// The command inputs as HTTP bodies and Kafka message payloads: one set of DTOs, so both channels
// accept and refuse exactly the same input.

export class MoneyDto {
  @ApiProperty({ description: 'Integer minor units (cents)', example: 4990, minimum: 1 })
  @IsInt() @Min(1) @Max(Number.MAX_SAFE_INTEGER)
  minor!: number;

  @ApiProperty({ description: 'ISO-4217 currency code', example: 'EUR' })
  @IsISO4217CurrencyCode()
  currency!: string;
}

export class EvidenceDto {
  @ApiProperty({ example: 'receipt', description: 'receipt, photo, link, ...' })
  @IsString() @Length(1, 40)
  kind!: string;

  @ApiProperty({ example: 'https://files.example.com/r/5521.pdf' })
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false }) @Length(1, 2_000)
  uri!: string;
}
