import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { LegalRules, LegalRulesInForce } from '@refund-desk/domain';
import { CommandContext } from '../command-handling/command-context';
import { LegalRulesService } from '../legal/legal-rules.service';
import { RevisedRules, RulesRevisionInput } from '../rules/versioned-rules.service';

export class ReviseLegalRulesCommand extends Command<RevisedRules<LegalRulesInForce>> {
  constructor(
    readonly input: RulesRevisionInput<LegalRules>,
    readonly context: CommandContext,
  ) {
    super();
  }
}

@CommandHandler(ReviseLegalRulesCommand)
export class ReviseLegalRulesHandler implements ICommandHandler<ReviseLegalRulesCommand> {
  constructor(private readonly law: LegalRulesService) {}

  execute({ input, context }: ReviseLegalRulesCommand): Promise<RevisedRules<LegalRulesInForce>> {
    return this.law.reviseRules(input, context);
  }
}
