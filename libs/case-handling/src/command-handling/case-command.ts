import { Command } from '@nestjs/cqrs';
import { CaseCommand } from '@refund-desk/domain';
import { CaseCommandResult } from './case-repository';
import { CommandContext } from './command-context';

/**
 * What the caller gives for a domain command: the command without its type, who and when (the
 * context and the clock supply them) and the facts its handler looks up (`Added`: the policy,
 * the customer's history, a fresh note id, the rendered message).
 */
export type CaseCommandInput<T extends CaseCommand['type'], Added extends string = never> = Omit<
  Extract<CaseCommand, { readonly type: T }>,
  'type' | 'actor' | 'now' | Added
>;

/**
 * A command on one refund case, dispatched through the CommandBus; each command is its own
 * subclass, which the bus routes by. `Result` types what CommandBus.execute answers.
 */
export abstract class OnCaseCommand<Input, Result extends CaseCommandResult = CaseCommandResult> extends Command<Result> {
  constructor(
    readonly caseId: string,
    readonly input: Input,
    readonly context: CommandContext,
    /** Fixed ids of the events to record (derived from a message id), so a redelivery records nothing new. */
    readonly eventIds?: readonly string[],
  ) {
    super();
  }
}
