import { Readable } from 'node:stream';
import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { AuditService } from '@refund-desk/audit';
import { HttpProblem, Roles } from '@refund-desk/platform';
import { CaseIdPipe } from '../http/case-id.pipe';
import { ExportQueryDto, StateQueryDto } from './audit.dto';

/** Read-only routes for auditors: nothing here changes a case. */
@ApiTags('audit')
@ApiBearerAuth()
@Roles('auditor', 'admin')
@Controller('v1/audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get('cases/:caseId/events')
  @ApiOperation({ summary: "The case's events with position, version, actor, times, correlation, causation and hashes" })
  async events(@Param('caseId', CaseIdPipe) caseId: string) {
    return { caseId, events: await this.audit.caseEvents(caseId) };
  }

  @Get('cases/:caseId/state')
  @ApiOperation({
    summary: 'The state as it was at a time (asOf) or after a version, with the policy version then in force; 409 damaged-event naming the event when the stored case no longer verifies',
  })
  stateAt(@Param('caseId', CaseIdPipe) caseId: string, @Query() query: StateQueryDto) {
    if (query.asOf !== undefined && query.version !== undefined) {
      throw new HttpProblem(400, 'Give asOf or version, not both', { errors: [{ field: 'asOf', message: 'asOf and version exclude each other' }] });
    }
    return this.audit.stateAt(caseId, { asOf: query.asOf ? new Date(query.asOf) : undefined, version: query.version });
  }

  @Get('cases/:caseId/verification')
  @ApiOperation({
    summary: "Recomputes the case's hash chain from the stored events: {valid, events, headHash, hashVersions} or {valid: false, brokenAt: {version, position, eventId, type, reason}}",
  })
  async verification(@Param('caseId', CaseIdPipe) caseId: string) {
    return { caseId, ...(await this.audit.verifyCase(caseId)) };
  }

  @Get('events')
  @ApiOperation({ summary: 'The global log as NDJSON, streamed page by page; resumable from a position or checkpoint' })
  @ApiProduces('application/x-ndjson')
  async export(@Query() query: ExportQueryDto, @Res() reply: FastifyReply): Promise<void> {
    if (query.fromPosition !== undefined && query.after !== undefined) {
      throw new HttpProblem(400, 'Give fromPosition or after, not both', { errors: [{ field: 'after', message: 'fromPosition and after exclude each other' }] });
    }
    const after = query.after ?? (query.fromPosition ? await this.audit.checkpointOf(query.fromPosition) : null);
    const events = this.audit.exportLog({ after, form: query.form ?? 'readable', limit: query.limit });
    // Read the first page before the status line goes out, so a bad resume point is still a 400.
    const first = await events.next();
    async function* lines(): AsyncGenerator<string> {
      if (first.done) return;
      yield `${JSON.stringify(first.value)}\n`;
      for await (const event of events) yield `${JSON.stringify(event)}\n`;
    }
    reply.header('Content-Type', 'application/x-ndjson; charset=utf-8');
    await reply.send(Readable.from(lines()));
  }
}
