import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { decide } from '@refund-desk/domain';
import { CaseCommandInput, OnCaseCommand } from '../command-handling/case-command';
import { CaseCommandResult, CaseRepository } from '../command-handling/case-repository';

export type RefundExecutionInput = CaseCommandInput<'RecordRefundExecution'>;

/** The payment side reports where the money is: issued, settled or failed. */
export class RecordRefundExecutionCommand extends OnCaseCommand<RefundExecutionInput> {}

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
