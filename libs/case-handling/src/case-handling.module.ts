import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { CaseRepository } from './command-handling/case-repository';
import { StreamCommandHandler } from './command-handling/stream-command-handler';
import { AddNoteHandler } from './commands/add-note.command';
import { AssignCaseHandler } from './commands/assign-case.command';
import { CloseCaseHandler } from './commands/close-case.command';
import { EraseCustomerDataHandler } from './commands/erase-customer-data.command';
import { DecideCaseHandler } from './commands/decide-case.command';
import { EscalateCaseHandler } from './commands/escalate-case.command';
import { EvaluateCaseHandler } from './commands/evaluate-case.command';
import { LogRequestHandler } from './commands/log-request.command';
import { NotifyCustomerHandler } from './commands/notify-customer.command';
import { RecordFollowUpHandler } from './commands/record-follow-up.command';
import { RecordRefundExecutionHandler } from './commands/record-refund-execution.command';
import { RevisePolicyHandler } from './commands/revise-policy.command';
import { IdempotencyStore } from './idempotency/idempotency.store';
import { PolicyService } from './policy/policy.service';
import { GetCaseHandler } from './queries/get-case.query';

export const COMMAND_HANDLERS = [
  LogRequestHandler,
  AddNoteHandler,
  EvaluateCaseHandler,
  EscalateCaseHandler,
  AssignCaseHandler,
  DecideCaseHandler,
  NotifyCustomerHandler,
  RecordRefundExecutionHandler,
  RecordFollowUpHandler,
  CloseCaseHandler,
  RevisePolicyHandler,
  EraseCustomerDataHandler,
];

/**
 * The write side of refund cases, shared by every adapter that issues commands (HTTP, Kafka):
 * the same handlers, so the same validation and rules apply whatever the channel.
 */
@Module({
  imports: [CqrsModule],
  providers: [StreamCommandHandler, CaseRepository, PolicyService, IdempotencyStore, ...COMMAND_HANDLERS, GetCaseHandler],
  exports: [CqrsModule, StreamCommandHandler, CaseRepository, PolicyService, IdempotencyStore],
})
export class CaseHandlingModule {}
