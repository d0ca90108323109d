import { Body, Controller, Get, Headers, HttpCode, Param, Post, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiHeader, ApiOkResponse, ApiCreatedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import {
  AddNoteCommand,
  AddNoteDto,
  AssignCaseCommand,
  AssignmentDto,
  CaseCommandResult,
  CaseView,
  CloseCaseCommand,
  ClosureDto,
  CommandContext,
  CommunicationDto,
  DecideCaseCommand,
  DecisionDto,
  EscalateCaseCommand,
  EscalationDto,
  EvaluateCaseCommand,
  FollowUpDto,
  GetCaseQuery,
  LogRequestCommand,
  LogRequestDto,
  NotifyCustomerCommand,
  RecordFollowUpCommand,
  RecordRefundExecutionCommand,
  RefundExecutionDto,
} from '@refund-desk/case-handling';
import { RefundRequest } from '@refund-desk/domain';
import { HttpProblem, Roles } from '@refund-desk/platform';
import { CaseIdPipe } from '../http/case-id.pipe';
import { etag, RequestContext } from '../http/request-context';
import { CaseCommandResponse, commandResponse, LogRequestResponse } from './case-responses';

const IF_MATCH = { name: 'If-Match', required: false, description: 'The case version you saw ("3"); 412 if the case moved on' };

/** Thin adapter: DTO → command → CommandBus → response with ETag. The rules live in the domain. */
@ApiTags('cases')
@ApiBearerAuth()
@Controller('v1/cases')
export class CasesController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post()
  @HttpCode(201)
  @Roles('agent', 'service')
  @ApiOperation({ summary: 'Log a refund request', description: 'Emits RequestLogged. The same Idempotency-Key with the same body returns the first answer.' })
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'Makes retries safe; reuse with another body is a 409' })
  @ApiCreatedResponse({ type: LogRequestResponse })
  async logRequest(
    @Body() body: LogRequestDto,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @RequestContext() context: CommandContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<LogRequestResponse> {
    const request: RefundRequest = { ...body, evidence: body.evidence ?? [] };
    let idempotency: LogRequestCommand['idempotency'];
    if (idempotencyKey !== undefined) {
      if (!/^[\x21-\x7e]{1,200}$/.test(idempotencyKey)) {
        throw new HttpProblem(400, 'Idempotency-Key must be 1-200 visible ASCII characters', {
          errors: [{ field: 'Idempotency-Key', message: 'must be 1-200 visible ASCII characters' }],
        });
      }
      idempotency = { scope: context.actor.id, key: idempotencyKey, body };
    }
    const result = await this.commands.execute(new LogRequestCommand(request, context, idempotency));
    reply.header('Location', `/v1/cases/${result.caseId}`).header('ETag', etag(result.version));
    if (result.duplicate) reply.header('Idempotent-Replayed', 'true');
    return { caseId: result.caseId, version: result.version, status: result.state.status, position: result.position };
  }

  @Get(':caseId')
  @Roles('agent', 'manager', 'senior_manager', 'auditor')
  @ApiOperation({ summary: 'The case now, folded from its events once its hash chain verifies (409 damaged-event naming the event otherwise)' })
  async getCase(@Param('caseId', CaseIdPipe) caseId: string, @Res({ passthrough: true }) reply: FastifyReply): Promise<CaseView> {
    const view = await this.queries.execute(new GetCaseQuery(caseId));
    reply.header('ETag', etag(view.version));
    return view;
  }

  @Post(':caseId/notes')
  @HttpCode(200)
  @Roles('agent', 'manager', 'senior_manager')
  @ApiOperation({ summary: 'Add a note or evidence (NoteAdded)' })
  @ApiHeader(IF_MATCH)
  @ApiOkResponse({ type: CaseCommandResponse })
  addNote(
    @Param('caseId', CaseIdPipe) caseId: string,
    @Body() body: AddNoteDto,
    @RequestContext() context: CommandContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return this.run(reply, new AddNoteCommand(caseId, { text: body.text, evidence: body.evidence ?? [] }, context));
  }

  @Post(':caseId/evaluation')
  @HttpCode(200)
  @Roles('agent')
  @ApiOperation({ summary: 'Evaluate against the policy in force (PolicyEvaluated, + Escalated when out of policy)' })
  @ApiHeader(IF_MATCH)
  @ApiOkResponse({ type: CaseCommandResponse, description: 'Also carries `evaluation` and, when escalated, `escalation`' })
  async evaluate(
    @Param('caseId', CaseIdPipe) caseId: string,
    @RequestContext() context: CommandContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const result = await this.commands.execute(new EvaluateCaseCommand(caseId, context));
    reply.header('ETag', etag(result.version));
    const state = result.state as { evaluation?: unknown; escalation?: unknown };
    return { ...commandResponse(result), evaluation: state.evaluation ?? null, escalation: state.escalation ?? null };
  }

  @Post(':caseId/escalation')
  @HttpCode(200)
  @Roles('agent', 'manager')
  @ApiOperation({ summary: 'Escalate by hand (Escalated)' })
  @ApiHeader(IF_MATCH)
  @ApiOkResponse({ type: CaseCommandResponse })
  escalate(
    @Param('caseId', CaseIdPipe) caseId: string,
    @Body() body: EscalationDto,
    @RequestContext() context: CommandContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return this.run(reply, new EscalateCaseCommand(caseId, { reason: body.reason, priority: body.priority }, context));
  }

  @Post(':caseId/assignment')
  @HttpCode(200)
  @Roles('manager', 'senior_manager')
  @ApiOperation({ summary: 'Take or give an escalated case (CaseAssigned)' })
  @ApiHeader(IF_MATCH)
  @ApiOkResponse({ type: CaseCommandResponse })
  assign(
    @Param('caseId', CaseIdPipe) caseId: string,
    @Body() body: AssignmentDto,
    @RequestContext() context: CommandContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return this.run(reply, new AssignCaseCommand(caseId, body.assignee, context));
  }

  @Post(':caseId/decision')
  @HttpCode(200)
  @Roles('agent', 'manager', 'senior_manager')
  @ApiOperation({ summary: 'Decide (Decided); agents only within policy and their limit' })
  @ApiHeader(IF_MATCH)
  @ApiOkResponse({ type: CaseCommandResponse, description: 'Also carries the recorded `decision`' })
  async decide(
    @Param('caseId', CaseIdPipe) caseId: string,
    @Body() body: DecisionDto,
    @RequestContext() context: CommandContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const result = await this.commands.execute(
      new DecideCaseCommand(
        caseId,
        {
          outcome: body.outcome,
          amount: body.amount ?? null,
          rationale: body.rationale,
          legalBasis: body.legalBasis ?? null,
          alternativesOffered: body.alternativesOffered ?? [],
        },
        context,
      ),
    );
    reply.header('ETag', etag(result.version));
    return { ...commandResponse(result), decision: (result.state as { decision?: unknown }).decision ?? null };
  }

  @Post(':caseId/communications')
  @HttpCode(200)
  @Roles('agent', 'manager')
  @ApiOperation({ summary: "Tell the customer, in their language (CustomerNotified); returns the message sent" })
  @ApiHeader(IF_MATCH)
  @ApiOkResponse({ type: CaseCommandResponse, description: 'Also carries `message` {channel, locale, subject, body}' })
  async communicate(
    @Param('caseId', CaseIdPipe) caseId: string,
    @Body() body: CommunicationDto,
    @RequestContext() context: CommandContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const result = await this.commands.execute(new NotifyCustomerCommand(caseId, body.channel, context));
    reply.header('ETag', etag(result.version));
    const communications = (result.state as { communications?: Array<{ channel: string; locale: string; subject: string; body: string }> })
      .communications ?? [];
    const sent = communications[communications.length - 1];
    return {
      ...commandResponse(result),
      message: sent ? { channel: sent.channel, locale: sent.locale, subject: sent.subject, body: sent.body } : null,
    };
  }

  @Post(':caseId/refund-execution')
  @HttpCode(200)
  @Roles('service', 'agent')
  @ApiOperation({ summary: 'Record where the money is (RefundIssued / RefundSettled / RefundFailed)' })
  @ApiHeader(IF_MATCH)
  @ApiOkResponse({ type: CaseCommandResponse })
  recordRefund(
    @Param('caseId', CaseIdPipe) caseId: string,
    @Body() body: RefundExecutionDto,
    @RequestContext() context: CommandContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return this.run(
      reply,
      new RecordRefundExecutionCommand(
        caseId,
        { status: body.status, method: body.method, amount: body.amount, reference: body.reference, failureReason: body.failureReason ?? null },
        context,
      ),
    );
  }

  @Post(':caseId/follow-up')
  @HttpCode(200)
  @Roles('agent', 'service')
  @ApiOperation({ summary: "Record the customer's satisfaction (FollowedUp)" })
  @ApiHeader(IF_MATCH)
  @ApiOkResponse({ type: CaseCommandResponse })
  followUp(
    @Param('caseId', CaseIdPipe) caseId: string,
    @Body() body: FollowUpDto,
    @RequestContext() context: CommandContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return this.run(
      reply,
      new RecordFollowUpCommand(caseId, { satisfaction: body.satisfaction, comment: body.comment ?? null, channel: body.channel }, context),
    );
  }

  @Post(':caseId/closure')
  @HttpCode(200)
  @Roles('agent', 'manager')
  @ApiOperation({ summary: 'Close the case (CaseClosed); nothing can follow' })
  @ApiHeader(IF_MATCH)
  @ApiOkResponse({ type: CaseCommandResponse })
  close(
    @Param('caseId', CaseIdPipe) caseId: string,
    @Body() body: ClosureDto,
    @RequestContext() context: CommandContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return this.run(reply, new CloseCaseCommand(caseId, body.summary, context));
  }

  private async run(reply: FastifyReply, command: { context: CommandContext } & object): Promise<CaseCommandResponse> {
    const result = (await this.commands.execute(command as never)) as CaseCommandResult;
    reply.header('ETag', etag(result.version));
    return commandResponse(result);
  }
}
