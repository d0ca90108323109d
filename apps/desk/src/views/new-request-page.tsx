import { useMutation } from '@tanstack/react-query';
import { FormEvent, useId, useState } from 'react';
import { useNavigate } from 'react-router';
import { api, ApiError, Schemas, unwrap } from '../api/client';
import { LOCALES } from '../i18n/locale';
import { useT } from '../i18n/locale';
import type { MessageId } from '../i18n/messages/en';
import { toMinor } from '../ui/format';
import { ErrorMessage } from '../ui/status';

type Body = Schemas['LogRequestDto'];
const RESOLUTIONS: readonly Body['requestedResolution'][] = ['refund', 'partial_refund', 'store_credit', 'exchange', 'repair'];
const CHANNELS: readonly Body['channel'][] = ['phone', 'email', 'chat', 'store', 'web'];

/** A labelled input whose API field error (by dotted path) is shown under it and announced with it. */
function Field({ name, label, errors, ...input }: { name: string; label: MessageId; errors: Record<string, string> } & React.InputHTMLAttributes<HTMLInputElement>) {
  const t = useT();
  const id = useId();
  const error = errors[name];
  return (
    <div className={error ? 'field invalid' : 'field'}>
      <label htmlFor={id}>{t(label)}</label>
      <input id={id} name={name} aria-invalid={error ? true : undefined} aria-describedby={error ? `${id}-error` : undefined} {...input} />
      {error && (
        <p id={`${id}-error`} className="field-error">
          {error}
        </p>
      )}
    </div>
  );
}

/** The intake form for agents: the API validates, and its refusals land on the fields they name. */
export default function NewRequestPage() {
  const t = useT();
  const navigate = useNavigate();
  const [errors, setErrors] = useState<Record<string, string>>({});
  const logRequest = useMutation({
    mutationFn: (body: Body) => unwrap(api.POST('/v1/cases', { body })),
    onSuccess: (answer) => navigate(`/cases/${answer.caseId}`),
    onError: (error) => setErrors(error instanceof ApiError ? error.fieldErrors() : {}),
  });
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setErrors({});
    const form = new FormData(event.currentTarget);
    const value = (name: string) => String(form.get(name) ?? '').trim();
    const optional = (name: string) => value(name) || undefined;
    const currency = value('amount.currency').toUpperCase();
    const purchased = value('order.purchasedAt');
    logRequest.mutate({
      customer: { id: value('customer.id'), name: value('customer.name'), email: optional('customer.email'), phone: optional('customer.phone'), locale: value('customer.locale') },
      order: {
        id: value('order.id'),
        // A date picked in the form is that day at midnight UTC; anything else goes as typed, for the API to judge.
        purchasedAt: /^\d{4}-\d{2}-\d{2}$/.test(purchased) ? `${purchased}T00:00:00Z` : purchased,
        country: value('order.country').toUpperCase(),
        paymentMethod: value('order.paymentMethod'),
      },
      product: { sku: value('product.sku'), name: value('product.name'), category: value('product.category'), condition: value('product.condition') },
      amount: { minor: toMinor(Number(value('amount.value').replace(',', '.')), currency || 'EUR'), currency },
      reason: { code: value('reason.code'), description: value('reason.description') },
      requestedResolution: value('requestedResolution') as Body['requestedResolution'],
      channel: value('channel') as Body['channel'],
    });
  };
  const invalid = logRequest.error instanceof ApiError && logRequest.error.status === 400;
  return (
    <section aria-labelledby="new-title">
      <h1 id="new-title">{t('new.title')}</h1>
      <form onSubmit={submit} noValidate className="intake">
        <fieldset>
          <legend>{t('new.customer')}</legend>
          <Field name="customer.id" label="new.customer.id" errors={errors} required />
          <Field name="customer.name" label="new.customer.name" errors={errors} required autoComplete="off" />
          <Field name="customer.email" label="new.customer.email" errors={errors} type="email" autoComplete="off" />
          <Field name="customer.phone" label="new.customer.phone" errors={errors} type="tel" autoComplete="off" />
          <div className="field">
            <label>
              {t('new.customer.locale')}
              <select name="customer.locale" defaultValue="en">
                {LOCALES.map((code) => (
                  <option key={code} value={code}>
                    {code}
                  </option>
                ))}
              </select>
            </label>
          </div>
        </fieldset>
        <fieldset>
          <legend>{t('new.order')}</legend>
          <Field name="order.id" label="new.order.id" errors={errors} required />
          <Field name="order.purchasedAt" label="new.order.purchasedAt" errors={errors} type="date" required />
          <Field name="order.country" label="new.order.country" errors={errors} required maxLength={2} />
          <Field name="order.paymentMethod" label="new.order.paymentMethod" errors={errors} defaultValue="card" required />
        </fieldset>
        <fieldset>
          <legend>{t('new.product')}</legend>
          <Field name="product.sku" label="new.product.sku" errors={errors} required />
          <Field name="product.name" label="new.product.name" errors={errors} required />
          <Field name="product.category" label="new.product.category" errors={errors} required />
          <Field name="product.condition" label="new.product.condition" errors={errors} defaultValue="new" required />
        </fieldset>
        <fieldset>
          <legend>{t('new.amount')}</legend>
          <Field name="amount.value" label="new.amount.value" errors={{ ...errors, 'amount.value': errors['amount.minor'] ?? errors.amount }} inputMode="decimal" required />
          <Field name="amount.currency" label="new.amount.currency" errors={errors} defaultValue="EUR" maxLength={3} required />
        </fieldset>
        <fieldset>
          <legend>{t('new.reason')}</legend>
          <Field name="reason.code" label="new.reason.code" errors={errors} required />
          <Field name="reason.description" label="new.reason.description" errors={errors} required />
          <div className="field">
            <label>
              {t('new.requestedResolution')}
              <select name="requestedResolution" defaultValue="refund">
                {RESOLUTIONS.map((code) => (
                  <option key={code} value={code}>
                    {t(`outcome.${code}`)}
                  </option>
                ))}
              </select>
            </label>
          </div>
          <div className="field">
            <label>
              {t('new.channel')}
              <select name="channel" defaultValue="email">
                {CHANNELS.map((code) => (
                  <option key={code} value={code}>
                    {code}
                  </option>
                ))}
              </select>
            </label>
          </div>
        </fieldset>
        {invalid && (
          <p role="alert" className="error">
            {t('new.invalid')}
          </p>
        )}
        {logRequest.isError && !invalid && <ErrorMessage error={logRequest.error} />}
        <button type="submit" className="primary" disabled={logRequest.isPending}>
          {t('new.submit')}
        </button>
      </form>
    </section>
  );
}
