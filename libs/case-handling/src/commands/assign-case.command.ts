import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { decide } from '@refund-desk/domain';
import { CaseCommandResult, CaseRepository } from '../command-handling/case-repository';
import { CommandContext } from '../command-handling/command-context';

export class AssignCaseCommand extends Command<CaseCommandResult> {
  constructor(
    readonly caseId: string,
    readonly assignee: string,
    readonly context: CommandContext,
  ) {
    super();
  }
}

@CommandHandler(AssignCaseCommand)
export class AssignCaseHandler implements ICommandHandler<AssignCaseCommand> {
  constructor(private readonly cases: CaseRepository) {}

  execute({ caseId, assignee, context }: AssignCaseCommand): Promise<CaseCommandResult> {
    return this.cases.execute('AssignCase', caseId, context, (state, now) =>
      decide({ type: 'AssignCase', assignee, actor: context.actor, now }, state),
    );
  }
}
