import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { CaseRepository } from './command-handling/case-repository';
import { StreamCommandHandler } from './command-handling/stream-command-handler';
import { COMMAND_HANDLERS } from './commands';
import { IdempotencyStore } from './idempotency/idempotency.store';
import { LegalRulesService } from './legal/legal-rules.service';
import { PolicyService } from './policy/policy.service';
import { GetCaseHandler } from './queries/get-case.query';

/**
 * The write side of refund cases, shared by every adapter that issues commands (HTTP, Kafka):
 * the same handlers, so the same validation and rules apply whatever the channel.
 */
@Module({
  imports: [CqrsModule],
  providers: [StreamCommandHandler, CaseRepository, PolicyService, LegalRulesService, IdempotencyStore, ...COMMAND_HANDLERS, GetCaseHandler],
  exports: [CqrsModule, StreamCommandHandler, CaseRepository, PolicyService, LegalRulesService, IdempotencyStore],
})
export class CaseHandlingModule {}
