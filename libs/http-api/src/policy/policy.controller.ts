import { Body, Controller, Get, Put, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CommandContext, PolicyService, RevisePolicyCommand } from '@refund-desk/case-handling';
import { PolicyInForce, ROLES } from '@refund-desk/domain';
import { Roles } from '@refund-desk/platform';
import { ApiBodyProblems, ApiCommonProblems, ApiProblems, etagHeader } from '../http/openapi';
import { etag, RequestContext } from '../http/request-context';
import { PolicyResponse, RevisedPolicyResponse, RevisePolicyDto } from './policy.dto';

@ApiTags('policy')
@ApiBearerAuth()
@ApiCommonProblems()
@Controller('v1/policy')
export class PolicyController {
  constructor(
    private readonly policies: PolicyService,
    private readonly commands: CommandBus,
  ) {}

  @Get()
  @Roles(...ROLES)
  @ApiOperation({
    operationId: 'getPolicy',
    summary: 'The policy in force and its version (ETag)',
    description: 'Return windows, statutory withdrawal days, authority limits, SLA hours and the other rules evaluations use.',
  })
  @ApiOkResponse({ type: PolicyResponse, description: 'The policy in force', headers: etagHeader() })
  async current(@Res({ passthrough: true }) reply: FastifyReply): Promise<PolicyInForce> {
    const policy = await this.policies.current();
    reply.header('ETag', etag(policy.version));
    return policy;
  }

  @Put()
  @Roles('senior_manager', 'admin')
  @ApiOperation({
    operationId: 'revisePolicy',
    summary: 'Revise the policy (PolicyRevised); returns the new version',
    description: 'The whole rule set is replaced; cases evaluated before keep the version they name. Send If-Match to refuse the revision if another came first.',
  })
  @ApiHeader({ name: 'If-Match', required: false, description: 'The policy version you revised; 412 if another revision came first', schema: { type: 'string', example: '"2"' } })
  @ApiOkResponse({ type: RevisedPolicyResponse, description: 'The new policy version', headers: etagHeader() })
  @ApiBodyProblems()
  @ApiProblems(409, 412)
  async revise(
    @Body() body: RevisePolicyDto,
    @RequestContext() context: CommandContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<PolicyInForce & { position: number }> {
    const { policy, position } = await this.commands.execute(new RevisePolicyCommand({ rules: body.rules, changeNote: body.changeNote }, context));
    reply.header('ETag', etag(policy.version));
    return { ...policy, position };
  }
}
