import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';

export const ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/;
export const CODE = /^[a-z0-9][a-z0-9_-]{0,59}$/;

/** 'true'/'false' in a query string; anything else is left for @IsBoolean to refuse. */
export const toBoolean = ({ value }: { value: unknown }): unknown => (value === 'true' ? true : value === 'false' ? false : value);

/** A comma-separated list, or the parameter repeated. */
export const toList = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' ? value.split(',').map((v) => v.trim()) : value;

/** Every query route of a read model takes `minPosition` (read your own writes). */
export class ReadModelQueryDto {
  @ApiPropertyOptional({
    description:
      'Global position from a command response: wait (at most 5 s) until this read model has applied it. ' +
      'The response then says in `X-Min-Position-Reached` whether it had. 0 is always reached (no wait); an empty value is refused.',
    minimum: 0,
    example: 1042,
  })
  // An empty value is refused rather than read as 0 (Number('') is 0).
  @IsOptional() @Transform(({ value }) => (typeof value === 'string' && value.trim() !== '' ? Number(value) : value)) @IsInt() @Min(0) @Max(Number.MAX_SAFE_INTEGER)
  minPosition?: number;
}

export class PagedQueryDto extends ReadModelQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 500, description: 'Page size (50 for queues, 200 for a timeline)' })
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500)
  limit?: number;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOptional() @IsString() @Length(1, 500)
  cursor?: string;
}
