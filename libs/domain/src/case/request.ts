import type { SaleChannel } from '../legal/legal-rules';
import { Money } from '../shared/money';

export const CHANNELS = ['phone', 'email', 'chat', 'store', 'web', 'system'] as const;
export type Channel = (typeof CHANNELS)[number];

export const OUTCOMES = ['refund', 'partial_refund', 'store_credit', 'exchange', 'repair', 'denied'] as const;
export type Outcome = (typeof OUTCOMES)[number];
export type RequestedResolution = Exclude<Outcome, 'denied'>;
export const REQUESTED_RESOLUTIONS = OUTCOMES.filter((o): o is RequestedResolution => o !== 'denied');

/** Outcomes that send money back and are therefore followed by refund execution. */
export const MONEY_BACK_OUTCOMES: readonly Outcome[] = ['refund', 'partial_refund'];
/** Outcomes that count as approvals in reports. */
export const APPROVING_OUTCOMES: readonly Outcome[] = ['refund', 'partial_refund', 'store_credit', 'exchange', 'repair'];

export const ALTERNATIVES = ['store_credit', 'exchange', 'repair', 'discount'] as const;
export type Alternative = (typeof ALTERNATIVES)[number];

export interface Evidence {
  readonly kind: string;
  readonly uri: string;
}

export interface Customer {
  readonly id: string;
  readonly name: string;
  readonly email?: string;
  readonly phone?: string;
  /** BCP-47 tag of the language the customer wants to be answered in. */
  readonly locale: string;
}

/** Everything documented about a request when it is logged (step 2 of the process). */
export interface RefundRequest {
  readonly customer: Customer;
  readonly order: {
    readonly id: string;
    readonly purchasedAt: string;
    /** ISO-3166 alpha-2 country of the sale: decides statutory rights. */
    readonly country: string;
    readonly paymentMethod: string;
    /** When the goods reached the customer: legal periods run from here (purchase time when absent). */
    readonly deliveredAt?: string;
    /** How the sale was made: withdrawal rights cover distance and off-premises sales only. */
    readonly saleChannel?: SaleChannel;
    /** Whether the seller gave written return information (RU: without it, three months to withdraw). */
    readonly returnInformationGiven?: boolean;
  };
  readonly product: {
    readonly sku: string;
    readonly name: string;
    readonly category: string;
    readonly condition: string;
  };
  readonly amount: Money;
  readonly reason: {
    readonly code: string;
    readonly description: string;
    /** When a hidden defect showed (BR: the defect period runs from then). */
    readonly defectNoticedAt?: string;
  };
  readonly requestedResolution: RequestedResolution;
  readonly channel: Channel;
  readonly evidence: readonly Evidence[];
}
