import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { decide, Decision } from '@refund-desk/domain';
import { CaseCommandInput, OnCaseCommand } from '../command-handling/case-command';
import { CaseCommandResult, CaseRepository } from '../command-handling/case-repository';
import { PolicyService } from '../policy/policy.service';

export type DecisionInput = CaseCommandInput<'DecideCase', 'policy'>;

export interface DecisionResult extends CaseCommandResult {
  readonly decision: Decision | null;
}

/** Records the decision; the domain checks the decider's authority against the policy's limits. */
export class DecideCaseCommand extends OnCaseCommand<DecisionInput, DecisionResult> {}

@CommandHandler(DecideCaseCommand)
export class DecideCaseHandler implements ICommandHandler<DecideCaseCommand> {
  constructor(
    private readonly cases: CaseRepository,
    private readonly policies: PolicyService,
  ) {}

  async execute({ caseId, input, context }: DecideCaseCommand): Promise<DecisionResult> {
    const policy = await this.policies.current();
    const result = await this.cases.execute('DecideCase', caseId, context, (state, now) =>
      decide({ type: 'DecideCase', ...input, policy, actor: context.actor, now }, state),
    );
    return { ...result, decision: 'decision' in result.state ? result.state.decision : null };
  }
}
