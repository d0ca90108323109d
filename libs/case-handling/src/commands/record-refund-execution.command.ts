import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { decide, Money } from '@refund-desk/domain';
import { CaseCommandResult, CaseRepository } from '../command-handling/case-repository';
import { CommandContext } from '../command-handling/command-context';

export interface RefundExecutionInput {
  readonly status: 'issued' | 'settled' | 'failed';
  readonly method: string;
  readonly amount: Money;
  readonly reference: string;
  readonly failureReason: string | null;
}

/** The payment side reports where the money is: issued, settled or failed. */
export class RecordRefundExecutionCommand extends Command<CaseCommandResult> {
  constructor(
    readonly caseId: string,
    readonly input: RefundExecutionInput,
    readonly context: CommandContext,
    /** Fixed ids of the events to record (derived from a message id), so a redelivery records nothing new. */
    readonly eventIds?: readonly string[],
  ) {
    super();
  }
}

@CommandHandler(RecordRefundExecutionCommand)
export class RecordRefundExecutionHandler implements ICommandHandler<RecordRefundExecutionCommand> {
  constructor(private readonly cases: CaseRepository) {}

  execute({ caseId, input, context, eventIds }: RecordRefundExecutionCommand): Promise<CaseCommandResult> {
    return this.cases.execute(
      'RecordRefundExecution',
      caseId,
      context,
      (state, now) => decide({ type: 'RecordRefundExecution', ...input, actor: context.actor, now }, state),
      { eventIds },
    );
  }
}
