import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { CommandContext } from '../command-handling/command-context';
import { PolicyService, RevisedPolicy, RevisePolicyInput } from '../policy/policy.service';

export class RevisePolicyCommand extends Command<RevisedPolicy> {
  constructor(
    readonly input: RevisePolicyInput,
    readonly context: CommandContext,
  ) {
    super();
  }
}

@CommandHandler(RevisePolicyCommand)
export class RevisePolicyHandler implements ICommandHandler<RevisePolicyCommand> {
  constructor(private readonly policies: PolicyService) {}

  execute({ input, context }: RevisePolicyCommand): Promise<RevisedPolicy> {
    return this.policies.revise(input, context);
  }
}
