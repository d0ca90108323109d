import { useQuery } from '@tanstack/react-query';
import { renderDecisionMessage } from '@refund-desk/customer-messages';
import { api, CaseView, unwrap } from '../api/client';
import { useT } from '../i18n/locale';

/**
 * What the customer will read, before it is sent: rendered by the same module the service renders
 * the message with (libs/customer-messages), in the customer's language, from the decision on screen.
 */
export default function MessagePreview({ view }: { view: CaseView }) {
  const t = useT();
  const policy = useQuery({ queryKey: ['policy'], queryFn: () => unwrap(api.GET('/v1/policy')) });
  if (!view.decision || !policy.data) return null;
  const { decision, request } = view;
  const message = renderDecisionMessage({
    caseId: view.caseId,
    customerName: request.customer.name,
    locale: request.customer.locale,
    productName: request.product.name,
    paymentMethod: request.order.paymentMethod,
    decision,
    settlementBusinessDays: policy.data.rules.refundSettlementDays,
    now: new Date(),
  });
  return (
    <figure className="message preview" lang={message.locale} dir={message.locale === 'ar' ? 'rtl' : 'ltr'}>
      <figcaption>{t('action.notify.preview', { locale: message.locale })}</figcaption>
      <p>
        <strong>{message.subject}</strong>
      </p>
      <pre>{message.body}</pre>
    </figure>
  );
}
