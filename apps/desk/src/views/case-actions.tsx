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

type Authority = Schemas['DecisionAuthority']['level'];
const AUTHORITIES: readonly Authority[] = ['agent', 'manager', 'senior_manager'];
const rank = (level: Authority): number => AUTHORITIES.indexOf(level);
/** A second approver and an appeal's decider are managers at least, whoever took the first decision. */
const atLeastManager = (level: Authority): Authority => (rank(level) < rank('manager') ? 'manager' : level);
const hasAuthority = (session: Session, needed: Authority): boolean => AUTHORITIES.some((level) => session.roles.includes(level) && rank(level) >= rank(needed));

// The API's default when the policy names no appeal period.
const DEFAULT_APPEAL_WINDOW_DAYS = 30;

/**
 * Whether an agent may appeal the decision now, by the API's rules: an outcome other than what the
 * customer asked for (or less money), not yet appealed, not waiting for a second approver, no money
 * sent, and within the policy's appeal period.
 */
function appealOpen(view: CaseView, windowDays: number | undefined): boolean {
  const { decision, request, refund } = view;
  if (view.status !== 'decided' || !decision || view.appeal || view.approval?.status === 'pending') return false;
  if (refund && (refund.status === 'issued' || refund.status === 'settled')) return false;
  const appealable =
    decision.outcome === 'denied' ||
    decision.outcome === 'partial_refund' ||
    decision.outcome !== request.requestedResolution ||
    (decision.amount !== null && decision.amount.minor < request.amount.minor);
  const closesAt = Date.parse(decision.decidedAt) + (windowDays ?? DEFAULT_APPEAL_WINDOW_DAYS) * 86_400_000;
  return appealable && Date.now() <= closesAt;
}

