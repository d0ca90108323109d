import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { FormEvent, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { api, unwrap } from '../api/client';
import { useSignedIn } from '../auth/session';
import { useT } from '../i18n/locale';
import { shortRef, useFormat } from '../ui/format';
import { ErrorMessage, Loading } from '../ui/status';
import { useNow } from '../ui/use-now';
import { SlaCountdown } from './sla-countdown';

const PRIORITIES = ['urgent', 'high', 'normal', 'low'] as const;
const PAGE_SIZE = 50;
/** The queue changes as agents escalate and managers decide: it refetches on its own this often. */
const REFRESH_MS = 15_000;

/** The authority levels an escalation can ask for, lowest first (the API's requiredAuthority filter). */
const AUTHORITIES = ['agent', 'manager', 'senior_manager'] as const;
/** What an open case waits for: a first decision, an appeal's verdict, or a second person's approval (four eyes). */
const WAITING_FOR = ['decision', 'appeal', 'approval'] as const;

/**
 * Open exceptions in the order the API keeps them (priority, then earliest deadline), filtered
 * through the URL so a filtered view can be shared or reloaded; pages follow the API's cursors.
 */
export default function QueuePage() {
  const t = useT();
  const format = useFormat();
  const session = useSignedIn();
  const now = useNow();
  const queryClient = useQueryClient();
  const [params, setParams] = useSearchParams();
  // Cursors of the pages before this one, for "previous page".
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = params.get('cursor') ?? undefined;
  const assignee = params.get('assignee') ?? 'any';
  const filters = {
    priority: params.getAll('priority').filter((value): value is (typeof PRIORITIES)[number] => (PRIORITIES as readonly string[]).includes(value)),
    category: params.get('category') ?? undefined,
    reasonCode: params.get('reasonCode') ?? undefined,
    requiredAuthority: AUTHORITIES.find((level) => level === params.get('requiredAuthority')),
    waitingFor: WAITING_FOR.find((what) => what === params.get('waitingFor')),
    slaBreached: params.get('slaBreached') === 'true' ? true : undefined,
    assignee: assignee === 'me' ? session.subject : undefined,
    unassigned: assignee === 'unassigned' ? true : undefined,
  };
  const queue = useQuery({
    queryKey: ['queue', filters, cursor],
    queryFn: () =>
      unwrap(
        api.GET('/v1/queues/manager', {
          params: {
            query: {
              ...filters,
              priority: filters.priority.length ? filters.priority : undefined,
              limit: PAGE_SIZE,
              cursor,
            },
          },
        }),
      ),
    refetchInterval: REFRESH_MS,
    placeholderData: keepPreviousData,
  });
  const assign = useMutation({
    mutationFn: (caseId: string) => unwrap(api.POST('/v1/cases/{caseId}/assignment', { params: { path: { caseId } }, body: { assignee: session.subject } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['queue'] }),
  });

  const applyFilters = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const next = new URLSearchParams();
    for (const priority of form.getAll('priority')) next.append('priority', String(priority));
    for (const key of ['category', 'reasonCode', 'requiredAuthority', 'waitingFor', 'assignee']) {
      const value = String(form.get(key) ?? '').trim();
      if (value && value !== 'any') next.set(key, value);
    }
    if (form.get('slaBreached')) next.set('slaBreached', 'true');
    setCursors([]);
    setParams(next);
  };
  const goTo = (nextCursor: string | undefined, back: boolean) => {
    const next = new URLSearchParams(params);
    if (nextCursor) next.set('cursor', nextCursor);
    else next.delete('cursor');
    setCursors(back ? cursors.slice(0, -1) : [...cursors, cursor ?? '']);
    setParams(next);
  };

  return (
    <section aria-labelledby="queue-title">
      <h1 id="queue-title">{t('queue.title')}</h1>
      <p>{t('queue.intro')}</p>
      <form className="filters" onSubmit={applyFilters} aria-label={t('queue.filters')}>
        <fieldset>
          <legend>{t('queue.priority')}</legend>
          {PRIORITIES.map((priority) => (
            <label key={priority} className="inline">
              <input type="checkbox" name="priority" value={priority} defaultChecked={filters.priority.includes(priority)} /> {t(`priority.${priority}`)}
            </label>
          ))}
        </fieldset>
        <label>
          {t('queue.category')}
          <input name="category" defaultValue={filters.category} />
        </label>
        <label>
          {t('queue.reasonCode')}
          <input name="reasonCode" defaultValue={filters.reasonCode} />
        </label>
        <label>
          {t('queue.authority')}
          <select name="requiredAuthority" defaultValue={filters.requiredAuthority ?? 'any'}>
            <option value="any">{t('queue.authority.any')}</option>
            {AUTHORITIES.map((level) => (
              <option key={level} value={level}>
                {t(`role.${level}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('queue.waitingFor')}
          <select name="waitingFor" defaultValue={filters.waitingFor ?? 'any'}>
            <option value="any">{t('queue.waitingFor.any')}</option>
            {WAITING_FOR.map((what) => (
              <option key={what} value={what}>
                {t(`waitingFor.${what}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('queue.assignee')}
          <select name="assignee" defaultValue={assignee}>
            <option value="any">{t('queue.assignee.any')}</option>
            <option value="me">{t('queue.assignee.me')}</option>
            <option value="unassigned">{t('queue.assignee.unassigned')}</option>
          </select>
        </label>
        <label className="inline">
          <input type="checkbox" name="slaBreached" value="true" defaultChecked={filters.slaBreached} /> {t('queue.overdueOnly')}
        </label>
        <button type="submit">{t('queue.apply')}</button>
      </form>
      {queue.isPending && <Loading />}
      {queue.isError && <ErrorMessage error={queue.error} retry={() => void queue.refetch()} />}
      {assign.isError && <ErrorMessage error={assign.error} />}
      {queue.data && (
        <>
          <p className="muted" aria-live="polite">
            {t('queue.refreshed', { time: format.dateTime(queue.data.asOf) })} · {t('queue.page', { page: cursors.length + 1 })}
          </p>
          {queue.data.items.length === 0 ? (
            <p>{t('queue.empty')}</p>
          ) : (
            <table className="queue">
              <thead>
                <tr>
                  <th scope="col">{t('queue.case')}</th>
                  <th scope="col">{t('queue.priority')}</th>
                  <th scope="col">{t('queue.deadline')}</th>
                  <th scope="col">{t('queue.product')}</th>
                  <th scope="col">{t('queue.amount')}</th>
                  <th scope="col">{t('queue.reasonCode')}</th>
                  <th scope="col">{t('queue.authority')}</th>
                  <th scope="col">{t('queue.waitingFor')}</th>
                  <th scope="col">{t('queue.assignee')}</th>
                </tr>
              </thead>
              <tbody>
                {queue.data.items.map((item) => {
                  const overdue = new Date(item.slaDueAt).getTime() < now;
                  return (
                    <tr key={item.caseId} className={overdue ? 'row-overdue' : undefined} data-case-id={item.caseId}>
                      <th scope="row">
                        <Link to={`/cases/${item.caseId}`}>{shortRef(item.caseId)}</Link>
                      </th>
                      <td>
                        <span className={`priority priority-${item.priority}`}>{t(`priority.${item.priority}`)}</span>
                      </td>
                      <td>
                        <SlaCountdown dueAt={item.slaDueAt} now={now} />
                      </td>
                      <td>{item.product.name ?? item.product.sku ?? '—'}</td>
                      <td className="number">{format.money(item.amount)}</td>
                      <td>{item.reasonCode ?? '—'}</td>
                      <td>{item.requiredAuthority ? t(`role.${item.requiredAuthority}`) : '—'}</td>
                      <td className={item.waitingFor === 'decision' ? undefined : `waiting waiting-${item.waitingFor}`}>{t(`waitingFor.${item.waitingFor}`)}</td>
                      <td>
                        {item.assignee === session.subject ? (
                          t('queue.assigned')
                        ) : (
                          <>
                            {item.assignee ? `${item.assignee} ` : ''}
                            <button type="button" disabled={assign.isPending} onClick={() => assign.mutate(item.caseId)} aria-label={`${t('queue.assignToMe')}: ${shortRef(item.caseId)}`}>
                              {t('queue.assignToMe')}
                            </button>
                          </>
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          )}
          <nav className="pager" aria-label={t('queue.page', { page: cursors.length + 1 })}>
            <button type="button" disabled={cursors.length === 0} onClick={() => goTo(cursors.at(-1) || undefined, true)}>
              {t('common.previous')}
            </button>
            <button type="button" disabled={!queue.data.nextCursor} onClick={() => goTo(queue.data.nextCursor ?? undefined, false)}>
              {t('common.next')}
            </button>
          </nav>
        </>
      )}
    </section>
  );
}
