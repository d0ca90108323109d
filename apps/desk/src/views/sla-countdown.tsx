import { useT } from '../i18n/locale';
import { useFormat } from '../ui/format';

/** Time left before the deadline, or how late it is; the text says it, the colour only repeats it. */
export function SlaCountdown({ dueAt, now }: { dueAt: string; now: number }) {
  const t = useT();
  const format = useFormat();
  const left = new Date(dueAt).getTime() - now;
  return (
    <span className={left < 0 ? 'overdue' : 'due'}>
      <time dateTime={dueAt}>{left < 0 ? t('sla.overdue', { time: format.duration(left) }) : t('sla.left', { time: format.duration(left) })}</time>
    </span>
  );
}
