import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { FormEvent, useState } from 'react';
import { useNavigate, useParams } from 'react-router';
import { api, CaseView, download, unwrap } from '../api/client';
import { useT } from '../i18n/locale';
import { shortRef, useFormat } from '../ui/format';
import { ErrorMessage, Loading } from '../ui/status';

/** A case's history for auditors: its events, its state as of any version, and whether its hash chain holds. */
export default function AuditPage() {
  const t = useT();
  const navigate = useNavigate();
  const { caseId } = useParams();
  const [exporting, setExporting] = useState<unknown>(null);
  const open = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const id = String(new FormData(event.currentTarget).get('caseId') ?? '').trim();
    if (id) navigate(`/audit/${encodeURIComponent(id)}`);
  };
  const exportLog = () => {
    setExporting(null);
    download('/v1/audit/events?form=readable', 'refund-desk-events.ndjson').catch(setExporting);
  };
  return (
    <section aria-labelledby="audit-title">
      <h1 id="audit-title">{t('audit.title')}</h1>
      <form className="filters" onSubmit={open}>
        <label>
          {t('audit.caseId')}
          <input name="caseId" defaultValue={caseId} required />
        </label>
        <button type="submit">{t('audit.openCase')}</button>
        <button type="button" onClick={exportLog}>
          {t('audit.export')}
        </button>
      </form>
      {exporting !== null && <ErrorMessage error={exporting} />}
      {caseId && <CaseHistory key={caseId} caseId={caseId} />}
    </section>
  );
}

function CaseHistory({ caseId }: { caseId: string }) {
  const t = useT();
  const format = useFormat();
  const path = { caseId };
  const events = useQuery({ queryKey: ['audit-events', caseId], queryFn: () => unwrap(api.GET('/v1/audit/cases/{caseId}/events', { params: { path } })) });
  const verification = useQuery({
    queryKey: ['audit-verification', caseId],
    queryFn: () => unwrap(api.GET('/v1/audit/cases/{caseId}/verification', { params: { path } })),
  });
  const latest = events.data?.events.at(-1)?.version ?? 1;
  const [chosen, setChosen] = useState<number | null>(null);
  const version = chosen ?? latest;
  const state = useQuery({
    queryKey: ['audit-state', caseId, version],
    queryFn: () => unwrap(api.GET('/v1/audit/cases/{caseId}/state', { params: { path, query: { version } } })),
    enabled: !!events.data,
    placeholderData: keepPreviousData,
  });
  if (events.isPending) return <Loading />;
  if (events.isError) return <ErrorMessage error={events.error} retry={() => void events.refetch()} />;
  return (
    <article aria-labelledby="history-title">
      <h2 id="history-title">{t('audit.history', { ref: shortRef(caseId) })}</h2>
      {verification.data && (
        <p role="status" className={verification.data.valid ? 'verified' : 'error'}>
          {verification.data.valid
            ? t('audit.verified', { count: verification.data.events })
            : t('audit.broken', { version: verification.data.brokenAt?.version ?? '?', reason: verification.data.brokenAt?.reason ?? '' })}
        </p>
      )}
      {verification.isError && <ErrorMessage error={verification.error} />}
      <label className="slider">
        {t('audit.version')}
        <input
          type="range"
          name="version"
          min={1}
          max={latest}
          step={1}
          value={version}
          onChange={(event) => setChosen(Number(event.target.value))}
          aria-valuetext={t('audit.asOf', { version })}
        />
        <output>{version}</output>
      </label>
      <div className="case-grid">
        <section aria-labelledby="state-title">
          <h3 id="state-title">{t('audit.asOf', { version })}</h3>
          {state.isError && <ErrorMessage error={state.error} />}
          {state.data && <StateSummary state={state.data.state} asOf={state.data.asOf} />}
        </section>
        <section aria-labelledby="events-title">
          <h3 id="events-title">{t('audit.events')}</h3>
          <table>
            <thead>
              <tr>
                <th scope="col">{t('audit.version')}</th>
                <th scope="col">{t('audit.type')}</th>
                <th scope="col">{t('audit.actor')}</th>
                <th scope="col">{t('audit.when')}</th>
              </tr>
            </thead>
            <tbody>
              {events.data.events.map((event) => (
                <tr key={event.version} className={event.version === version ? 'current' : undefined} aria-current={event.version === version ? 'true' : undefined}>
                  <td>
                    <button type="button" className="link" onClick={() => setChosen(event.version)}>
                      {event.version}
                    </button>
                  </td>
                  <td>{event.type}</td>
                  <td>{event.actor}</td>
                  <td>{format.dateTime(event.occurredAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      </div>
    </article>
  );
}

function StateSummary({ state, asOf }: { state: CaseView; asOf: string }) {
  const t = useT();
  const format = useFormat();
  const rows: [string, string][] = [
    [t('case.status'), t(`status.${state.status}`)],
    [t('audit.when'), format.dateTime(asOf)],
    [t('case.customer'), state.request.customer.name],
    [t('case.amount'), format.money(state.request.amount)],
    [t('case.evaluation'), state.evaluation ? (state.evaluation.withinPolicy ? t('case.withinPolicy') : t('case.outsidePolicy', { authority: t(`role.${state.evaluation.requiredAuthority}`) })) : '—'],
    [t('case.escalation'), state.escalation ? t(`priority.${state.escalation.priority}`) : '—'],
    [t('case.decision'), state.decision ? `${t(`outcome.${state.decision.outcome}`)} ${format.money(state.decision.amount)}` : '—'],
    [t('case.notes'), String(state.notes.length)],
  ];
  return (
    <dl className="facts" data-testid="state-as-of">
      {rows.map(([label, value]) => (
        <div key={label}>
          <dt>{label}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}
