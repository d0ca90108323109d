import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { decide } from '@refund-desk/domain';
import { CaseCommandInput, OnCaseCommand } from '../command-handling/case-command';
import { CaseCommandResult, CaseRepository } from '../command-handling/case-repository';

export type FollowUpInput = CaseCommandInput<'RecordFollowUp'>;

export class RecordFollowUpCommand extends OnCaseCommand<FollowUpInput> {}

@CommandHandler(RecordFollowUpCommand)
export class RecordFollowUpHandler implements ICommandHandler<RecordFollowUpCommand> {
  constructor(private readonly cases: CaseRepository) {}

  execute({ caseId, input, context, eventIds }: RecordFollowUpCommand): Promise<CaseCommandResult> {
    return this.cases.execute('RecordFollowUp', caseId, context, (state, now) => decide({ type: 'RecordFollowUp', ...input, actor: context.actor, now }, state), {
      eventIds,
    });
  }
}
