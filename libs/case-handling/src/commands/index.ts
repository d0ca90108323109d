// Every command of the write side, and the handlers the module registers: a new command is a
// file here and a line in each list below.
import { AddNoteHandler } from './add-note.command';
import { AssignCaseHandler } from './assign-case.command';
import { CloseCaseHandler } from './close-case.command';
import { DecideCaseHandler } from './decide-case.command';
import { EraseCustomerDataHandler } from './erase-customer-data.command';
import { EscalateCaseHandler } from './escalate-case.command';
import { EvaluateCaseHandler } from './evaluate-case.command';
import { LogRequestHandler } from './log-request.command';
import { NotifyCustomerHandler } from './notify-customer.command';
import { RecordFollowUpHandler } from './record-follow-up.command';
import { RecordRefundExecutionHandler } from './record-refund-execution.command';
import { RevisePolicyHandler } from './revise-policy.command';
import { ReviseLegalRulesHandler } from './revise-legal-rules.command';
import { ApproveDecisionHandler } from './approve-decision.command';
import { RejectDecisionHandler } from './reject-decision.command';
import { AppealDecisionHandler } from './appeal-decision.command';
import { DecideAppealHandler } from './decide-appeal.command';
import { RecordDeadlineMissedHandler } from './record-deadline-missed.command';

export * from './log-request.command';
export * from './add-note.command';
export * from './evaluate-case.command';
export * from './escalate-case.command';
export * from './assign-case.command';
export * from './decide-case.command';
export * from './notify-customer.command';
export * from './record-refund-execution.command';
export * from './record-follow-up.command';
export * from './close-case.command';
export * from './revise-policy.command';
export * from './revise-legal-rules.command';
export * from './erase-customer-data.command';
export * from './approve-decision.command';
export * from './reject-decision.command';
export * from './appeal-decision.command';
export * from './decide-appeal.command';
export * from './record-deadline-missed.command';

export const COMMAND_HANDLERS = [
  LogRequestHandler,
  AddNoteHandler,
  EvaluateCaseHandler,
  EscalateCaseHandler,
  AssignCaseHandler,
  DecideCaseHandler,
  NotifyCustomerHandler,
  RecordRefundExecutionHandler,
  RecordFollowUpHandler,
  CloseCaseHandler,
  RevisePolicyHandler,
  ReviseLegalRulesHandler,
  EraseCustomerDataHandler,
  ApproveDecisionHandler,
  RejectDecisionHandler,
  AppealDecisionHandler,
  DecideAppealHandler,
  RecordDeadlineMissedHandler,
];
