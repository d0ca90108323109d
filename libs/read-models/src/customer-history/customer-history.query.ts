import { Inject, Injectable } from '@nestjs/common';
import { SQL_DATABASE, SqlDatabase } from '@refund-desk/database';
import { APPROVING_OUTCOMES, CustomerHistory } from '@refund-desk/domain';
import { SealedEventLog } from '@refund-desk/event-store';
import { ProjectionRunner } from '../projection-runtime/projection-runner';
import { CUSTOMER_HISTORY, customerHistoryProjection } from './customer-history.projection';

const CONSISTENCY_WAIT_MS = 2_000;

/** A customer's earlier cases and refunds, for evaluation; says whether it was up to date. */
@Injectable()
export class CustomerHistoryQuery {
  constructor(
    @Inject(SQL_DATABASE) private readonly db: SqlDatabase,
    private readonly store: SealedEventLog,
    private readonly runner: ProjectionRunner,
  ) {}

  /** Every case of the customer, once the read model has caught up with the log (or the wait ran out). */
  async caseIdsOf(customerId: string): Promise<{ caseIds: string[]; complete: boolean }> {
    const head = await this.store.head();
    const complete = await this.runner.waitFor(customerHistoryProjection.name, head.checkpoint, CONSISTENCY_WAIT_MS * 2);
    const { rows } = await this.db.query<{ case_id: string }>(
      'SELECT case_id FROM rm_customer_history WHERE customer_id = $1 ORDER BY logged_at, case_id',
      [customerId],
    );
    return { caseIds: rows.map((row) => row.case_id), complete };
  }

  async earlierCases(customerId: string, excludeCaseId: string, lookbackDays: number, now: Date): Promise<CustomerHistory> {
    // Cases logged a moment ago must count: wait (briefly) until the read model has seen the log's head.
    const head = await this.store.head();
    const complete = await this.runner.waitFor(customerHistoryProjection.name, head.checkpoint, CONSISTENCY_WAIT_MS);
    // No case is older than 1970; a look-back reaching further (a policy stored before periods
    // were bounded) must not become an invalid date.
    const since = new Date(Math.max(0, now.getTime() - lookbackDays * 86_400_000));
    const { rows } = await this.db.query<{ cases: number; refunds: number }>(
      `SELECT count(*)::int AS cases,
              count(*) FILTER (WHERE outcome = ANY($4::text[]) OR refunded_minor > 0)::int AS refunds
         FROM ${CUSTOMER_HISTORY}
        WHERE customer_id = $1 AND case_id <> $2 AND logged_at >= $3`,
      [customerId, excludeCaseId, since.toISOString(), APPROVING_OUTCOMES],
    );
    return { earlierCases: rows[0]?.cases ?? 0, earlierRefunds: rows[0]?.refunds ?? 0, lookbackDays, complete };
  }
}
