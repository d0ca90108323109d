import { fetchText } from '../../api/client';
import type { Schemas } from '../../api/client';

export interface Revision {
  readonly version: number;
  readonly rules: Schemas['PolicyRulesDto'];
  readonly changeNote: string;
  readonly revisedBy: string;
  readonly revisedAt: string;
}

const PAGE = 5_000;
/** Bounded: the log of a busy shop is long, and this walks it from the start. */
const MAX_PAGES = 20;

/**
 * The policy's revisions, oldest first. The API has no route for the policy's history, so they
 * are read from the audit log (PolicyRevised events, auditors and admins only), page by page.
 */
export async function policyRevisions(): Promise<Revision[]> {
  const revisions: Revision[] = [];
  let after: string | undefined;
  for (let page = 0; page < MAX_PAGES; page += 1) {
    const query = new URLSearchParams({ limit: String(PAGE), form: 'readable' });
    if (after) query.set('after', after);
    const lines = (await fetchText(`/v1/audit/events?${query}`)).split('\n').filter(Boolean);
    for (const line of lines) {
      const event = JSON.parse(line) as Schemas['ExportedEvent'];
      after = event.checkpoint;
      if (event.type !== 'PolicyRevised') continue;
      const data = event.data as Omit<Revision, 'version'>;
      revisions.push({ version: event.version, rules: data.rules, changeNote: data.changeNote, revisedBy: data.revisedBy, revisedAt: data.revisedAt });
    }
    if (lines.length < PAGE) break;
  }
  return revisions;
}
