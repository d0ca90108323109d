import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { decide } from '@refund-desk/domain';
import { CaseCommandInput, OnCaseCommand } from '../command-handling/case-command';
import { CaseRepository } from '../command-handling/case-repository';
import { PolicyService } from '../policy/policy.service';
import { DecisionResult } from './decide-case.command';

export type AppealVerdictInput = CaseCommandInput<'DecideAppeal', 'policy'>;

/** The verdict on an appeal, by someone other than the first decider; the decision in force is answered. */
export class DecideAppealCommand extends OnCaseCommand<AppealVerdictInput, DecisionResult> {}

@CommandHandler(DecideAppealCommand)
export class DecideAppealHandler implements ICommandHandler<DecideAppealCommand> {
  constructor(
    private readonly cases: CaseRepository,
    private readonly policies: PolicyService,
  ) {}

  async execute({ caseId, input, context }: DecideAppealCommand): Promise<DecisionResult> {
    // An overturning decision is checked against the authority limits in force now, as a first one is.
    const policy = await this.policies.current();
    const result = await this.cases.execute('DecideAppeal', caseId, context, (state, now) =>
      decide({ type: 'DecideAppeal', ...input, policy, actor: context.actor, now }, state),
    );
    return { ...result, decision: 'decision' in result.state ? result.state.decision : null };
  }
}
