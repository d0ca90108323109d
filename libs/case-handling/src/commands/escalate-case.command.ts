import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { decide, Priority } from '@refund-desk/domain';
import { CaseCommandResult, CaseRepository } from '../command-handling/case-repository';
import { CommandContext } from '../command-handling/command-context';
import { PolicyService } from '../policy/policy.service';

export class EscalateCaseCommand extends Command<CaseCommandResult> {
  constructor(
    readonly caseId: string,
    readonly input: { readonly reason: string; readonly priority: Priority },
    readonly context: CommandContext,
  ) {
    super();
  }
}

@CommandHandler(EscalateCaseCommand)
export class EscalateCaseHandler implements ICommandHandler<EscalateCaseCommand> {
  constructor(
    private readonly cases: CaseRepository,
    private readonly policies: PolicyService,
  ) {}

  async execute({ caseId, input, context }: EscalateCaseCommand): Promise<CaseCommandResult> {
    const policy = await this.policies.current();
    return this.cases.execute('EscalateCase', caseId, context, (state, now) =>
      decide({ type: 'EscalateCase', reason: input.reason, priority: input.priority, policy, actor: context.actor, now }, state),
    );
  }
}
