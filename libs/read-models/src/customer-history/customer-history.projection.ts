import { Injectable } from '@nestjs/common';
import { Migration, SqlExecutor } from '@refund-desk/database';
import { Decided, RefundSettled, RequestLogged } from '@refund-desk/domain';
import { RecordedEvent } from '@refund-desk/event-store';
import { Projection } from '../projection-runtime/projection';

/**
 * One row per case with what evaluation needs about a customer's past: when each case was
 * logged, how it was decided and what was refunded. Keeps no personal data.
 */
@Injectable()
export class CustomerHistoryProjection implements Projection {
  readonly name = 'customer_history';
  readonly eventTypes = ['RequestLogged', 'Decided', 'RefundSettled'];
  readonly migrations: readonly Migration[] = [
    {
      id: '001_rm_customer_history',
      statements: [
        `CREATE TABLE rm_customer_history (
          case_id text PRIMARY KEY,
          customer_id text NOT NULL,
          logged_at timestamptz NOT NULL,
          outcome text,
          refunded_minor bigint NOT NULL DEFAULT 0,
          currency text NOT NULL
        )`,
        'CREATE INDEX rm_customer_history_customer_idx ON rm_customer_history (customer_id, logged_at)',
      ],
    },
  ];

  async apply(events: readonly RecordedEvent[], tx: SqlExecutor): Promise<void> {
    for (const event of events) {
      switch (event.type) {
        case 'RequestLogged': {
          const data = event.data as unknown as RequestLogged['data'];
          await tx.query(
            `INSERT INTO rm_customer_history (case_id, customer_id, logged_at, currency) VALUES ($1, $2, $3, $4)
             ON CONFLICT (case_id) DO NOTHING`,
            [data.caseId, data.customer.id, data.loggedAt, data.amount.currency],
          );
          break;
        }
        case 'Decided': {
          const data = event.data as unknown as Decided['data'];
          await tx.query('UPDATE rm_customer_history SET outcome = $2 WHERE case_id = $1', [data.caseId, data.outcome]);
          break;
        }
        case 'RefundSettled': {
          const data = event.data as unknown as RefundSettled['data'];
          // Settled replaces rather than adds, so applying it twice leaves the same row.
          await tx.query('UPDATE rm_customer_history SET refunded_minor = $2 WHERE case_id = $1', [data.caseId, data.amount.minor]);
          break;
        }
        default:
          break;
      }
    }
  }
}
