import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { decide } from '@refund-desk/domain';
import { CaseCommandResult, CaseRepository } from '../command-handling/case-repository';
import { CommandContext } from '../command-handling/command-context';

export class CloseCaseCommand extends Command<CaseCommandResult> {
  constructor(
    readonly caseId: string,
    readonly summary: string,
    readonly context: CommandContext,
  ) {
    super();
  }
}

@CommandHandler(CloseCaseCommand)
export class CloseCaseHandler implements ICommandHandler<CloseCaseCommand> {
  constructor(private readonly cases: CaseRepository) {}

  execute({ caseId, summary, context }: CloseCaseCommand): Promise<CaseCommandResult> {
    return this.cases.execute('CloseCase', caseId, context, (state, now) =>
      decide({ type: 'CloseCase', summary, actor: context.actor, now }, state),
    );
  }
}
