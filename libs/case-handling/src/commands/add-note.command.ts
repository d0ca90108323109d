import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { decide, Evidence } from '@refund-desk/domain';
import { IdGenerator } from '@refund-desk/platform';
import { CaseCommandResult, CaseRepository } from '../command-handling/case-repository';
import { CommandContext } from '../command-handling/command-context';

export class AddNoteCommand extends Command<CaseCommandResult> {
  constructor(
    readonly caseId: string,
    readonly input: { readonly text: string; readonly evidence: readonly Evidence[] },
    readonly context: CommandContext,
  ) {
    super();
  }
}

@CommandHandler(AddNoteCommand)
export class AddNoteHandler implements ICommandHandler<AddNoteCommand> {
  constructor(
    private readonly cases: CaseRepository,
    private readonly ids: IdGenerator,
  ) {}

  execute({ caseId, input, context }: AddNoteCommand): Promise<CaseCommandResult> {
    const noteId = this.ids.newId();
    // Notes commute: one appended by someone else never changes whether this one may be added.
    return this.cases.execute(
      'AddNote',
      caseId,
      context,
      (state, now) => decide({ type: 'AddNote', noteId, text: input.text, evidence: input.evidence, actor: context.actor, now }, state),
      { commutes: true },
    );
  }
}
