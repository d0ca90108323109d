import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { decide, EscalationRecord, EvaluationRecord } from '@refund-desk/domain';
import { CustomerHistoryQuery } from '@refund-desk/read-models';
import { CaseCommandResult, CaseRepository } from '../command-handling/case-repository';
import { CommandContext } from '../command-handling/command-context';
import { LegalRulesService } from '../legal/legal-rules.service';
import { PolicyService } from '../policy/policy.service';

export interface EvaluationResult extends CaseCommandResult {
  readonly evaluation: EvaluationRecord | null;
  /** Set when the evaluation found an exception and escalated at once. */
  readonly escalation: EscalationRecord | null;
}

/**
 * Evaluates against the policy and the consumer law in force and the customer's earlier cases;
 * escalates an exception at once (a request the law covers is not one).
 */
export class EvaluateCaseCommand extends Command<EvaluationResult> {
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
    private readonly law: LegalRulesService,
    private readonly history: CustomerHistoryQuery,
  ) {}

  async execute({ caseId, context }: EvaluateCaseCommand): Promise<EvaluationResult> {
    const [policy, law] = await Promise.all([this.policies.current(), this.law.current()]);
    const lookbackDays = policy.rules.repeatRequester.lookbackDays;
    const result = await this.cases.execute('EvaluateCase', caseId, context, async (state, now) => {
      const history =
        state.status === 'none'
          ? { earlierCases: 0, earlierRefunds: 0, lookbackDays, complete: true }
          : await this.history.earlierCases(state.request.customer.id, caseId, lookbackDays, now);
      return decide({ type: 'EvaluateCase', policy, law, history, actor: context.actor, now }, state);
    });
    const { state } = result;
    return { ...result, evaluation: 'evaluation' in state ? state.evaluation : null, escalation: 'escalation' in state ? state.escalation : null };
  }
}
