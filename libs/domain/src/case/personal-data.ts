import { CaseEventType } from './events';

/**
 * Where personal data sits in each event: the customer's name and contacts, and every free-text
 * field, whoever typed it: the customer's words, follow-up comments and the messages sent to them,
 * and what staff write about the case (notes, escalation reasons, a decision's rationale and legal
 * basis, why a refund failed, the closing summary), since any of it can name or describe the
 * customer. Read models and outbound messages leave these out; the event log keeps them encrypted
 * per customer. Fields left clear hold codes, ids, amounts, dates or references, not prose.
 */
export const PERSONAL_DATA_PATHS: Readonly<Record<CaseEventType, readonly (readonly string[])[]>> = {
  RequestLogged: [['customer', 'name'], ['customer', 'email'], ['customer', 'phone'], ['reason', 'description']],
  NoteAdded: [['text']],
  PolicyEvaluated: [],
  Escalated: [['reason']],
  CaseAssigned: [],
  Decided: [['rationale'], ['legalBasis']],
  CustomerNotified: [['subject'], ['body']],
  RefundIssued: [],
  RefundSettled: [],
  RefundFailed: [['failureReason']],
  FollowedUp: [['comment']],
  CaseClosed: [['summary']],
  CustomerDataErased: [],
  DecisionApproved: [['note']],
  DecisionRejected: [['reason']],
  DecisionAppealed: [['reason']],
  AppealDecided: [['rationale'], ['decision', 'rationale'], ['decision', 'legalBasis']],
  DeadlineMissed: [],
};

/** What a personal field reads as once the customer's key is destroyed. */
export const ERASED = '[erased]';

export const personalDataPaths = (type: string): readonly (readonly string[])[] =>
  Object.hasOwn(PERSONAL_DATA_PATHS, type) ? PERSONAL_DATA_PATHS[type as CaseEventType] : [];

/**
 * A copy of an event's data with every personal field set to null (absent fields stay absent).
 * Only the objects on the way to a personal field are copied; the rest is shared with `data`, as
 * all of it is for a type without personal fields.
 */
export function withoutPersonalData<T extends Record<string, unknown>>(type: string, data: T): T {
  const paths = personalDataPaths(type);
  if (paths.length === 0) return data;
  const copy: Record<string, unknown> = { ...data };
  const copies = new Set<unknown>([copy]);
  for (const path of paths) {
    let node: Record<string, unknown> | undefined = copy;
    for (const key of path.slice(0, -1)) {
      let next: unknown = node[key];
      if (next === null || typeof next !== 'object') {
        node = undefined;
        break;
      }
      if (!copies.has(next)) {
        next = Array.isArray(next) ? [...(next as unknown[])] : { ...(next as Record<string, unknown>) };
        copies.add(next);
        node[key] = next;
      }
      node = next as Record<string, unknown>;
    }
    const leaf = path[path.length - 1];
    if (node && leaf in node && node[leaf] !== undefined) node[leaf] = null;
  }
  return copy as T;
}
