import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { decide } from '@refund-desk/domain';
import { CaseCommandInput, OnCaseCommand } from '../command-handling/case-command';
import { CaseCommandResult, CaseRepository } from '../command-handling/case-repository';

/** Four eyes: a second person voids a decision above the threshold; the case waits for a new one. */
export class RejectDecisionCommand extends OnCaseCommand<CaseCommandInput<'RejectDecision'>> {}

@CommandHandler(RejectDecisionCommand)
export class RejectDecisionHandler implements ICommandHandler<RejectDecisionCommand> {
  constructor(private readonly cases: CaseRepository) {}

  execute({ caseId, input, context }: RejectDecisionCommand): Promise<CaseCommandResult> {
    return this.cases.execute('RejectDecision', caseId, context, (state, now) =>
      decide({ type: 'RejectDecision', ...input, actor: context.actor, now }, state),
    );
  }
}
