import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { FormEvent, lazy, ReactNode, Suspense, useState } from 'react';
import { api, ApiError, CaseView, ifMatch, Schemas, unwrap } from '../api/client';
import { hasAnyRole, Role, Session, useSignedIn } from '../auth/session';
import { useT } from '../i18n/locale';
import { toMajor, toMinor, useFormat } from '../ui/format';
import { ErrorMessage } from '../ui/status';

// The preview carries the customer-message catalogues of five languages: fetched only when a decision is to be told.
const MessagePreview = lazy(() => import('./message-preview'));

type Outcome = Schemas['DecisionDto']['outcome'];
const OUTCOMES: readonly Outcome[] = ['refund', 'partial_refund', 'store_credit', 'exchange', 'repair', 'denied'];
const ALTERNATIVES = ['store_credit', 'exchange', 'repair', 'discount'] as const;
const CHANNELS = ['email', 'sms', 'phone', 'chat', 'letter'] as const;

const can = (session: Session, roles: readonly Role[]) => hasAnyRole(session, roles);

/** The actions the signed-in role may take on the case in its current state. */
export function CaseActions({ view }: { view: CaseView }) {
  const t = useT();
  const session = useSignedIn();
  const queryClient = useQueryClient();
  const [stale, setStale] = useState<{ mine: number; current: number | undefined } | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const reload = async () => {
    setStale(null);
    await queryClient.invalidateQueries({ queryKey: ['case', view.caseId] });
  };
  /** Every command names the version on screen (If-Match): a 412 means someone else moved the case first. */
  const run = async (call: (headers: { 'If-Match': string }) => Promise<unknown>, doneText?: string): Promise<unknown> => {
    setDone(null);
    try {
      const answer = await call(ifMatch(view.version));
      setDone(doneText ?? t('action.done'));
      await queryClient.invalidateQueries({ queryKey: ['case', view.caseId] });
      await queryClient.invalidateQueries({ queryKey: ['queue'] });
      return answer;
    } catch (error) {
      if (error instanceof ApiError && error.status === 412) {
        setStale({ mine: view.version, current: error.problem?.currentVersion });
        return undefined;
      }
      throw error;
    }
  };
  const path = { caseId: view.caseId };
  const { status } = view;
  const open = status !== 'closed';
  const actions: ReactNode[] = [];
  if (status === 'logged' && can(session, ['agent']))
    actions.push(<ActionForm key="evaluate" title={t('action.evaluate')} submit={() => run((headers) => unwrap(api.POST('/v1/cases/{caseId}/evaluation', { params: { path, header: headers } })))} />);
  // The API escalates by hand only after an evaluation (an out-of-policy one escalates by itself).
  if (status === 'evaluated' && can(session, ['agent', 'manager']))
    actions.push(<EscalateForm key="escalate" run={run} caseId={view.caseId} />);
  if (status === 'escalated' && can(session, ['manager', 'senior_manager']))
    actions.push(<AssignForm key="assign" run={run} view={view} />);
  if ((status === 'evaluated' || status === 'escalated') && can(session, ['agent', 'manager', 'senior_manager']))
    actions.push(<DecideForm key="decide" run={run} view={view} />);
  if (status === 'decided' && can(session, ['agent', 'manager'])) actions.push(<NotifyForm key="notify" run={run} view={view} />);
  if (status === 'decided' && can(session, ['agent']) && (view.decision?.outcome === 'refund' || view.decision?.outcome === 'partial_refund'))
    actions.push(<RefundForm key="refund" run={run} view={view} />);
  if (status === 'decided' && can(session, ['agent']) && !view.followUp) actions.push(<FollowUpForm key="follow-up" run={run} view={view} />);
  if (status === 'decided' && can(session, ['agent', 'manager'])) actions.push(<CloseForm key="close" run={run} view={view} />);
  if (open && can(session, ['agent', 'manager', 'senior_manager'])) actions.push(<NoteForm key="note" run={run} view={view} />);
  return (
    <aside aria-labelledby="actions-title" className="actions">
      <h2 id="actions-title">{t('case.actions')}</h2>
      {stale && (
        <div role="alert" className="stale">
          <h3>{t('case.stale.title')}</h3>
          <p>{t('case.stale.detail', { mine: stale.mine, current: stale.current ?? '?' })}</p>
          <button type="button" className="primary" onClick={() => void reload()}>
            {t('case.stale.reload')}
          </button>
        </div>
      )}
      {done && (
        <p role="status" className="done">
          {done}
        </p>
      )}
      {actions.length === 0 ? <p>{t('case.noActions')}</p> : actions}
    </aside>
  );
}

