import { Deadline } from './events';
import { CaseState } from './state';

export interface OpenDeadline {
  readonly deadline: Deadline;
  readonly dueAt: string;
}

/**
 * The deadlines a case is running against now, each named by its kind and due time, leaving out
 * those already recorded as missed. A deadline leaves the list when what it waits for happens (a
 * decision, a verdict, the money settling, the customer answering) or the case closes. The
 * scheduler's read model keeps the same list; decide() checks against this one, so a scheduler
 * working from a stale read model records nothing wrong.
 */
export function openDeadlines(state: CaseState): OpenDeadline[] {
  const open: OpenDeadline[] = [];
  switch (state.status) {
    case 'escalated':
      open.push({ deadline: 'decision_sla', dueAt: state.escalation.slaDueAt });
      break;
    case 'decided': {
      const { appeal, decision, refund, followUp } = state;
      if (appeal && !appeal.verdict) open.push({ deadline: 'appeal_sla', dueAt: appeal.slaDueAt });
      if (decision.refundDue && refund.status !== 'settled') open.push({ deadline: 'refund_settlement', dueAt: decision.refundDue.by });
      if (!followUp) open.push({ deadline: 'follow_up', dueAt: decision.followUpDueAt });
      break;
    }
    case 'none':
    case 'logged':
    case 'evaluated':
    case 'closed':
      break;
  }
  if (state.status === 'none') return open;
  const missed = state.deadlinesMissed;
  return open.filter((d) => !missed.some((m) => m.deadline === d.deadline && m.dueAt === d.dueAt));
}
