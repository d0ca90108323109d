import { useQuery } from '@tanstack/react-query';
import { useParams } from 'react-router';
import { api, ApiError, CaseView, unwrap } from '../api/client';
import { hasAnyRole, useSignedIn } from '../auth/session';
import { useT } from '../i18n/locale';
import { shortRef, useFormat } from '../ui/format';
import { ErrorMessage, Loading } from '../ui/status';
import { useNow } from '../ui/use-now';
import { CaseActions } from './case-actions';
import { SlaCountdown } from './sla-countdown';

export const caseKey = (caseId: string) => ['case', caseId] as const;

/** One case as the API holds it now: the request, the evaluation, the timeline, notes and what the signed-in role may do next. */
export default function CasePage() {
  const { caseId = '' } = useParams();
  const t = useT();
  const query = useQuery({
    queryKey: caseKey(caseId),
    queryFn: () => unwrap(api.GET('/v1/cases/{caseId}', { params: { path: { caseId } } })),
  });
  if (query.isPending) return <Loading />;
  if (query.isError) return <ErrorMessage error={query.error} retry={() => void query.refetch()} />;
  const view = query.data;
  return (
    <article aria-labelledby="case-title" className="case">
      <h1 id="case-title">
        {t('case.title', { ref: shortRef(view.caseId) })} <span className={`status status-${view.status}`}>{t(`status.${view.status}`)}</span>{' '}
        <small className="muted">{t('case.version', { version: view.version })}</small>
      </h1>
      <MissedDeadlines view={view} />
      <div className="case-grid">
        <div>
          <RequestPanel view={view} />
          <EvaluationPanel view={view} />
          <DecisionPanel view={view} />
          <AppealPanel view={view} />
          <NotesPanel view={view} />
          <TimelinePanel view={view} />
        </div>
        <CaseActions view={view} />
      </div>
    </article>
  );
}

