import { Body, Controller, Get, Put, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CommandContext, PolicyService, RevisePolicyCommand } from '@refund-desk/case-handling';
import { PolicyInForce, PolicyRules, ROLES } from '@refund-desk/domain';
import { Roles } from '@refund-desk/platform';
import { etag, RequestContext } from '../http/request-context';
import { PolicyResponse, RevisePolicyDto } from './policy.dto';

@ApiTags('policy')
@ApiBearerAuth()
@Controller('v1/policy')
export class PolicyController {
  constructor(
    private readonly policies: PolicyService,
    private readonly commands: CommandBus,
  ) {}

  @Get()
  @Roles(...ROLES)
  @ApiOperation({ summary: 'The policy in force and its version (ETag)' })
  @ApiOkResponse({ type: PolicyResponse })
  async current(@Res({ passthrough: true }) reply: FastifyReply): Promise<PolicyInForce> {
    const policy = await this.policies.current();
    reply.header('ETag', etag(policy.version));
    return policy;
  }

  @Put()
  @Roles('senior_manager', 'admin')
  @ApiOperation({ summary: 'Revise the policy (PolicyRevised); returns the new version' })
  @ApiHeader({ name: 'If-Match', required: false, description: 'The policy version you revised; 412 if another revision came first' })
  @ApiOkResponse({ type: PolicyResponse })
  async revise(
    @Body() body: RevisePolicyDto,
    @RequestContext() context: CommandContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<PolicyInForce & { position: number }> {
    const { policy, position } = await this.commands.execute(
      new RevisePolicyCommand(body.rules as unknown as PolicyRules, body.changeNote, context),
    );
    reply.header('ETag', etag(policy.version));
    return { ...policy, position };
  }
}
