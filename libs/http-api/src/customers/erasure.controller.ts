import { Controller, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { CommandContext, EraseCustomerDataCommand, ErasureResult } from '@refund-desk/case-handling';
import { HttpProblem, Roles } from '@refund-desk/platform';
import { ApiBodyProblems, ApiCommonProblems } from '../http/openapi';
import { RequestContext } from '../http/request-context';

@ApiTags('customers')
@ApiBearerAuth()
@ApiCommonProblems()
@Controller('v1/customers')
export class ErasureController {
  constructor(private readonly commands: CommandBus) {}

  @Post(':customerId/erasure')
  @HttpCode(200)
  @Roles('admin')
  @ApiOperation({
    operationId: 'eraseCustomerData',
    summary: "Erase the customer's personal data (crypto-shredding; CustomerDataErased in each case)",
    description: 'Destroys the customer keys: names, contacts and their words read as "[erased]" everywhere. Counts and hashes stay. Safe to repeat.',
  })
  @ApiParam({ name: 'customerId', description: 'The customer id of the requests (1-100 letters, digits, . _ : -)', example: 'cus_81' })
  @ApiOkResponse({ schema: { $ref: '#/components/schemas/ErasureResult' }, description: 'The keys are destroyed; CustomerDataErased is recorded in each case' })
  @ApiBodyProblems()
  erase(@Param('customerId') customerId: string, @RequestContext() context: CommandContext): Promise<ErasureResult> {
    if (!/^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/.test(customerId)) {
      throw new HttpProblem(400, 'customerId must be 1-100 letters, digits, . _ : -', { errors: [{ field: 'customerId', message: 'not a customer id' }] });
    }
    return this.commands.execute(new EraseCustomerDataCommand(customerId, context));
  }
}