function RequestPanel({ view }: { view: CaseView }) {
  const t = useT();
  const format = useFormat();
  const { request } = view;
  const rows: [string, string][] = [
    [t('case.customer'), `${request.customer.name} (${request.customer.id}, ${request.customer.locale})`],
    [t('case.order'), `${request.order.id} · ${request.order.country} · ${request.order.paymentMethod}`],
    [t('case.purchasedAt'), format.date(request.order.purchasedAt)],
    [t('case.product'), `${request.product.name} (${request.product.sku}, ${request.product.category})`],
    [t('case.condition'), request.product.condition],
    [t('case.amount'), format.money(request.amount)],
    [t('case.reason'), `${request.reason.code}: ${request.reason.description}`],
    [t('case.resolution'), t(`outcome.${request.requestedResolution}`)],
    [t('case.channel'), request.channel],
  ];
  return (
    <section aria-labelledby="request-title">
      <h2 id="request-title">{t('case.request')}</h2>
      <dl className="facts">
        {rows.map(([label, value]) => (
          <div key={label}>
            <dt>{label}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
      {request.evidence.length > 0 && (
        <>
          <h3>{t('case.evidence')}</h3>
          <ul>
            {request.evidence.map((evidence) => (
              <li key={evidence.uri}>
                {evidence.kind}: <a href={evidence.uri} rel="noreferrer noopener" target="_blank">{evidence.uri}</a>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

function EvaluationPanel({ view }: { view: CaseView }) {
  const t = useT();
  const now = useNow();
  const { evaluation, escalation, assignment } = view;
  return (
    <section aria-labelledby="evaluation-title">
      <h2 id="evaluation-title">{t('case.evaluation')}</h2>
      {!evaluation ? (
        <p>{t('case.notEvaluated')}</p>
      ) : (
        <>
          <p>
            <strong>{evaluation.withinPolicy ? t('case.withinPolicy') : t('case.outsidePolicy', { authority: t(`role.${evaluation.requiredAuthority}`) })}</strong> ·{' '}
            {t('case.policyVersion', { version: evaluation.policyVersion })} · {t('case.recommendation', { resolution: t(`outcome.${evaluation.recommendation.resolution}`) })}
          </p>
          <p className="muted">{evaluation.recommendation.note}</p>
          <table>
            <thead>
              <tr>
                <th scope="col">{t('case.rule')}</th>
                <th scope="col">{t('case.result')}</th>
                <th scope="col">{t('case.detail')}</th>
              </tr>
            </thead>
            <tbody>
              {evaluation.findings.map((finding) => (
                <tr key={finding.rule} className={`finding-${finding.result}`}>
                  <th scope="row">{finding.rule}</th>
                  <td>{finding.result}</td>
                  <td>{finding.detail}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {evaluation.legal && (
            <>
              <h3>{t('case.legal', { version: evaluation.legal.legalRulesVersion })}</h3>
              <table>
                <thead>
                  <tr>
                    <th scope="col">{t('case.right')}</th>
                    <th scope="col">{t('case.result')}</th>
                    <th scope="col">{t('case.detail')}</th>
                  </tr>
                </thead>
                <tbody>
                  {evaluation.legal.findings.map((finding) => (
                    <tr key={finding.right} className={`legal-${finding.result}`}>
                      <th scope="row">{t(`right.${finding.right}`)}</th>
                      <td>{finding.result}</td>
                      <td>{finding.detail}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              {evaluation.legal.entitlements.map((right) => (
                <p key={right.right} className="entitlement">
                  <strong>{t(`right.${right.right}`)}</strong> · {right.source.act}, {right.source.article} ·{' '}
                  {t('case.rightUntil', { until: right.until.slice(0, 10) })}
                </p>
              ))}
            </>
          )}
        </>
      )}
      {escalation && (
        <>
          <h3>{t('case.escalation')}</h3>
          <p>
            <span className={`priority priority-${escalation.priority}`}>{t(`priority.${escalation.priority}`)}</span> · {escalation.reason} ·{' '}
            {view.status === 'escalated' ? <SlaCountdown dueAt={escalation.slaDueAt} now={now} /> : null}
          </p>
          {assignment && <p>{t('case.assignedTo', { assignee: assignment.assignee })}</p>}
        </>
      )}
    </section>
  );
}

function DecisionPanel({ view }: { view: CaseView }) {
  const t = useT();
  const format = useFormat();
  const { decision, communications, refund, followUp, closure } = view;
  if (!decision) return null;
  return (
    <section aria-labelledby="decision-title">
      <h2 id="decision-title">{t('case.decision')}</h2>
      <p>
        <strong>{t(`outcome.${decision.outcome}`)}</strong> {decision.amount ? format.money(decision.amount) : ''}
      </p>
      <p>{decision.rationale}</p>
      {decision.legalBasis && <p>{decision.legalBasis}</p>}
      <p className="muted">
        {t('case.decidedBy', { who: decision.decidedBy, level: t(`role.${decision.authority.level}`), date: format.dateTime(decision.decidedAt) })}
      </p>
      <ApprovalState view={view} />
      {decision.refundDue && (
        <p className="refund-due">
          {decision.refundDue.under === 'law' && decision.refundDue.source
            ? t('case.refundDue.law', { date: format.date(decision.refundDue.by), act: decision.refundDue.source.act, article: decision.refundDue.source.article })
            : t('case.refundDue.policy', { date: format.date(decision.refundDue.by) })}
        </p>
      )}
      {communications.length > 0 && (
        <>
          <h3>{t('case.communications')}</h3>
          {communications.map((message) => (
            <figure key={message.notifiedAt} className="message" lang={message.locale} dir={message.locale === 'ar' ? 'rtl' : 'ltr'}>
              <figcaption>
                <strong>{message.subject}</strong> · {message.channel} · {format.dateTime(message.notifiedAt)}
              </figcaption>
              <pre>{message.body}</pre>
            </figure>
          ))}
        </>
      )}
      {refund && refund.status !== 'not_started' && (
        <>
          <h3>{t('case.refund')}</h3>
          <p>
            {refund.status} · {format.money(refund.amount)} · {refund.method} · {refund.reference}
          </p>
        </>
      )}
      {followUp && (
        <>
          <h3>{t('case.followUp')}</h3>
          <p>
            {followUp.satisfaction}/5 {followUp.comment}
          </p>
        </>
      )}
      {closure && <p>{closure.summary}</p>}
    </section>
  );
}

/** Four eyes: whether the decision in force still waits for a second person, or who let it stand. */
function ApprovalState({ view }: { view: CaseView }) {
  const t = useT();
  const format = useFormat();
  const { approval } = view;
  if (!approval || approval.status === 'not_required') return null;
  if (approval.status === 'pending') {
    return (
      <p className="approval approval-pending">
        <strong>{t('case.approval.pending')}</strong> {approval.threshold ? t('case.approval.threshold', { threshold: format.money(approval.threshold) }) : ''}
      </p>
    );
  }
  return (
    <p className="approval approval-approved">
      {t('case.approval.approved', { who: approval.approvedBy ?? '?', date: format.dateTime(approval.approvedAt) })}
      {approval.note ? ` · ${approval.note}` : ''}
    </p>
  );
}

/** The appeal against the decision: the customer's grounds, its deadline while it waits, and the verdict once given. */
function AppealPanel({ view }: { view: CaseView }) {
  const t = useT();
  const format = useFormat();
  const now = useNow();
  const { appeal } = view;
  if (!appeal) return null;
  const { verdict } = appeal;
  return (
    <section aria-labelledby="appeal-title" className="appeal">
      <h2 id="appeal-title">{t('case.appeal')}</h2>
      <p>{appeal.reason}</p>
      {appeal.evidence.length > 0 && (
        <ul>
          {appeal.evidence.map((evidence) => (
            <li key={evidence.uri}>
              {evidence.kind}: <a href={evidence.uri} rel="noreferrer noopener" target="_blank">{evidence.uri}</a>
            </li>
          ))}
        </ul>
      )}
      <p className="muted">
        {t('case.appeal.by', { who: appeal.appealedBy, date: format.dateTime(appeal.appealedAt) })} ·{' '}
        {t('case.appeal.firstDecidedBy', { who: appeal.firstDecidedBy, authority: t(`role.${appeal.requiredAuthority}`) })}
      </p>
      {!verdict ? (
        <p>
          <span className={`priority priority-${appeal.priority}`}>{t(`priority.${appeal.priority}`)}</span> · <SlaCountdown dueAt={appeal.slaDueAt} now={now} />
        </p>
      ) : (
        <>
          <h3>{t('case.appeal.verdict')}</h3>
          <p className={`verdict verdict-${verdict.verdict}`}>
            <strong>{t(`appeal.${verdict.verdict}`)}</strong> ·{' '}
            {t('case.appeal.decidedBy', { who: verdict.decidedBy, level: t(`role.${verdict.authority.level}`), date: format.dateTime(verdict.decidedAt) })}
          </p>
          <p>{verdict.rationale}</p>
          {verdict.replaced && (
            <p className="muted">
              {t('case.appeal.replaced', {
                decision: [t(`outcome.${verdict.replaced.decision.outcome}`), verdict.replaced.decision.amount ? format.money(verdict.replaced.decision.amount) : ''].join(' ').trim(),
                who: verdict.replaced.decision.decidedBy,
              })}
            </p>
          )}
        </>
      )}
    </section>
  );
}

/** Each deadline the scheduler found passed with nothing done, flagged where nobody can miss it. */
function MissedDeadlines({ view }: { view: CaseView }) {
  const t = useT();
  const format = useFormat();
  if (view.deadlinesMissed.length === 0) return null;
  return (
    <ul className="missed-deadlines" aria-label={t('case.missed')}>
      {view.deadlinesMissed.map((missed) => (
        <li key={`${missed.deadline}-${missed.dueAt}`} className={`flag flag-missed missed-${missed.deadline}`}>
          <strong>{t('case.missed.flag', { deadline: t(`deadline.${missed.deadline}`) })}</strong>{' '}
          {t('case.missed.detail', { due: format.dateTime(missed.dueAt), missed: format.dateTime(missed.missedAt) })}
        </li>
      ))}
    </ul>
  );
}

function NotesPanel({ view }: { view: CaseView }) {
  const t = useT();
  const format = useFormat();
  return (
    <section aria-labelledby="notes-title">
      <h2 id="notes-title">{t('case.notes')}</h2>
      {view.notes.length === 0 ? (
        <p>{t('case.noNotes')}</p>
      ) : (
        <ul>
          {view.notes.map((note) => (
            <li key={note.noteId}>
              {note.text} <span className="muted">— {note.addedBy}, {format.dateTime(note.addedAt)}</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** The case's events, from the customer's timeline (the read model every case role may read). */
function TimelinePanel({ view }: { view: CaseView }) {
  const t = useT();
  const format = useFormat();
  const session = useSignedIn();
  const customerId = view.request.customer.id;
  const timeline = useQuery({
    queryKey: ['timeline', customerId, view.version],
    queryFn: () => unwrap(api.GET('/v1/customers/{customerId}/timeline', { params: { path: { customerId }, query: { limit: 500 } } })),
    enabled: hasAnyRole(session, ['agent', 'manager', 'senior_manager', 'auditor']),
  });
  const items = timeline.data?.items.filter((item) => item.caseId === view.caseId) ?? [];
  return (
    <section aria-labelledby="timeline-title">
      <h2 id="timeline-title">{t('case.timeline')}</h2>
      {timeline.isError && !(timeline.error instanceof ApiError && timeline.error.status === 403) && <ErrorMessage error={timeline.error} />}
      <ol className="timeline">
        {items.map((item) => (
          <li key={item.position}>
            <time dateTime={item.occurredAt}>{format.dateTime(item.occurredAt)}</time> <strong>{item.type}</strong> {item.actor ? `· ${item.actor}` : ''}
          </li>
        ))}
      </ol>
    </section>
  );
}
