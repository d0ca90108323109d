import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { CaseCommandResult } from '@refund-desk/case-handling';

export class AppendedEventResponse {
  @ApiProperty({ example: 'Decided' }) type!: string;
  @ApiProperty({ example: 4 }) version!: number;
  @ApiProperty({ example: 1042 }) position!: number;
}

/** What every command on a case answers; the ETag header carries the same version. */
export class CaseCommandResponse {
  @ApiProperty() caseId!: string;
  @ApiProperty({ description: 'Version of the case after the command; send it back in If-Match' }) version!: number;
  @ApiProperty({ example: 'escalated' }) status!: string;
  @ApiPropertyOptional({ description: 'Global position of the last event; pass as minPosition to list queries to read your own write' })
  position!: number | null;
  @ApiProperty({ type: [AppendedEventResponse] }) events!: AppendedEventResponse[];
}

export class LogRequestResponse {
  @ApiProperty() caseId!: string;
  @ApiProperty({ example: 1 }) version!: number;
  @ApiProperty({ example: 'logged' }) status!: string;
  @ApiPropertyOptional() position!: number | null;
}

export const commandResponse = (result: CaseCommandResult): CaseCommandResponse => ({
  caseId: result.caseId,
  version: result.version,
  status: result.state.status,
  position: result.position,
  events: result.events.map((event) => ({ ...event })),
});
