import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { api, unwrap } from '../api/client';
import { useT } from '../i18n/locale';
import { shortRef, useFormat } from '../ui/format';
import { ErrorMessage, Loading } from '../ui/status';

/** Decided cases whose follow-up call is due, most overdue first (the API's order). */
export default function FollowUpsPage() {
  const t = useT();
  const format = useFormat();
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const cursor = cursors.at(-1);
  const queue = useQuery({
    queryKey: ['follow-ups', cursor],
    queryFn: () => unwrap(api.GET('/v1/queues/follow-up', { params: { query: { limit: 50, cursor } } })),
    refetchInterval: 30_000,
    placeholderData: keepPreviousData,
  });
  return (
    <section aria-labelledby="follow-ups-title">
      <h1 id="follow-ups-title">{t('followUps.title')}</h1>
      {queue.isPending && <Loading />}
      {queue.isError && <ErrorMessage error={queue.error} retry={() => void queue.refetch()} />}
      {queue.data &&
        (queue.data.items.length === 0 ? (
          <p>{t('followUps.empty')}</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">{t('queue.case')}</th>
                <th scope="col">{t('followUps.outcome')}</th>
                <th scope="col">{t('followUps.due')}</th>
                <th scope="col">{t('case.channel')}</th>
              </tr>
            </thead>
            <tbody>
              {queue.data.items.map((item) => (
                <tr key={item.caseId} className={item.daysOverdue > 0 ? 'row-overdue' : undefined}>
                  <th scope="row">
                    <Link to={`/cases/${item.caseId}`}>{shortRef(item.caseId)}</Link>
                  </th>
                  <td>{item.outcome ? t(`outcome.${item.outcome}`) : '—'}</td>
                  <td>
                    {format.date(item.followUpDueAt)} ({t('followUps.overdue', { days: item.daysOverdue })})
                  </td>
                  <td>{item.channel ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ))}
      {queue.data && (
        <nav className="pager" aria-label={t('queue.page', { page: cursors.length })}>
          <button type="button" disabled={cursors.length === 1} onClick={() => setCursors(cursors.slice(0, -1))}>
            {t('common.previous')}
          </button>
          <button type="button" disabled={!queue.data.nextCursor} onClick={() => setCursors([...cursors, queue.data.nextCursor ?? undefined])}>
            {t('common.next')}
          </button>
        </nav>
      )}
    </section>
  );
}
