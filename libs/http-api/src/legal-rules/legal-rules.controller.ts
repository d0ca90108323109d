import { Body, Controller, Get, Put, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiBody, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CommandContext, LegalRulesService, ReviseLegalRulesCommand } from '@refund-desk/case-handling';
import { LegalRulesInForce, ROLES } from '@refund-desk/domain';
import { Roles } from '@refund-desk/platform';
import { ApiBodyProblems, ApiCommonProblems, ApiProblems, etagHeader } from '../http/openapi';
import { etag, RequestContext } from '../http/request-context';
import { ReviseLegalRulesDto } from './legal-rules.dto';

const IN_FORCE = { $ref: '#/components/schemas/LegalRulesInForce' };

/**
 * The consumer law the system applies, apart from the merchant's policy: revised by an admin (the
 * law changes when legislators say so, not when the policy owner does), read by anyone.
 */
@ApiTags('legal-rules')
@ApiBearerAuth()
@ApiCommonProblems()
@Controller('v1/legal-rules')
export class LegalRulesController {
  constructor(
    private readonly law: LegalRulesService,
    private readonly commands: CommandBus,
  ) {}

  @Get()
  @Roles(...ROLES)
  @ApiOperation({
    operationId: 'getLegalRules',
    summary: 'The legal rules in force and their version (ETag)',
    description: 'Statutory withdrawal and conformity rights by country: periods, exemptions, remedies in order and refund deadlines, each with its act and article.',
  })
  @ApiOkResponse({ schema: IN_FORCE, description: 'The legal rules in force', headers: etagHeader() })
  async current(@Res({ passthrough: true }) reply: FastifyReply): Promise<LegalRulesInForce> {
    const law = await this.law.current();
    reply.header('ETag', etag(law.version));
    return law;
  }

  @Put()
  @Roles('admin')
  @ApiOperation({
    operationId: 'reviseLegalRules',
    summary: 'Revise the legal rules (LegalRulesRevised); returns the new version',
    description:
      'The whole rule set is replaced; cases evaluated before keep the version they name. A wrong field is a 400 naming it. ' +
      'Send If-Match to refuse the revision if another came first.',
  })
  @ApiHeader({ name: 'If-Match', required: false, description: 'The version you revised; 412 if another revision came first', schema: { type: 'string', example: '"1"' } })
  @ApiBody({
    schema: {
      type: 'object',
      required: ['rules', 'changeNote'],
      properties: {
        rules: { $ref: '#/components/schemas/LegalRules' },
        changeNote: { type: 'string', minLength: 1, maxLength: 2_000, description: 'Why the rules change (the act that changed)' },
      },
    },
  })
  @ApiOkResponse({
    schema: { $ref: '#/components/schemas/RevisedLegalRules' },
    description: 'The new version',
    headers: etagHeader(),
  })
  @ApiBodyProblems()
  @ApiProblems(409, 412)
  async revise(
    @Body() body: ReviseLegalRulesDto,
    @RequestContext() context: CommandContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<LegalRulesInForce & { position: number }> {
    const { inForce, position } = await this.commands.execute(new ReviseLegalRulesCommand({ rules: body.rules, changeNote: body.changeNote }, context));
    reply.header('ETag', etag(inForce.version));
    return { ...inForce, position };
  }
}
