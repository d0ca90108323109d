import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { decide } from '@refund-desk/domain';
import { IdGenerator } from '@refund-desk/platform';
import { CaseCommandInput, OnCaseCommand } from '../command-handling/case-command';
import { CaseCommandResult, CaseRepository } from '../command-handling/case-repository';

export class AddNoteCommand extends OnCaseCommand<CaseCommandInput<'AddNote', 'noteId'>> {}

@CommandHandler(AddNoteCommand)
export class AddNoteHandler implements ICommandHandler<AddNoteCommand> {
  constructor(
    private readonly cases: CaseRepository,
    private readonly ids: IdGenerator,
  ) {}

  execute({ caseId, input, context }: AddNoteCommand): Promise<CaseCommandResult> {
    const noteId = this.ids.newId();
    // Notes commute: one appended by someone else never changes whether this one may be added.
    return this.cases.execute('AddNote', caseId, context, (state, now) => decide({ type: 'AddNote', noteId, ...input, actor: context.actor, now }, state), {
      commutes: true,
    });
  }
}