/** The actions the signed-in role may take on the case in its current state. */
export function CaseActions({ view }: { view: CaseView }) {
  const t = useT();
  const session = useSignedIn();
  const queryClient = useQueryClient();
  const policy = usePolicy();
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
  const { status, decision, appeal } = view;
  const open = status !== 'closed';
  // Four eyes: until a second person approves, the API refuses the refund, the message, the follow-up and the closing.
  const awaitingApproval = status === 'decided' && view.approval?.status === 'pending';
  const appealWaiting = status === 'decided' && appeal !== null && appeal.verdict === null;
  const actions: ReactNode[] = [];
  if (status === 'logged' && can(session, ['agent']))
    actions.push(<ActionForm key="evaluate" title={t('action.evaluate')} submit={() => run((headers) => unwrap(api.POST('/v1/cases/{caseId}/evaluation', { params: { path, header: headers } })))} />);
  // The API escalates by hand only after an evaluation (an out-of-policy one escalates by itself).
  if (status === 'evaluated' && can(session, ['agent', 'manager']))
    actions.push(<EscalateForm key="escalate" run={run} caseId={view.caseId} />);
  if ((status === 'escalated' || awaitingApproval || appealWaiting) && can(session, ['manager', 'senior_manager']))
    actions.push(<AssignForm key="assign" run={run} view={view} />);
  if ((status === 'evaluated' || status === 'escalated') && can(session, ['agent', 'manager', 'senior_manager']))
    actions.push(<DecideForm key="decide" run={run} view={view} />);
  if (awaitingApproval && decision && can(session, ['manager', 'senior_manager'])) {
    const needed = atLeastManager(decision.authority.level);
    if (decision.decidedBy === session.subject) actions.push(<NotYours key="approve" title={t('action.approve')} why={t('action.approve.ownDecision')} />);
    else if (!hasAuthority(session, needed))
      actions.push(<NotYours key="approve" title={t('action.approve')} why={t('action.approve.authority', { authority: t(`role.${needed}`) })} />);
    else actions.push(<ApproveForm key="approve" run={run} caseId={view.caseId} />, <RejectForm key="reject" run={run} caseId={view.caseId} />);
  }
  if (appealWaiting && can(session, ['manager', 'senior_manager'])) {
    if (appeal.firstDecidedBy === session.subject)
      actions.push(<NotYours key="decide-appeal" title={t('action.decideAppeal')} why={t('action.decideAppeal.firstDecider')} />);
    else if (!hasAuthority(session, appeal.requiredAuthority))
      actions.push(<NotYours key="decide-appeal" title={t('action.decideAppeal')} why={t('action.decideAppeal.required', { authority: t(`role.${appeal.requiredAuthority}`) })} />);
    else actions.push(<AppealVerdictForm key="decide-appeal" run={run} view={view} />);
  }
  if (status === 'decided' && !awaitingApproval && can(session, ['agent', 'manager'])) actions.push(<NotifyForm key="notify" run={run} view={view} />);
  // No money moves under a decision while an appeal against it waits.
  if (status === 'decided' && !awaitingApproval && !appealWaiting && can(session, ['agent']) && (decision?.outcome === 'refund' || decision?.outcome === 'partial_refund'))
    actions.push(<RefundForm key="refund" run={run} view={view} />);
  if (status === 'decided' && !awaitingApproval && can(session, ['agent']) && !view.followUp) actions.push(<FollowUpForm key="follow-up" run={run} view={view} />);
  if (status === 'decided' && can(session, ['agent']) && appealOpen(view, policy.data?.rules.appealWindowDays)) actions.push(<AppealForm key="appeal" run={run} caseId={view.caseId} />);
  if (status === 'decided' && !awaitingApproval && !appealWaiting && can(session, ['agent', 'manager'])) actions.push(<CloseForm key="close" run={run} view={view} />);
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

/** An action the role could take but this person may not, here: said instead of a button the API would refuse. */
function NotYours({ title, why }: { title: string; why: string }) {
  return (
    <div className="not-yours" role="note">
      <h3>{title}</h3>
      <p>{why}</p>
    </div>
  );
}

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

const usePolicy = () => useQuery({ queryKey: ['policy'], queryFn: () => unwrap(api.GET('/v1/policy')) });

/** The signed-in person's authority limit for the case's currency, from the policy in force. */
function useAuthorityLimit(session: Session, currency: string): { limit: number | null; loaded: boolean } {
  const policy = usePolicy();
  if (!policy.data) return { limit: null, loaded: false };
  if (session.roles.includes('senior_manager')) return { limit: null, loaded: true };
  const level = session.roles.includes('manager') ? 'manager' : 'agent';
  return { limit: policy.data.rules.authorityLimits[level]?.[currency] ?? 0, loaded: true };
}

type Terms = Schemas['ReplacementDecisionDto'];

/** What a decider sets (outcome, amount, legal basis, alternatives), for a first decision and for one that overturns it on appeal. */
function useDecisionTerms(view: CaseView) {
  const currency = view.request.amount.currency;
  const [outcome, setOutcome] = useState<Outcome>(view.evaluation?.recommendation.resolution ?? 'refund');
  const withAmount = outcome === 'refund' || outcome === 'partial_refund' || outcome === 'store_credit';
  const read = (form: FormData): Terms => {
    const major = Number(text(form, 'amount').replace(',', '.'));
    const legalBasis = text(form, 'legalBasis');
    return {
      outcome,
      ...(withAmount && text(form, 'amount') ? { amount: { minor: toMinor(major, currency), currency } } : {}),
      ...(legalBasis ? { legalBasis } : {}),
      alternativesOffered: form.getAll('alternatives').map(String) as Terms['alternativesOffered'],
    };
  };
  return { outcome, setOutcome, withAmount, read };
}

function DecisionFields({ view, terms, children }: { view: CaseView; terms: ReturnType<typeof useDecisionTerms>; children?: ReactNode }) {
  const t = useT();
  const currency = view.request.amount.currency;
  return (
    <>
      <label>
        {t('action.decide.outcome')}
        <select name="outcome" value={terms.outcome} onChange={(event) => terms.setOutcome(event.target.value as Outcome)}>
          {OUTCOMES.map((code) => (
            <option key={code} value={code}>
              {t(`outcome.${code}`)}
            </option>
          ))}
        </select>
      </label>
      {terms.withAmount && (
        <label>
          {t('action.decide.amount', { currency })}
          <input name="amount" inputMode="decimal" defaultValue={String(toMajor(view.request.amount))} />
        </label>
      )}
      {children}
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
    </>
  );
}

function DecideForm({ run, view }: { run: Run; view: CaseView }) {
  const t = useT();
  const format = useFormat();
  const session = useSignedIn();
  const currency = view.request.amount.currency;
  const { limit, loaded } = useAuthorityLimit(session, currency);
  const terms = useDecisionTerms(view);
  const required = view.escalation?.requiredAuthority ?? view.evaluation?.requiredAuthority;
  return (
    <ActionForm
      title={t('action.decide')}
      submit={(form) => {
        const body: Schemas['DecisionDto'] = { ...terms.read(form), rationale: text(form, 'rationale') };
        return run((headers) => unwrap(api.POST('/v1/cases/{caseId}/decision', { params: { path: { caseId: view.caseId }, header: headers }, body })));
      }}
    >
      {loaded && (
        <p className="authority">{limit === null ? t('action.decide.unlimited') : t('action.decide.limit', { limit: format.money({ minor: limit, currency }) })}</p>
      )}
      {required && <p className="muted">{t('action.decide.required', { authority: t(`role.${required}`) })}</p>}
      <DecisionFields view={view} terms={terms}>
        <label>
          {t('action.decide.rationale')}
          <textarea name="rationale" required rows={3} />
        </label>
      </DecisionFields>
    </ActionForm>
  );
}

function ApproveForm({ run, caseId }: { run: Run; caseId: string }) {
  const t = useT();
  return (
    <ActionForm
      title={t('action.approve')}
      submit={(form) => {
        const note = text(form, 'note');
        return run((headers) =>
          unwrap(api.POST('/v1/cases/{caseId}/approval', { params: { path: { caseId }, header: headers }, body: { verdict: 'approved', ...(note ? { note } : {}) } })),
        );
      }}
    >
      <label>
        {t('action.approve.note')}
        <input name="note" />
      </label>
    </ActionForm>
  );
}

/** A rejection voids the decision; the API requires its reason, and says so if it is missing. */
function RejectForm({ run, caseId }: { run: Run; caseId: string }) {
  const t = useT();
  return (
    <ActionForm
      title={t('action.reject')}
      submit={(form) =>
        run((headers) =>
          unwrap(api.POST('/v1/cases/{caseId}/approval', { params: { path: { caseId }, header: headers }, body: { verdict: 'rejected', note: text(form, 'note') } })),
        )
      }
    >
      <label>
        {t('action.reject.reason')}
        <textarea name="note" required rows={2} />
      </label>
    </ActionForm>
  );
}

function AppealForm({ run, caseId }: { run: Run; caseId: string }) {
  const t = useT();
  return (
    <ActionForm
      title={t('action.appeal')}
      submit={(form) => {
        const uri = text(form, 'evidence');
        return run((headers) =>
          unwrap(
            api.POST('/v1/cases/{caseId}/appeal', {
              params: { path: { caseId }, header: headers },
              body: { reason: text(form, 'reason'), ...(uri ? { evidence: [{ kind: 'link', uri }] } : {}) },
            }),
          ),
        );
      }}
    >
      <label>
        {t('action.appeal.reason')}
        <textarea name="reason" required rows={3} />
      </label>
      <label>
        {t('action.appeal.evidence')}
        <input name="evidence" type="url" />
      </label>
    </ActionForm>
  );
}

type Verdict = Schemas['AppealVerdictDto']['verdict'];

/** Upholds the decision under appeal, or overturns it with a new one set with the decide form's fields. */
function AppealVerdictForm({ run, view }: { run: Run; view: CaseView }) {
  const t = useT();
  const [verdict, setVerdict] = useState<Verdict>('upheld');
  const terms = useDecisionTerms(view);
  const required = view.appeal?.requiredAuthority;
  return (
    <ActionForm
      title={t('action.decideAppeal')}
      submit={(form) => {
        const body: Schemas['AppealVerdictDto'] = {
          verdict,
          rationale: text(form, 'rationale'),
          ...(verdict === 'overturned' ? { decision: terms.read(form) } : {}),
        };
        return run((headers) => unwrap(api.POST('/v1/cases/{caseId}/appeal/decision', { params: { path: { caseId: view.caseId }, header: headers }, body })));
      }}
    >
      {required && <p className="muted">{t('action.decideAppeal.required', { authority: t(`role.${required}`) })}</p>}
      <label>
        {t('action.decideAppeal.verdict')}
        <select name="verdict" value={verdict} onChange={(event) => setVerdict(event.target.value as Verdict)}>
          {(['upheld', 'overturned'] as const).map((code) => (
            <option key={code} value={code}>
              {t(`appeal.${code}`)}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t('action.decide.rationale')}
        <textarea name="rationale" required rows={3} />
      </label>
      {verdict === 'overturned' && (
        <fieldset>
          <legend>{t('action.decideAppeal.newDecision')}</legend>
          <DecisionFields view={view} terms={terms} />
        </fieldset>
      )}
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
