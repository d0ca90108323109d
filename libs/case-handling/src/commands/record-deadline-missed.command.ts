import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { decide } from '@refund-desk/domain';
import { CaseCommandInput, OnCaseCommand } from '../command-handling/case-command';
import { CaseCommandResult, CaseRepository } from '../command-handling/case-repository';

/**
 * Sent in-process by the deadline scheduler, never over a public route. Recording nothing is an
 * answer: the deadline was met meanwhile or another scheduler instance recorded it first.
 */
export class RecordDeadlineMissedCommand extends OnCaseCommand<CaseCommandInput<'RecordDeadlineMissed'>> {}

@CommandHandler(RecordDeadlineMissedCommand)
export class RecordDeadlineMissedHandler implements ICommandHandler<RecordDeadlineMissedCommand> {
  constructor(private readonly cases: CaseRepository) {}

  execute({ caseId, input, context, eventIds }: RecordDeadlineMissedCommand): Promise<CaseCommandResult> {
    return this.cases.execute(
      'RecordDeadlineMissed',
      caseId,
      context,
      (state, now) => decide({ type: 'RecordDeadlineMissed', ...input, actor: context.actor, now }, state),
      { eventIds },
    );
  }
}
