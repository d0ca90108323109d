import { ApiProperty } from '@nestjs/swagger';
import { CaseCommandResult } from '@refund-desk/case-handling';

export class AppendedEventResponse {
  @ApiProperty({ example: 'Decided' }) type!: string;
  @ApiProperty({ type: 'integer', example: 4 }) version!: number;
  @ApiProperty({ type: 'integer', example: 1042 }) position!: number;
}

/** What every command on a case answers; the ETag header carries the same version. */
export class CaseCommandResponse {
  @ApiProperty() caseId!: string;
  @ApiProperty({ type: 'integer', description: 'Version of the case after the command; send it back in If-Match' }) version!: number;
  @ApiProperty({ enum: ['logged', 'evaluated', 'escalated', 'decided', 'closed'], example: 'escalated' }) status!: string;
  @ApiProperty({ type: 'integer', nullable: true, description: 'Global position of the last event; pass as minPosition to list queries to read your own write' })
  position!: number | null;
  @ApiProperty({ type: [AppendedEventResponse] }) events!: AppendedEventResponse[];
}

export class LogRequestResponse {
  @ApiProperty() caseId!: string;
  @ApiProperty({ type: 'integer', example: 1 }) version!: number;
  @ApiProperty({ enum: ['logged', 'evaluated', 'escalated', 'decided', 'closed'], example: 'logged', description: 'logged for a new case; a replayed answer names the status now' }) status!: string;
  @ApiProperty({ type: 'integer', nullable: true, description: 'Global position of RequestLogged' }) position!: number | null;
}

export const commandResponse = (result: CaseCommandResult): CaseCommandResponse => ({
  caseId: result.caseId,
  version: result.version,
  status: result.state.status,
  position: result.position,
  events: result.events.map((event) => ({ ...event })),
});
