import { Readable } from 'node:stream';
import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { AuditService } from '@refund-desk/audit';
import { CaseIdPipe, HttpProblem, Roles } from '@refund-desk/platform';
import { ApiCommonProblems, ApiProblems } from '../http/openapi';
import { ExportQueryDto, StateQueryDto } from './audit.dto';

const CASE_ID = { name: 'caseId', description: 'The case id', example: '4b1f0a9e8c2d4e6f' };

/** Read-only routes for auditors: nothing here changes a case. */
@ApiTags('audit')
@ApiBearerAuth()
@ApiCommonProblems()
@Roles('auditor', 'admin')
@Controller('v1/audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get('cases/:caseId/events')
  @ApiOperation({
    operationId: 'getAuditCaseEvents',
    summary: "The case's events with position, version, actor, times, correlation, causation and hashes",
    description: 'Oldest first; personal fields opened (or "[erased]").',
  })
  @ApiParam(CASE_ID)
  @ApiOkResponse({ schema: { $ref: '#/components/schemas/AuditCaseEvents' }, description: "The case's events" })
  @ApiProblems(404)
  async events(@Param('caseId', CaseIdPipe) caseId: string) {
    return { caseId, events: await this.audit.caseEvents(caseId) };
  }

  @Get('cases/:caseId/state')
  @ApiOperation({
    operationId: 'getAuditCaseState',
    summary: 'The state as it was at a time (asOf) or after a version, with the policy version then in force',
    description: 'Give asOf or version (not both); neither: the state now. 400 when the case did not exist yet at asOf or has fewer versions; 409 damaged-event naming the event when the stored case no longer verifies.',
  })
  @ApiParam(CASE_ID)
  @ApiOkResponse({ schema: { $ref: '#/components/schemas/CaseStateAt' }, description: 'The state then' })
  @ApiProblems(400, 404, 409)
  stateAt(@Param('caseId', CaseIdPipe) caseId: string, @Query() query: StateQueryDto) {
    if (query.asOf !== undefined && query.version !== undefined) {
      throw new HttpProblem(400, 'Give asOf or version, not both', { errors: [{ field: 'asOf', message: 'asOf and version exclude each other' }] });
    }
    return this.audit.stateAt(caseId, { asOf: query.asOf ? new Date(query.asOf) : undefined, version: query.version });
  }

  @Get('cases/:caseId/verification')
  @ApiOperation({
    operationId: 'verifyAuditCaseChain',
    summary: "Recomputes the case's hash chain from the stored events: {valid, events, headHash, hashVersions} or {valid: false, brokenAt}",
    description: 'Over the events exactly as stored (personal fields sealed), so erasure does not break it.',
  })
  @ApiParam(CASE_ID)
  @ApiOkResponse({ schema: { $ref: '#/components/schemas/ChainVerification' }, description: 'The verification' })
  @ApiProblems(404)
  async verification(@Param('caseId', CaseIdPipe) caseId: string) {
    return { caseId, ...(await this.audit.verifyCase(caseId)) };
  }

  @Get('events')
  @ApiOperation({
    operationId: 'exportAuditLog',
    summary: 'The global log as NDJSON, streamed page by page; resumable from a position or checkpoint',
    description:
      'One JSON object per line (the ExportedEvent schema describes a line), oldest first. Resume with `after` set to the last ' +
      "line's checkpoint. A bad resume point is a 400 before any line is sent.",
  })
  @ApiOkResponse({
    description: 'The events, one per line',
    content: { 'application/x-ndjson': { schema: { $ref: '#/components/schemas/ExportedEvent' } } },
  })
  @ApiProblems(400)
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
