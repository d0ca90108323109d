import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { decide } from '@refund-desk/domain';
import { CaseCommandInput, OnCaseCommand } from '../command-handling/case-command';
import { CaseCommandResult, CaseRepository } from '../command-handling/case-repository';
import { PolicyService } from '../policy/policy.service';

export type AppealInput = CaseCommandInput<'AppealDecision', 'policy'>;

/** The customer disputes a denial or partial outcome, through an agent or a calling service. */
export class AppealDecisionCommand extends OnCaseCommand<AppealInput> {}

@CommandHandler(AppealDecisionCommand)
export class AppealDecisionHandler implements ICommandHandler<AppealDecisionCommand> {
  constructor(
    private readonly cases: CaseRepository,
    private readonly policies: PolicyService,
  ) {}

  async execute({ caseId, input, context, eventIds }: AppealDecisionCommand): Promise<CaseCommandResult> {
    // The policy in force sets the appeal period and the deadline for the verdict.
    const policy = await this.policies.current();
    return this.cases.execute(
      'AppealDecision',
      caseId,
      context,
      (state, now) => decide({ type: 'AppealDecision', ...input, policy, actor: context.actor, now }, state),
      { eventIds },
    );
  }
}
