import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { decide } from '@refund-desk/domain';
import { CustomerHistoryQuery } from '@refund-desk/read-models';
import { CaseCommandResult, CaseRepository } from '../command-handling/case-repository';
import { CommandContext } from '../command-handling/command-context';
import { PolicyService } from '../policy/policy.service';

/** Evaluates against the policy in force and the customer's earlier cases; escalates an exception at once. */
export class EvaluateCaseCommand extends Command<CaseCommandResult> {
  constructor(
    readonly caseId: string,
    readonly context: CommandContext,
  ) {
    super();
  }
}

@CommandHandler(EvaluateCaseCommand)
export class EvaluateCaseHandler implements ICommandHandler<EvaluateCaseCommand> {
  constructor(
    private readonly cases: CaseRepository,
    private readonly policies: PolicyService,
    private readonly history: CustomerHistoryQuery,
  ) {}

  async execute({ caseId, context }: EvaluateCaseCommand): Promise<CaseCommandResult> {
    const policy = await this.policies.current();
    const lookbackDays = policy.rules.repeatRequester.lookbackDays;
    return this.cases.execute('EvaluateCase', caseId, context, async (state, now) => {
      const history =
        state.status === 'none'
          ? { earlierCases: 0, earlierRefunds: 0, lookbackDays, complete: true }
          : await this.history.earlierCases(state.request.customer.id, caseId, lookbackDays, now);
      return decide({ type: 'EvaluateCase', policy, history, actor: context.actor, now }, state);
    });
  }
}
