import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { decide } from '@refund-desk/domain';
import { CaseCommandInput, OnCaseCommand } from '../command-handling/case-command';
import { CaseCommandResult, CaseRepository } from '../command-handling/case-repository';
import { PolicyService } from '../policy/policy.service';

export class EscalateCaseCommand extends OnCaseCommand<CaseCommandInput<'EscalateCase', 'policy'>> {}

@CommandHandler(EscalateCaseCommand)
export class EscalateCaseHandler implements ICommandHandler<EscalateCaseCommand> {
  constructor(
    private readonly cases: CaseRepository,
    private readonly policies: PolicyService,
  ) {}

  async execute({ caseId, input, context }: EscalateCaseCommand): Promise<CaseCommandResult> {
    const policy = await this.policies.current();
    return this.cases.execute('EscalateCase', caseId, context, (state, now) =>
      decide({ type: 'EscalateCase', ...input, policy, actor: context.actor, now }, state),
    );
  }
}
