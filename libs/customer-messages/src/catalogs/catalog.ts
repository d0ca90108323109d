/**
 * The keys every locale must translate. Values are ICU MessageFormat strings; amounts, dates
 * and lists arrive already formatted for the locale by Intl.
 */
export interface Catalog {
  readonly subject: string;
  readonly greeting: string;
  readonly outcome: string;
  readonly rationale: string;
  readonly legalBasis: string;
  readonly alternatives: string;
  readonly nextSteps: string;
  readonly contact: string;
  readonly signature: string;
  /** A statutory right the decision honours: `{right}` selects withdrawal or conformity, `{source}` is the act and article. */
  readonly legalRight: string;
  /** A right the decision contests, and how to dispute it: `{reason}` arrives as a label from contestReasons. */
  readonly contestedRight: string;
  readonly contestReasons: Readonly<Record<'not_a_defect' | 'damage_by_misuse' | 'outside_period_on_evidence' | 'exempt_goods', string>>;
  readonly alternativeLabels: Readonly<Record<'store_credit' | 'exchange' | 'repair' | 'discount', string>>;
  readonly paymentMethods: Readonly<Record<string, string>>;
}

/** Selector values passed to the `outcome`, `subject` and `nextSteps` messages. */
export type OutcomeKey = 'refund' | 'partial_refund' | 'store_credit' | 'exchange' | 'repair' | 'denied';
