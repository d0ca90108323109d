import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { renderDecisionMessage } from '@refund-desk/customer-messages';
import { decide, NotificationChannel } from '@refund-desk/domain';
import { CaseCommandResult, CaseRepository } from '../command-handling/case-repository';
import { CommandContext } from '../command-handling/command-context';
import { PolicyService } from '../policy/policy.service';

/** Tells the customer the decision, rendered in their language from the recorded decision. */
export class NotifyCustomerCommand extends Command<CaseCommandResult> {
  constructor(
    readonly caseId: string,
    readonly channel: NotificationChannel,
    readonly context: CommandContext,
  ) {
    super();
  }
}

const NO_MESSAGE = { locale: '', subject: '', body: '' };

@CommandHandler(NotifyCustomerCommand)
export class NotifyCustomerHandler implements ICommandHandler<NotifyCustomerCommand> {
  constructor(
    private readonly cases: CaseRepository,
    private readonly policies: PolicyService,
  ) {}

  async execute({ caseId, channel, context }: NotifyCustomerCommand): Promise<CaseCommandResult> {
    const policy = await this.policies.current();
    return this.cases.execute('NotifyCustomer', caseId, context, (state, now) => {
      // Undecided cases are refused by decide(); there is nothing to render for them.
      const message =
        state.status === 'decided'
          ? renderDecisionMessage({
              caseId,
              customerName: state.request.customer.name,
              locale: state.request.customer.locale,
              productName: state.request.product.name,
              paymentMethod: state.request.order.paymentMethod,
              decision: state.decision,
              settlementBusinessDays: policy.rules.refundSettlementDays,
              now,
            })
          : NO_MESSAGE;
      return decide({ type: 'NotifyCustomer', channel, message, actor: context.actor, now }, state);
    });
  }
}
