import { defineReadModel } from '../read-model';
import { customerHistoryProjection } from './customer-history.projection';
import { CustomerHistoryQuery } from './customer-history.query';

/** A customer's earlier cases and refunds, the repeat-requester input of evaluation. */
export const customerHistory = defineReadModel(customerHistoryProjection, [CustomerHistoryQuery]);
