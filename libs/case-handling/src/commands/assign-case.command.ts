import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { decide } from '@refund-desk/domain';
import { CaseCommandInput, OnCaseCommand } from '../command-handling/case-command';
import { CaseCommandResult, CaseRepository } from '../command-handling/case-repository';

export class AssignCaseCommand extends OnCaseCommand<CaseCommandInput<'AssignCase'>> {}

@CommandHandler(AssignCaseCommand)
export class AssignCaseHandler implements ICommandHandler<AssignCaseCommand> {
  constructor(private readonly cases: CaseRepository) {}

  execute({ caseId, input, context }: AssignCaseCommand): Promise<CaseCommandResult> {
    return this.cases.execute('AssignCase', caseId, context, (state, now) => decide({ type: 'AssignCase', ...input, actor: context.actor, now }, state));
  }
}
