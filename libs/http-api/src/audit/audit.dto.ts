import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsISO8601, IsOptional, IsString, Matches, Max, Min } from 'class-validator';

/** Stream versions are a PostgreSQL integer. */
const MAX_VERSION = 2_147_483_647;
/** A PostgreSQL (`xid:position`) or EventStoreDB (`esdb:commit:prepare`) checkpoint; the store checks the bounds. */
const CHECKPOINT = /^(?:esdb:)?\d{1,20}:\d{1,20}$/;

export class StateQueryDto {
  @ApiPropertyOptional({ description: 'The state as the system knew it at this time (ISO-8601)', example: '2026-11-20T10:00:00Z' })
  @IsOptional() @IsISO8601({ strict: true })
  asOf?: string;

  @ApiPropertyOptional({ description: 'The state after this version of the case', minimum: 1, maximum: MAX_VERSION })
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(MAX_VERSION)
  version?: number;
}

export class ExportQueryDto {
  @ApiPropertyOptional({
    description: 'Resume after this global position (exclusive); 0 or absent: from the start',
    minimum: 0,
    maximum: Number.MAX_SAFE_INTEGER,
  })
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) @Max(Number.MAX_SAFE_INTEGER)
  fromPosition?: number;

  @ApiPropertyOptional({
    description: 'Resume after this checkpoint (each exported line carries one); exact on every store',
    example: '1234:1042',
    pattern: CHECKPOINT.source,
  })
  @IsOptional() @IsString() @Matches(CHECKPOINT, { message: 'after must be a checkpoint from an exported line, e.g. 1234:1042' })
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
