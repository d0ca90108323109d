import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { renderDecisionMessage } from '@refund-desk/customer-messages';
import { Communication, decide } from '@refund-desk/domain';
import { CaseCommandInput, OnCaseCommand } from '../command-handling/case-command';
import { CaseCommandResult, CaseRepository } from '../command-handling/case-repository';
import { PolicyService } from '../policy/policy.service';

export interface NotificationResult extends CaseCommandResult {
  /** The last message the case records as sent: this one. */
  readonly sent: Communication | null;
}

/** Tells the customer the decision, rendered in their language from the recorded decision. */
export class NotifyCustomerCommand extends OnCaseCommand<CaseCommandInput<'NotifyCustomer', 'message'>, NotificationResult> {}

const NO_MESSAGE = { locale: '', subject: '', body: '' };

@CommandHandler(NotifyCustomerCommand)
export class NotifyCustomerHandler implements ICommandHandler<NotifyCustomerCommand> {
  constructor(
    private readonly cases: CaseRepository,
    private readonly policies: PolicyService,
  ) {}

  async execute({ caseId, input, context }: NotifyCustomerCommand): Promise<NotificationResult> {
    const policy = await this.policies.current();
    const result = await this.cases.execute('NotifyCustomer', caseId, context, (state, now) => {
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
              legal: {
                rights: (state.evaluation.legal?.entitlements ?? []).map(({ right, source }) => ({ right, source })),
                contests: (state.decision.contests ?? []).map(({ right, reason }) => ({ right, reason })),
              },
              settlementBusinessDays: policy.rules.refundSettlementDays,
              now,
            })
          : NO_MESSAGE;
      return decide({ type: 'NotifyCustomer', ...input, message, actor: context.actor, now }, state);
    });
    const communications = 'communications' in result.state ? result.state.communications : [];
    return { ...result, sent: communications[communications.length - 1] ?? null };
  }
}
