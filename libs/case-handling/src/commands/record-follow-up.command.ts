import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { decide } from '@refund-desk/domain';
import { CaseCommandResult, CaseRepository } from '../command-handling/case-repository';
import { CommandContext } from '../command-handling/command-context';

export interface FollowUpInput {
  readonly satisfaction: number;
  readonly comment: string | null;
  readonly channel: string;
}

export class RecordFollowUpCommand extends Command<CaseCommandResult> {
  constructor(
    readonly caseId: string,
    readonly input: FollowUpInput,
    readonly context: CommandContext,
    /** Fixed ids of the events to record (derived from a message id), so a redelivery records nothing new. */
    readonly eventIds?: readonly string[],
  ) {
    super();
  }
}

@CommandHandler(RecordFollowUpCommand)
export class RecordFollowUpHandler implements ICommandHandler<RecordFollowUpCommand> {
  constructor(private readonly cases: CaseRepository) {}

  execute({ caseId, input, context, eventIds }: RecordFollowUpCommand): Promise<CaseCommandResult> {
    return this.cases.execute(
      'RecordFollowUp',
      caseId,
      context,
      (state, now) => decide({ type: 'RecordFollowUp', ...input, actor: context.actor, now }, state),
      { eventIds },
    );
  }
}
