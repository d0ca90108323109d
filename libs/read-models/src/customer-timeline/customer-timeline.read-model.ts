import { defineReadModel } from '../read-model';
import { customerTimelineProjection } from './customer-timeline.projection';
import { CustomerTimelineQuery } from './customer-timeline.query';

/** Every event of every case of a customer: GET /v1/customers/{customerId}/timeline. */
export const customerTimeline = defineReadModel(customerTimelineProjection, [CustomerTimelineQuery]);