type Run = (call: (headers: { 'If-Match': string }) => Promise<unknown>, doneText?: string) => Promise<unknown>;

/** A titled form whose submission is one command; the API's refusal is shown in it, with the fields it names. */
function ActionForm({ title, submit, children }: { title: string; submit: (form: FormData) => Promise<unknown>; children?: ReactNode }) {
  const mutation = useMutation({ mutationFn: submit });
  const id = `action-${title.replace(/\W+/g, '-').toLowerCase()}`;
  return (
    <form
      className="action"
      aria-labelledby={id}
      noValidate
      onSubmit={(event: FormEvent<HTMLFormElement>) => {
        event.preventDefault();
        mutation.mutate(new FormData(event.currentTarget));
      }}
    >
      <h3 id={id}>{title}</h3>
      {children}
      {mutation.isError && <Refusal error={mutation.error} />}
      <button type="submit" className="primary" disabled={mutation.isPending}>
        {title}
      </button>
    </form>
  );
}

function Refusal({ error }: { error: unknown }) {
  if (!(error instanceof ApiError)) return <ErrorMessage error={error} />;
  const fields = Object.entries(error.fieldErrors());
  return (
    <div role="alert" className="error">
      <p>{error.message}</p>
      {fields.length > 0 && (
        <ul>
          {fields.map(([field, message]) => (
            <li key={field}>
              {field}: {message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

const text = (form: FormData, name: string): string => String(form.get(name) ?? '').trim();

function EscalateForm({ run, caseId }: { run: Run; caseId: string }) {
  const t = useT();
  return (
    <ActionForm
      title={t('action.escalate')}
      submit={(form) =>
        run((headers) =>
          unwrap(
            api.POST('/v1/cases/{caseId}/escalation', {
              params: { path: { caseId }, header: headers },
              body: { reason: text(form, 'reason'), priority: text(form, 'priority') as Schemas['EscalationDto']['priority'] },
            }),
          ),
        )
      }
    >
      <label>
        {t('action.escalate.reason')}
        <input name="reason" required />
      </label>
      <label>
        {t('queue.priority')}
        <select name="priority" defaultValue="normal">
          {(['low', 'normal', 'high', 'urgent'] as const).map((priority) => (
            <option key={priority} value={priority}>
              {t(`priority.${priority}`)}
            </option>
          ))}
        </select>
      </label>
    </ActionForm>
  );
}

function AssignForm({ run, view }: { run: Run; view: CaseView }) {
  const t = useT();
  const session = useSignedIn();
  const assign = (assignee: string) =>
    run((headers) => unwrap(api.POST('/v1/cases/{caseId}/assignment', { params: { path: { caseId: view.caseId }, header: headers }, body: { assignee } })));
  return (
    <ActionForm title={t('action.assign')} submit={(form) => assign(text(form, 'assignee') || session.subject)}>
      <label>
        {t('action.assign.to')}
        <input name="assignee" defaultValue={view.assignment?.assignee === session.subject ? '' : session.subject} />
      </label>
    </ActionForm>
  );
}

/** The signed-in person's authority limit for the case's currency, from the policy in force. */
function useAuthorityLimit(session: Session, currency: string): { limit: number | null; loaded: boolean } {
  const policy = useQuery({ queryKey: ['policy'], queryFn: () => unwrap(api.GET('/v1/policy')) });
  if (!policy.data) return { limit: null, loaded: false };
  if (session.roles.includes('senior_manager')) return { limit: null, loaded: true };
  const level = session.roles.includes('manager') ? 'manager' : 'agent';
  return { limit: policy.data.rules.authorityLimits[level]?.[currency] ?? 0, loaded: true };
}

function DecideForm({ run, view }: { run: Run; view: CaseView }) {
  const t = useT();
  const format = useFormat();
  const session = useSignedIn();
  const currency = view.request.amount.currency;
  const { limit, loaded } = useAuthorityLimit(session, currency);
  const [outcome, setOutcome] = useState<Outcome>(view.evaluation?.recommendation.resolution ?? 'refund');
  const required = view.escalation?.requiredAuthority ?? view.evaluation?.requiredAuthority;
  const withAmount = outcome === 'refund' || outcome === 'partial_refund' || outcome === 'store_credit';
  return (
    <ActionForm
      title={t('action.decide')}
      submit={(form) => {
        const major = Number(text(form, 'amount').replace(',', '.'));
        const legalBasis = text(form, 'legalBasis');
        const body: Schemas['DecisionDto'] = {
          outcome,
          rationale: text(form, 'rationale'),
          ...(withAmount && text(form, 'amount') ? { amount: { minor: toMinor(major, currency), currency } } : {}),
          ...(legalBasis ? { legalBasis } : {}),
          alternativesOffered: form.getAll('alternatives').map(String) as Schemas['DecisionDto']['alternativesOffered'],
        };
        return run((headers) => unwrap(api.POST('/v1/cases/{caseId}/decision', { params: { path: { caseId: view.caseId }, header: headers }, body })));
      }}
    >
      {loaded && (
        <p className="authority">{limit === null ? t('action.decide.unlimited') : t('action.decide.limit', { limit: format.money({ minor: limit, currency }) })}</p>
      )}
      {required && <p className="muted">{t('action.decide.required', { authority: t(`role.${required}`) })}</p>}
      <label>
        {t('action.decide.outcome')}
        <select name="outcome" value={outcome} onChange={(event) => setOutcome(event.target.value as Outcome)}>
          {OUTCOMES.map((code) => (
            <option key={code} value={code}>
              {t(`outcome.${code}`)}
            </option>
          ))}
        </select>
      </label>
      {withAmount && (
        <label>
          {t('action.decide.amount', { currency })}
          <input name="amount" inputMode="decimal" defaultValue={String(toMajor(view.request.amount))} />
        </label>
      )}
      <label>
        {t('action.decide.rationale')}
        <textarea name="rationale" required rows={3} />
      </label>
      <label>
        {t('action.decide.legalBasis')}
        <input name="legalBasis" />
      </label>
      <fieldset>
        <legend>{t('action.decide.alternatives')}</legend>
        {ALTERNATIVES.map((code) => (
          <label key={code} className="inline">
            <input type="checkbox" name="alternatives" value={code} /> {t(`alternative.${code}`)}
          </label>
        ))}
      </fieldset>
    </ActionForm>
  );
}

function NotifyForm({ run, view }: { run: Run; view: CaseView }) {
  const t = useT();
  const [sent, setSent] = useState<string | null>(null);
  return (
    <ActionForm
      title={t('action.notify')}
      submit={async (form) => {
        const answer = (await run((headers) =>
          unwrap(
            api.POST('/v1/cases/{caseId}/communications', {
              params: { path: { caseId: view.caseId }, header: headers },
              body: { channel: text(form, 'channel') as (typeof CHANNELS)[number] },
            }),
          ),
        )) as Schemas['CommunicationCommandResponse'] | undefined;
        if (answer?.message) setSent(answer.message.subject);
      }}
    >
      <label>
        {t('action.notify.channel')}
        <select name="channel" defaultValue="email">
          {CHANNELS.map((channel) => (
            <option key={channel} value={channel}>
              {channel}
            </option>
          ))}
        </select>
      </label>
      <Suspense fallback={null}>
        <MessagePreview view={view} />
      </Suspense>
      {sent && <p role="status">{t('action.notify.sent', { subject: sent })}</p>}
    </ActionForm>
  );
}

function RefundForm({ run, view }: { run: Run; view: CaseView }) {
  const t = useT();
  const amount = view.decision?.amount ?? view.request.amount;
  const [status, setStatus] = useState<'issued' | 'settled' | 'failed'>(view.refund?.status === 'issued' ? 'settled' : 'issued');
  return (
    <ActionForm
      title={t('action.refund')}
      submit={(form) =>
        run((headers) =>
          unwrap(
            api.POST('/v1/cases/{caseId}/refund-execution', {
              params: { path: { caseId: view.caseId }, header: headers },
              body: {
                status,
                method: text(form, 'method'),
                reference: text(form, 'reference'),
                amount,
                ...(status === 'failed' ? { failureReason: text(form, 'failureReason') } : {}),
              },
            }),
          ),
        )
      }
    >
      <label>
        {t('action.refund.status')}
        <select name="status" value={status} onChange={(event) => setStatus(event.target.value as typeof status)}>
          <option value="issued">issued</option>
          <option value="settled">settled</option>
          <option value="failed">failed</option>
        </select>
      </label>
      <label>
        {t('action.refund.method')}
        <input name="method" defaultValue={view.refund?.method ?? view.request.order.paymentMethod} />
      </label>
      <label>
        {t('action.refund.reference')}
        <input name="reference" defaultValue={view.refund?.reference ?? ''} />
      </label>
      {status === 'failed' && (
        <label>
          {t('action.refund.failureReason')}
          <input name="failureReason" />
        </label>
      )}
    </ActionForm>
  );
}

function FollowUpForm({ run, view }: { run: Run; view: CaseView }) {
  const t = useT();
  return (
    <ActionForm
      title={t('action.followUp')}
      submit={(form) => {
        const comment = text(form, 'comment');
        return run((headers) =>
          unwrap(
            api.POST('/v1/cases/{caseId}/follow-up', {
              params: { path: { caseId: view.caseId }, header: headers },
              body: { satisfaction: Number(text(form, 'satisfaction')), channel: text(form, 'channel') || 'phone', ...(comment ? { comment } : {}) },
            }),
          ),
        );
      }}
    >
      <label>
        {t('action.followUp.satisfaction')}
        <input name="satisfaction" type="number" min={1} max={5} defaultValue={4} />
      </label>
      <label>
        {t('action.notify.channel')}
        <input name="channel" defaultValue="phone" />
      </label>
      <label>
        {t('action.followUp.comment')}
        <input name="comment" />
      </label>
    </ActionForm>
  );
}

function CloseForm({ run, view }: { run: Run; view: CaseView }) {
  const t = useT();
  return (
    <ActionForm
      title={t('action.close')}
      submit={(form) =>
        run((headers) =>
          unwrap(api.POST('/v1/cases/{caseId}/closure', { params: { path: { caseId: view.caseId }, header: headers }, body: { summary: text(form, 'summary') } })),
        )
      }
    >
      <label>
        {t('action.close.summary')}
        <input name="summary" />
      </label>
    </ActionForm>
  );
}

function NoteForm({ run, view }: { run: Run; view: CaseView }) {
  const t = useT();
  return (
    <ActionForm
      title={t('action.note')}
      submit={(form) =>
        run((headers) => unwrap(api.POST('/v1/cases/{caseId}/notes', { params: { path: { caseId: view.caseId }, header: headers }, body: { text: text(form, 'text') } })))
      }
    >
      <label>
        {t('action.note.text')}
        <textarea name="text" rows={2} />
      </label>
    </ActionForm>
  );
}
