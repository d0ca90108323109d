import { Body, Controller, Get, Headers, HttpCode, Param, Post, Res, Type } from '@nestjs/common';
import { Command, CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiHeader, ApiOkResponse, ApiCreatedResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import {
  AddNoteCommand,
  AddNoteDto,
  AppealDecisionCommand,
  AppealDto,
  AppealVerdictDto,
  ApprovalDto,
  ApproveDecisionCommand,
  DecideAppealCommand,
  RejectDecisionCommand,
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
import { CaseIdPipe, HttpProblem, Roles } from '@refund-desk/platform';
import { etag, RequestContext } from '../http/request-context';
import { ApiBodyProblems, ApiCommonProblems, ApiProblems, createdHeaders, etagHeader } from '../http/openapi';
import { CaseCommandResponse, commandResponse, LogRequestResponse } from './case-responses';

const IF_MATCH = {
  name: 'If-Match',
  required: false,
  description: 'The case version you saw ("3", as in the ETag); 412 if the case moved on. Without it a command that races another is retried on fresh state',
  schema: { type: 'string', example: '"3"' },
};
const CASE_ID = { name: 'caseId', description: 'The case id (from POST /v1/cases or its Location); an id that cannot be one is a 404', example: '4b1f0a9e8c2d4e6f' };
const ok = (type: Type, description: string) => ApiOkResponse({ type, description, headers: etagHeader() });
const okSchema = (schema: string, description: string) =>
  ApiOkResponse({ schema: { $ref: `#/components/schemas/${schema}` }, description, headers: etagHeader() });
/** What a command on an existing case can answer besides the common ones. */
const CommandProblems = () => ApiProblems(400, 404, 409, 412, 413, 415);

/** Thin adapter: DTO → command → CommandBus → response with ETag. The rules live in the domain. */
@ApiTags('cases')
@ApiBearerAuth()
@ApiCommonProblems()
@Controller('v1/cases')
export class CasesController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post()
  @HttpCode(201)
  @Roles('agent', 'service')
  @ApiOperation({
    operationId: 'logRequest',
    summary: 'Log a refund request',
    description:
      'Records RequestLogged; the case starts `logged`. With an Idempotency-Key the same key and body return the first answer ' +
      '(Idempotent-Replayed: true) and create nothing; the same key with another body is a 409. The case id derives from the key.',
  })
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'Makes retries safe (1-200 visible ASCII characters); reuse with another body is a 409', schema: { type: 'string', maxLength: 200 } })
  @ApiCreatedResponse({ type: LogRequestResponse, description: 'The case was logged (or the first answer to this Idempotency-Key)', headers: createdHeaders() })
  @ApiBodyProblems()
  @ApiProblems(409)
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
  @ApiOperation({
    operationId: 'getCase',
    summary: 'The case now, folded from its events once its hash chain verifies (409 damaged-event naming the event otherwise)',
    description:
      'Status, request, evaluation, escalation, assignment, decision (with fourEyes and refundDue), approval (four eyes), appeal, deadlinesMissed, ' +
      'communications, refund, follow-up, notes and closure; the ETag is the version.',
  })
  @ApiParam(CASE_ID)
  @ApiOkResponse({ schema: { $ref: '#/components/schemas/CaseView' }, description: 'The case', headers: etagHeader() })
  @ApiProblems(404, 409)
  async getCase(@Param('caseId', CaseIdPipe) caseId: string, @Res({ passthrough: true }) reply: FastifyReply): Promise<CaseView> {
    const view = await this.queries.execute(new GetCaseQuery(caseId));
    reply.header('ETag', etag(view.version));
    return view;
  }

  @Post(':caseId/notes')
  @HttpCode(200)
  @Roles('agent', 'manager', 'senior_manager')
  @ApiOperation({ operationId: 'addNote', summary: 'Add a note or evidence (NoteAdded)', description: 'Records NoteAdded. Allowed in every state but closed.' })
  @ApiParam(CASE_ID)
  @ApiHeader(IF_MATCH)
  @ok(CaseCommandResponse, 'The note was added')
  @CommandProblems()
  async addNote(
    @Param('caseId', CaseIdPipe) caseId: string,
    @Body() body: AddNoteDto,
    @RequestContext() context: CommandContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CaseCommandResponse> {
    return commandResponse(await this.run(reply, new AddNoteCommand(caseId, { text: body.text, evidence: body.evidence ?? [] }, context)));
  }

  @Post(':caseId/evaluation')
  @HttpCode(200)
  @Roles('agent')
  @ApiOperation({ operationId: 'evaluateCase', summary: 'Evaluate against the policy in force (PolicyEvaluated, + Escalated when out of policy)', description: 'Records PolicyEvaluated with a finding per rule; an out-of-policy result also records Escalated with a deadline. A logged or evaluated case (not yet escalated or decided) can be evaluated.' })
  @ApiParam(CASE_ID)
  @ApiHeader(IF_MATCH)
  @okSchema('EvaluationCommandResponse', 'The evaluation and, when escalated, the escalation')
  @CommandProblems()
  async evaluate(
    @Param('caseId', CaseIdPipe) caseId: string,
    @RequestContext() context: CommandContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const result = await this.run(reply, new EvaluateCaseCommand(caseId, context));
    return { ...commandResponse(result), evaluation: result.evaluation, escalation: result.escalation };
  }

  @Post(':caseId/escalation')
  @HttpCode(200)
  @Roles('agent', 'manager')
  @ApiOperation({ operationId: 'escalateCase', summary: 'Escalate by hand (Escalated)', description: 'Records Escalated with the priority\'s deadline from the policy.' })
  @ApiParam(CASE_ID)
  @ApiHeader(IF_MATCH)
  @ok(CaseCommandResponse, 'The case was escalated')
  @CommandProblems()
  async escalate(
    @Param('caseId', CaseIdPipe) caseId: string,
    @Body() body: EscalationDto,
    @RequestContext() context: CommandContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CaseCommandResponse> {
    return commandResponse(await this.run(reply, new EscalateCaseCommand(caseId, { reason: body.reason, priority: body.priority }, context)));
  }

  @Post(':caseId/assignment')
  @HttpCode(200)
  @Roles('manager', 'senior_manager')
  @ApiOperation({ operationId: 'assignCase', summary: 'Take or give an escalated case (CaseAssigned)', description: 'Records CaseAssigned; only for an escalated case waiting for a decision.' })
  @ApiParam(CASE_ID)
  @ApiHeader(IF_MATCH)
  @ok(CaseCommandResponse, 'The case was assigned')
  @CommandProblems()
  async assign(
    @Param('caseId', CaseIdPipe) caseId: string,
    @Body() body: AssignmentDto,
    @RequestContext() context: CommandContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CaseCommandResponse> {
    return commandResponse(await this.run(reply, new AssignCaseCommand(caseId, { assignee: body.assignee }, context)));
  }

  @Post(':caseId/decision')
  @HttpCode(200)
  @Roles('agent', 'manager', 'senior_manager')
  @ApiOperation({ operationId: 'decideCase', summary: 'Decide (Decided); agents only within policy and their limit', description: 'Records Decided with the authority behind it. Agents decide only evaluated, within-policy cases within their limit (403 insufficient-authority otherwise).' })
  @ApiParam(CASE_ID)
  @ApiHeader(IF_MATCH)
  @okSchema('DecisionCommandResponse', 'The recorded decision')
  @CommandProblems()
  async decide(
    @Param('caseId', CaseIdPipe) caseId: string,
    @Body() body: DecisionDto,
    @RequestContext() context: CommandContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const result = await this.run(
      reply,
      new DecideCaseCommand(
        caseId,
        {
          outcome: body.outcome,
          amount: body.amount ?? null,
          rationale: body.rationale,
          legalBasis: body.legalBasis ?? null,
          alternativesOffered: body.alternativesOffered ?? [],
          ...(body.contests ? { contests: body.contests } : {}),
        },
        context,
      ),
    );
    return { ...commandResponse(result), decision: result.decision };
  }

  @Post(':caseId/approval')
  @HttpCode(200)
  @Roles('manager', 'senior_manager')
  @ApiOperation({
    operationId: 'approveDecision',
    summary: 'Four eyes: approve or reject a decision above the policy threshold (DecisionApproved / DecisionRejected)',
    description:
      'For a decision whose `approval.status` is pending. `{verdict: approved, note?}` lets it stand: refunds may then be executed, the customer told and the case closed. ' +
      '`{verdict: rejected, note}` (note required: the reason) voids it: the case waits for a new decision, or again for the appeal verdict it came from. ' +
      'The decider is refused (403 separation-of-duties); the approver needs at least the authority the decision was taken with (403 insufficient-authority).',
  })
  @ApiParam(CASE_ID)
  @ApiHeader(IF_MATCH)
  @ok(CaseCommandResponse, 'The approval or rejection was recorded')
  @CommandProblems()
  async approve(
    @Param('caseId', CaseIdPipe) caseId: string,
    @Body() body: ApprovalDto,
    @RequestContext() context: CommandContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CaseCommandResponse> {
    const command =
      body.verdict === 'approved'
        ? new ApproveDecisionCommand(caseId, { note: body.note ?? null }, context)
        : // The DTO requires the note with a rejection: it is the reason.
          new RejectDecisionCommand(caseId, { reason: body.note ?? '' }, context);
    return commandResponse(await this.run(reply, command));
  }

  @Post(':caseId/appeal')
  @HttpCode(200)
  @Roles('agent', 'service')
  @ApiOperation({
    operationId: 'appealDecision',
    summary: "Appeal a denial or partial outcome for the customer (DecisionAppealed)",
    description:
      "Records DecisionAppealed: the case goes back to the manager queue as an appeal, with a deadline from the policy's SLA hours. " +
      'Only within the policy\'s appeal window (appealWindowDays after the decision), once, for an outcome other than what the customer asked for, ' +
      'and not after money was sent or while the decision waits for a second approver (409 illegal-transition otherwise).',
  })
  @ApiParam(CASE_ID)
  @ApiHeader(IF_MATCH)
  @ok(CaseCommandResponse, 'The appeal was recorded')
  @CommandProblems()
  async appeal(
    @Param('caseId', CaseIdPipe) caseId: string,
    @Body() body: AppealDto,
    @RequestContext() context: CommandContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CaseCommandResponse> {
    return commandResponse(await this.run(reply, new AppealDecisionCommand(caseId, { reason: body.reason, evidence: body.evidence ?? [] }, context)));
  }

  @Post(':caseId/appeal/decision')
  @HttpCode(200)
  @Roles('manager', 'senior_manager')
  @ApiOperation({
    operationId: 'decideAppeal',
    summary: 'Decide an appeal: upheld, or overturned with a new decision (AppealDecided)',
    description:
      'By someone other than the first decider (403 separation-of-duties) with at least the authority the appeal requires (403 insufficient-authority). ' +
      '`{verdict: upheld, rationale}` keeps the first decision; `{verdict: overturned, rationale, decision: {outcome, amount?, legalBasis?, alternativesOffered?, contests?}}` replaces it, ' +
      'checked as a first decision is (authority limits, the legal floor, four eyes above the threshold). Answers the decision in force.',
  })
  @ApiParam(CASE_ID)
  @ApiHeader(IF_MATCH)
  @okSchema('DecisionCommandResponse', 'The verdict was recorded; the decision in force')
  @CommandProblems()
  async decideAppeal(
    @Param('caseId', CaseIdPipe) caseId: string,
    @Body() body: AppealVerdictDto,
    @RequestContext() context: CommandContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const decision = body.decision
      ? {
          outcome: body.decision.outcome,
          amount: body.decision.amount ?? null,
          legalBasis: body.decision.legalBasis ?? null,
          alternativesOffered: body.decision.alternativesOffered ?? [],
          ...(body.decision.contests ? { contests: body.decision.contests } : {}),
        }
      : null;
    const result = await this.run(reply, new DecideAppealCommand(caseId, { verdict: body.verdict, rationale: body.rationale, decision }, context));
    return { ...commandResponse(result), decision: result.decision };
  }

  @Post(':caseId/communications')
  @HttpCode(200)
  @Roles('agent', 'manager')
  @ApiOperation({ operationId: 'notifyCustomer', summary: 'Tell the customer, in their language (CustomerNotified); returns the message sent', description: 'Renders the decision message in the customer\'s locale (en, it, ru, pt, ar) and records CustomerNotified.' })
  @ApiParam(CASE_ID)
  @ApiHeader(IF_MATCH)
  @okSchema('CommunicationCommandResponse', 'The message sent')
  @CommandProblems()
  async communicate(
    @Param('caseId', CaseIdPipe) caseId: string,
    @Body() body: CommunicationDto,
    @RequestContext() context: CommandContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const { sent, ...result } = await this.run(reply, new NotifyCustomerCommand(caseId, { channel: body.channel }, context));
    return {
      ...commandResponse(result),
      message: sent ? { channel: sent.channel, locale: sent.locale, subject: sent.subject, body: sent.body } : null,
    };
  }

  @Post(':caseId/refund-execution')
  @HttpCode(200)
  @Roles('service', 'agent')
  @ApiOperation({ operationId: 'recordRefundExecution', summary: 'Record where the money is (RefundIssued / RefundSettled / RefundFailed)', description: 'For a money-back decision: issued, then settled or failed (a failed refund can be issued again).' })
  @ApiParam(CASE_ID)
  @ApiHeader(IF_MATCH)
  @ok(CaseCommandResponse, 'The refund step was recorded')
  @CommandProblems()
  async recordRefund(
    @Param('caseId', CaseIdPipe) caseId: string,
    @Body() body: RefundExecutionDto,
    @RequestContext() context: CommandContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CaseCommandResponse> {
    const input = { status: body.status, method: body.method, amount: body.amount, reference: body.reference, failureReason: body.failureReason ?? null };
    return commandResponse(await this.run(reply, new RecordRefundExecutionCommand(caseId, input, context)));
  }

  @Post(':caseId/follow-up')
  @HttpCode(200)
  @Roles('agent', 'service')
  @ApiOperation({ operationId: 'recordFollowUp', summary: 'Record the customer\'s satisfaction (FollowedUp)', description: 'Records FollowedUp (satisfaction 1-5) on a decided case.' })
  @ApiParam(CASE_ID)
  @ApiHeader(IF_MATCH)
  @ok(CaseCommandResponse, 'The follow-up was recorded')
  @CommandProblems()
  async followUp(
    @Param('caseId', CaseIdPipe) caseId: string,
    @Body() body: FollowUpDto,
    @RequestContext() context: CommandContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CaseCommandResponse> {
    const input = { satisfaction: body.satisfaction, comment: body.comment ?? null, channel: body.channel };
    return commandResponse(await this.run(reply, new RecordFollowUpCommand(caseId, input, context)));
  }

  @Post(':caseId/closure')
  @HttpCode(200)
  @Roles('agent', 'manager')
  @ApiOperation({ operationId: 'closeCase', summary: 'Close the case (CaseClosed); nothing can follow', description: 'Records CaseClosed; afterwards every command on the case is a 409.' })
  @ApiParam(CASE_ID)
  @ApiHeader(IF_MATCH)
  @ok(CaseCommandResponse, 'The case was closed')
  @CommandProblems()
  async close(
    @Param('caseId', CaseIdPipe) caseId: string,
    @Body() body: ClosureDto,
    @RequestContext() context: CommandContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CaseCommandResponse> {
    return commandResponse(await this.run(reply, new CloseCaseCommand(caseId, { summary: body.summary }, context)));
  }

  /** Runs a command on a case and answers with the version it left the case at as the ETag. */
  private async run<R extends CaseCommandResult>(reply: FastifyReply, command: Command<R>): Promise<R> {
    const result = await this.commands.execute(command);
    reply.header('ETag', etag(result.version));
    return result;
  }
}
