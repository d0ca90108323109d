import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { PolicyRules } from '@refund-desk/domain';
import { CommandContext } from '../command-handling/command-context';
import { PolicyService, RevisedPolicy } from '../policy/policy.service';

export class RevisePolicyCommand extends Command<RevisedPolicy> {
  constructor(
    readonly rules: PolicyRules,
    readonly changeNote: string,
    readonly context: CommandContext,
  ) {
    super();
  }
}

@CommandHandler(RevisePolicyCommand)
export class RevisePolicyHandler implements ICommandHandler<RevisePolicyCommand> {
  constructor(private readonly policies: PolicyService) {}

  execute({ rules, changeNote, context }: RevisePolicyCommand): Promise<RevisedPolicy> {
    return this.policies.revise(rules, changeNote, context);
  }
}
