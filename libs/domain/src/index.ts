/*
 * The domain's public surface: what the other libraries and apps use, by name. Commands and events
 * are exported whole (they are the vocabulary callers speak); helpers such as money arithmetic and
 * time stepping stay inside. Test support is @refund-desk/domain/testing, never this index.
 */
export { AUTHORITY_LEVELS, isRole, ROLES } from './shared/actor';
export type { Actor, AuthorityLevel, Role } from './shared/actor';
export { CaseNotFoundError, DomainError, IllegalTransitionError, InsufficientAuthorityError, InvalidCommandError, SeparationOfDutiesError } from './shared/errors';
export { assertNever } from './shared/exhaustive';
export { toMajor } from './shared/money';
export type { Money } from './shared/money';
export { DEFAULT_POLICY_RULES, MAX_POLICY_DAYS, MAX_POLICY_HOURS, PRIORITIES, priorityRank } from './policy/policy';
export type { PolicyInForce, PolicyRules, Priority } from './policy/policy';
export { decidePolicy, evolvePolicy, initialPolicyState, POLICY_STREAM, POLICY_STREAM_CATEGORY, requireActivePolicy } from './policy/policy-stream';
export type { PolicyEvent, PolicyRevised, PolicyState, RevisePolicy } from './policy/policy-stream';
export { evaluateRequest, RULES } from './policy/evaluate-request';
export type { CustomerHistory, Finding } from './policy/evaluate-request';
// Legal rules are being wired into the case now: exported whole until that lands, then narrowed like the rest.
export * from './legal/legal-rules';
export * from './legal/legal-rules-stream';
export * from './legal/entitlements';
export * from './legal/legal-floor';
export { ALTERNATIVES, APPROVING_OUTCOMES, CHANNELS, MONEY_BACK_OUTCOMES, OUTCOMES, REQUESTED_RESOLUTIONS } from './case/request';
export type { Alternative, Channel, Customer, Evidence, Outcome, RefundRequest, RequestedResolution } from './case/request';
export * from './case/events';
export * from './case/commands';
export { initialCaseState } from './case/state';
export type {
  AppealRecord,
  AppealVerdictRecord,
  Approval,
  Assignment,
  CaseState,
  Closure,
  Communication,
  Decision,
  EscalationRecord,
  EvaluationRecord,
  ExistingCase,
  FollowUpRecord,
  MissedDeadline,
  Note,
  RefundFailure,
  RefundTracking,
} from './case/state';
export { evolve } from './case/evolve';
export { decide } from './case/decide';
export { openDeadlines } from './case/deadlines';
export type { OpenDeadline } from './case/deadlines';
export { CASE_STREAM_CATEGORY, caseIdFromStream, caseStreamName } from './case/stream';
export { ERASED, PERSONAL_DATA_PATHS, personalDataPaths, withoutPersonalData } from './case/personal-data';
