import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { decide, RefundRequest } from '@refund-desk/domain';
import { IdGenerator } from '@refund-desk/platform';
import { CaseCommandResult, CaseRepository } from '../command-handling/case-repository';
import { CommandContext } from '../command-handling/command-context';
import { deterministicId, IdempotencyStore } from '../idempotency/idempotency.store';

/**
 * Logs a new request. With an idempotency key (an HTTP Idempotency-Key, or a Kafka messageId)
 * the case id and event id are derived from it, so repeating the command changes nothing.
 */
export class LogRequestCommand extends Command<CaseCommandResult> {
  constructor(
    readonly request: RefundRequest,
    readonly context: CommandContext,
    readonly idempotency?: { readonly scope: string; readonly key: string; readonly body: unknown },
  ) {
    super();
  }
}

@CommandHandler(LogRequestCommand)
export class LogRequestHandler implements ICommandHandler<LogRequestCommand> {
  constructor(
    private readonly cases: CaseRepository,
    private readonly idempotency: IdempotencyStore,
    private readonly ids: IdGenerator,
  ) {}

  async execute({ request, context, idempotency }: LogRequestCommand): Promise<CaseCommandResult> {
    let caseId = this.ids.newId();
    let eventIds: string[] | undefined;
    if (idempotency) {
      await this.idempotency.claim(idempotency.scope, idempotency.key, idempotency.body);
      caseId = deterministicId('case', idempotency.scope, idempotency.key);
      eventIds = [deterministicId('event', idempotency.scope, idempotency.key)];
    }
    return this.cases.execute(
      'LogRequest',
      caseId,
      context,
      (state, now) => decide({ type: 'LogRequest', caseId, request, actor: context.actor, now }, state),
      { creates: true, eventIds, freshId: !idempotency },
    );
  }
}
