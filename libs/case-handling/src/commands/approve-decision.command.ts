import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { decide } from '@refund-desk/domain';
import { CaseCommandInput, OnCaseCommand } from '../command-handling/case-command';
import { CaseCommandResult, CaseRepository } from '../command-handling/case-repository';

/** Four eyes: a second person lets a decision above the policy's threshold stand; refunds may follow. */
export class ApproveDecisionCommand extends OnCaseCommand<CaseCommandInput<'ApproveDecision'>> {}

@CommandHandler(ApproveDecisionCommand)
export class ApproveDecisionHandler implements ICommandHandler<ApproveDecisionCommand> {
  constructor(private readonly cases: CaseRepository) {}

  execute({ caseId, input, context }: ApproveDecisionCommand): Promise<CaseCommandResult> {
    return this.cases.execute('ApproveDecision', caseId, context, (state, now) =>
      decide({ type: 'ApproveDecision', ...input, actor: context.actor, now }, state),
    );
  }
}
