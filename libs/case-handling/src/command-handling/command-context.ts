import { Principal } from '@refund-desk/platform';

/** Who asks, why, and (from If-Match) which version of the case they saw. */
export interface CommandContext {
  readonly actor: Principal;
  readonly correlationId: string;
  /** The request or message that caused the command. */
  readonly causationId: string | null;
  readonly expectedVersion?: number;
}
