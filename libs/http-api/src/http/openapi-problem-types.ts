/** Every problem type the API answers with, for the Problem schema's description. */
export const PROBLEM_TYPES_DESCRIPTION = [
  'https://refund-desk.dev/problems/ followed by:',
  'validation (400, with errors), invalid-request (400), unauthenticated (401), forbidden (403),',
  'insufficient-authority (403), separation-of-duties (403, with separationOfDuties: the rule and who took the first step), case-not-found (404), not-found (404), illegal-transition (409),',
  'below-legal-floor (409, with legalFloor: the statutory right the decision would go below and its source),',
  'idempotency-key-reused (409), concurrent-modification (409, with currentVersion), duplicate-event (409),',
  'damaged-event (409, with damagedEvent: a stored event of the case no longer verifies),',
  'rebuild-running (409, with rebuildRunning: the read model and the process rebuilding it),',
  'conflict (409), version-mismatch (412, with currentVersion), precondition-failed (412), payload-too-large (413),',
  'unsupported-media-type (415), rate-limited (429), internal-error (500), unavailable (503).',
  'New types may be added; rely on status for the class of error.',
].join(' ');
