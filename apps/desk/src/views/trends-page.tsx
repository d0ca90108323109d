import { useQuery } from '@tanstack/react-query';
import type { ChartConfiguration } from 'chart.js';
import { FormEvent, useMemo } from 'react';
import { useSearchParams } from 'react-router';
import { api, saveUrl, Schemas, unwrap } from '../api/client';
import { hasAnyRole, useSignedIn } from '../auth/session';
import { useLocale, useT } from '../i18n/locale';
import { toMajor, useFormat } from '../ui/format';
import { ErrorMessage, Loading } from '../ui/status';
import { ChartCanvas } from './trends/chart';
import { trendsCsv } from './trends/csv';

type Interval = 'day' | 'week' | 'month';
type GroupBy = 'reason' | 'category' | 'outcome' | 'channel';
const GROUPS: readonly GroupBy[] = ['reason', 'category', 'outcome', 'channel'];
const COLOURS = ['#1f5fa8', '#c2410c', '#15803d', '#7e22ce', '#b91c1c', '#0e7490', '#a16207', '#4d7c0f'];
const DAY = 86_400_000;

const isoDay = (time: number) => new Date(time).toISOString().slice(0, 10);

/** Trends over a period the URL holds, charted, tabled and exportable; with the insights for the same period. */
export default function TrendsPage() {
  const t = useT();
  const format = useFormat();
  const { locale } = useLocale();
  const session = useSignedIn();
  const [params, setParams] = useSearchParams();
  const from = params.get('from') ?? isoDay(Date.now() - 90 * DAY);
  const to = params.get('to') ?? isoDay(Date.now() + DAY);
  const interval = (params.get('interval') as Interval | null) ?? 'week';
  const groupBy = (params.get('groupBy') as GroupBy | null) ?? 'reason';
  const range = { from: `${from}T00:00:00Z`, to: `${to}T00:00:00Z`, interval };
  const overall = useQuery({ queryKey: ['trends', range], queryFn: () => unwrap(api.GET('/v1/analytics/trends', { params: { query: range } })) });
  const grouped = useQuery({
    queryKey: ['trends', range, groupBy],
    queryFn: () => unwrap(api.GET('/v1/analytics/trends', { params: { query: { ...range, groupBy } } })),
  });
  const insights = useQuery({
    queryKey: ['insights', range],
    queryFn: () => unwrap(api.GET('/v1/analytics/insights', { params: { query: range } })),
    enabled: hasAnyRole(session, ['manager', 'senior_manager', 'admin']),
  });
  const rtl = locale === 'ar';
  const charts = useMemo(() => (overall.data && grouped.data ? chartsOf(overall.data, grouped.data, t, (iso) => format.date(iso)) : null), [overall.data, grouped.data, t, format]);

  const choose = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setParams(Object.fromEntries(['from', 'to', 'interval', 'groupBy'].map((key) => [key, String(form.get(key))])));
  };
  const exportCsv = () => {
    if (!grouped.data) return;
    const url = URL.createObjectURL(new Blob([trendsCsv(grouped.data.buckets)], { type: 'text/csv;charset=utf-8' }));
    saveUrl(url, `trends-${from}-${to}-${interval}-${groupBy}.csv`);
  };

  return (
    <section aria-labelledby="trends-title">
      <h1 id="trends-title">{t('trends.title')}</h1>
      <form className="filters" onSubmit={choose} aria-label={t('trends.period')}>
        <label>
          {t('trends.from')}
          <input type="date" name="from" defaultValue={from} required />
        </label>
        <label>
          {t('trends.to')}
          <input type="date" name="to" defaultValue={to} required />
        </label>
        <label>
          {t('trends.interval')}
          <select name="interval" defaultValue={interval}>
            {(['day', 'week', 'month'] as const).map((code) => (
              <option key={code} value={code}>
                {t(`trends.interval.${code}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('trends.groupBy')}
          <select name="groupBy" defaultValue={groupBy}>
            {GROUPS.map((code) => (
              <option key={code} value={code}>
                {t(`trends.groupBy.${code}`)}
              </option>
            ))}
          </select>
        </label>
        <button type="submit">{t('trends.show')}</button>
        <button type="button" onClick={exportCsv} disabled={!grouped.data}>
          {t('trends.export')}
        </button>
      </form>
      {(overall.isPending || grouped.isPending) && <Loading />}
      {overall.isError && <ErrorMessage error={overall.error} retry={() => void overall.refetch()} />}
      {grouped.isError && <ErrorMessage error={grouped.error} retry={() => void grouped.refetch()} />}
      {charts && (
        <div className="charts">
          <figure>
            <figcaption>{t('trends.volume')}</figcaption>
            <ChartCanvas config={charts.volume} label={t('trends.volume')} rtl={rtl} />
          </figure>
          <figure>
            <figcaption>{t('trends.byGroup', { group: t(`trends.groupBy.${groupBy}`) })}</figcaption>
            <ChartCanvas config={charts.byGroup} label={t('trends.byGroup', { group: t(`trends.groupBy.${groupBy}`) })} rtl={rtl} />
          </figure>
          <figure>
            <figcaption>{t('trends.approvalRate')}</figcaption>
            <ChartCanvas config={charts.approvalRate} label={t('trends.approvalRate')} rtl={rtl} />
          </figure>
          <figure>
            <figcaption>{t('trends.cost')}</figcaption>
            {/* Chart.js draws nothing, not even axes, without a dataset: say so instead of an empty box. */}
            {charts.cost.data.datasets.length > 0 ? <ChartCanvas config={charts.cost} label={t('trends.cost')} rtl={rtl} /> : <p>{t('trends.noRefunds')}</p>}
          </figure>
        </div>
      )}
      {overall.data && (
        <>
          <h2>{t('trends.table')}</h2>
          <table className="figures">
            <thead>
              <tr>
                <th scope="col">{t('trends.period')}</th>
                <th scope="col">{t('trends.requests')}</th>
                <th scope="col">{t('trends.escalations')}</th>
                <th scope="col">{t('trends.approvals')}</th>
                <th scope="col">{t('trends.denials')}</th>
                <th scope="col">{t('trends.approvalRate')}</th>
                <th scope="col">{t('trends.cost')}</th>
                <th scope="col">{t('trends.slaBreaches')}</th>
              </tr>
            </thead>
            <tbody>
              {overall.data.buckets.map((bucket) => (
                <tr key={bucket.start}>
                  <th scope="row">{format.date(bucket.start)}</th>
                  <td className="number">{format.number(bucket.requests)}</td>
                  <td className="number">{format.number(bucket.escalations)}</td>
                  <td className="number">{format.number(bucket.approvals)}</td>
                  <td className="number">{format.number(bucket.denials)}</td>
                  <td className="number">{format.number(bucket.approvalRate, { style: 'percent', maximumFractionDigits: 1 })}</td>
                  <td className="number">{bucket.refunded.map((money) => format.money(money)).join(' · ') || '—'}</td>
                  <td className="number">{format.number(bucket.slaBreaches)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      {insights.data && (
        <section aria-labelledby="insights-title">
          <h2 id="insights-title">{t('trends.insights')}</h2>
          {insights.data.findings.length === 0 ? (
            <p>{t('trends.noInsights')}</p>
          ) : (
            <ul className="insights">
              {insights.data.findings.map((finding, index) => (
                <li key={`${finding.kind}-${index}`}>
                  <strong>{finding.title}</strong>
                  <p>{finding.detail}</p>
                  <dl className="facts">
                    {Object.entries(finding.figures).map(([name, value]) => (
                      <div key={name}>
                        <dt>{name}</dt>
                        <dd>{typeof value === 'object' ? JSON.stringify(value) : String(value)}</dd>
                      </div>
                    ))}
                  </dl>
                </li>
              ))}
            </ul>
          )}
        </section>
      )}
    </section>
  );
}

type Trends = Schemas['TrendsResponse'];

function chartsOf(overall: Trends, grouped: Trends, t: ReturnType<typeof useT>, day: (iso: string) => string) {
  const starts = overall.buckets.map((bucket) => bucket.start);
  const labels = starts.map(day);
  const series = (label: string, data: (number | null)[], index: number) => ({ label, data, borderColor: COLOURS[index], backgroundColor: COLOURS[index] });
  const volume: ChartConfiguration = {
    type: 'line',
    data: {
      labels,
      datasets: [
        series(t('trends.requests'), overall.buckets.map((b) => b.requests), 0),
        series(t('trends.escalations'), overall.buckets.map((b) => b.escalations), 1),
        series(t('trends.approvals'), overall.buckets.map((b) => b.approvals), 2),
        series(t('trends.denials'), overall.buckets.map((b) => b.denials), 4),
      ],
    },
  };
  const groups = [...new Set(grouped.buckets.map((bucket) => bucket.group ?? '—'))];
  const byGroup: ChartConfiguration = {
    type: 'bar',
    data: {
      labels,
      datasets: groups.map((group, index) =>
        series(group, starts.map((start) => grouped.buckets.find((b) => b.start === start && (b.group ?? '—') === group)?.requests ?? 0), index % COLOURS.length),
      ),
    },
    options: { scales: { x: { stacked: true }, y: { stacked: true } } },
  };
  const approvalRate: ChartConfiguration = {
    type: 'line',
    data: { labels, datasets: [series(t('trends.approvalRate'), overall.buckets.map((b) => (b.approvalRate === null ? null : b.approvalRate * 100)), 2)] },
    options: { scales: { y: { min: 0, max: 100 } } },
  };
  const currencies = [...new Set(overall.buckets.flatMap((bucket) => bucket.refunded.map((money) => money.currency)))];
  const cost: ChartConfiguration = {
    type: 'bar',
    data: {
      labels,
      datasets: currencies.map((currency, index) =>
        series(currency, overall.buckets.map((b) => { const money = b.refunded.find((m) => m.currency === currency); return money ? toMajor(money) : 0; }), index % COLOURS.length),
      ),
    },
  };
  return { volume, byGroup, approvalRate, cost };
}
