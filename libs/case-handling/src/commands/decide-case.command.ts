import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Alternative, decide, Money, Outcome } from '@refund-desk/domain';
import { CaseCommandResult, CaseRepository } from '../command-handling/case-repository';
import { CommandContext } from '../command-handling/command-context';
import { PolicyService } from '../policy/policy.service';

export interface DecisionInput {
  readonly outcome: Outcome;
  readonly amount: Money | null;
  readonly rationale: string;
  readonly legalBasis: string | null;
  readonly alternativesOffered: readonly Alternative[];
}

/** Records the decision; the domain checks the decider's authority against the policy's limits. */
export class DecideCaseCommand extends Command<CaseCommandResult> {
  constructor(
    readonly caseId: string,
    readonly input: DecisionInput,
    readonly context: CommandContext,
  ) {
    super();
  }
}

@CommandHandler(DecideCaseCommand)
export class DecideCaseHandler implements ICommandHandler<DecideCaseCommand> {
  constructor(
    private readonly cases: CaseRepository,
    private readonly policies: PolicyService,
  ) {}

  async execute({ caseId, input, context }: DecideCaseCommand): Promise<CaseCommandResult> {
    const policy = await this.policies.current();
    return this.cases.execute('DecideCase', caseId, context, (state, now) =>
      decide({ type: 'DecideCase', ...input, policy, actor: context.actor, now }, state),
    );
  }
}
