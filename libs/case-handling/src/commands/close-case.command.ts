import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { decide } from '@refund-desk/domain';
import { CaseCommandInput, OnCaseCommand } from '../command-handling/case-command';
import { CaseCommandResult, CaseRepository } from '../command-handling/case-repository';

export class CloseCaseCommand extends OnCaseCommand<CaseCommandInput<'CloseCase'>> {}

@CommandHandler(CloseCaseCommand)
export class CloseCaseHandler implements ICommandHandler<CloseCaseCommand> {
  constructor(private readonly cases: CaseRepository) {}

  execute({ caseId, input, context }: CloseCaseCommand): Promise<CaseCommandResult> {
    return this.cases.execute('CloseCase', caseId, context, (state, now) => decide({ type: 'CloseCase', ...input, actor: context.actor, now }, state));
  }
}
