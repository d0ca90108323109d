import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { buildAsyncApiDocument } from '@refund-desk/messaging';
import { Public } from '@refund-desk/platform';
import { ApiProblems } from '../http/openapi';

/** The Kafka side of the contract, served beside the OpenAPI document (/docs, /docs-json). */
@ApiTags('operations')
@ApiProblems(429, 500)
@Public()
@Controller('docs')
export class AsyncApiController {
  private readonly document = buildAsyncApiDocument();

  @Get('asyncapi.json')
  @ApiOperation({
    operationId: 'getAsyncApiDocument',
    summary: 'The AsyncAPI 3 document of the Kafka topics',
    description: 'Inbound topics, refunds.case-events.v1 with a payload schema per event type, and the dead-letter topic. No token needed.',
  })
  @ApiOkResponse({ schema: { type: 'object', additionalProperties: true, description: 'An AsyncAPI 3.0.0 document' }, description: 'The document' })
  asyncapi(): Record<string, unknown> {
    return this.document;
  }
}
