import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsISO8601, IsOptional, IsString, Length, Max, Min } from 'class-validator';

export class StateQueryDto {
  @ApiPropertyOptional({ description: 'The state as the system knew it at this time (ISO-8601)', example: '2026-11-20T10:00:00Z' })
  @IsOptional() @IsISO8601({ strict: true })
  asOf?: string;

  @ApiPropertyOptional({ description: 'The state after this version of the case', minimum: 1 })
  @IsOptional() @Type(() => Number) @IsInt() @Min(1)
  version?: number;
}

export class ExportQueryDto {
  @ApiPropertyOptional({ description: 'Resume after this global position (exclusive); 0 or absent: from the start', minimum: 0 })
  @IsOptional() @Type(() => Number) @IsInt() @Min(0)
  fromPosition?: number;

  @ApiPropertyOptional({ description: 'Resume after this checkpoint (each exported line carries one); exact on every store' })
  @IsOptional() @IsString() @Length(1, 200)
  after?: string;

  @ApiPropertyOptional({ description: 'At most this many events', minimum: 1 })
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(10_000_000)
  limit?: number;

  @ApiPropertyOptional({
    enum: ['readable', 'stored'],
    description: 'readable: personal fields opened (or "[erased]"); stored: exactly as stored, sealed, so the hash chain can be recomputed offline',
  })
  @IsOptional() @IsIn(['readable', 'stored'])
  form?: 'readable' | 'stored';
}
