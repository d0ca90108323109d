import { IntlMessageFormat } from 'intl-messageformat';
import { Alternative, ContestReason, LegalRight, LegalSource, Money, Outcome, toMajor } from '@refund-desk/domain';
import { ar } from './catalogs/ar';
import { Catalog } from './catalogs/catalog';
import { en } from './catalogs/en';
import { it } from './catalogs/it';
import { pt } from './catalogs/pt';
import { ru } from './catalogs/ru';

export const CATALOGS: Readonly<Record<string, Catalog>> = { en, it, ru, pt, ar };
export const SUPPORTED_LOCALES = Object.keys(CATALOGS);
export const FALLBACK_LOCALE = 'en';

export interface DecisionMessageInput {
  readonly caseId: string;
  readonly customerName: string;
  /** The customer's preferred language, any BCP-47 tag; falls back to English. */
  readonly locale: string;
  readonly productName: string;
  readonly paymentMethod: string;
  readonly decision: {
    readonly outcome: Outcome;
    readonly amount: Money | null;
    readonly rationale: string;
    readonly legalBasis: string | null;
    readonly alternativesOffered: readonly Alternative[];
  };
  readonly settlementBusinessDays: { readonly min: number; readonly max: number };
  /**
   * The statutory rights the evaluation found: each is cited, as honoured or, when the decision
   * contests it, with the reason and how the customer can dispute the decision.
   */
  readonly legal?: {
    readonly rights: readonly { readonly right: LegalRight; readonly source: LegalSource }[];
    readonly contests: readonly { readonly right: LegalRight; readonly reason: ContestReason }[];
  };
  /** When the message is written, to date the expected arrival of the money. */
  readonly now: Date;
}

export interface RenderedMessage {
  readonly locale: string;
  readonly subject: string;
  readonly body: string;
}

/** pt-BR → pt, ar-SA → ar; anything without a catalogue → en. */
export function resolveLocale(requested: string): string {
  const language = requested.toLowerCase().split(/[-_]/)[0];
  return Object.hasOwn(CATALOGS, language) ? language : FALLBACK_LOCALE;
}

export function addBusinessDays(from: Date, days: number): Date {
  const date = new Date(from.getTime());
  let left = days;
  while (left > 0) {
    date.setUTCDate(date.getUTCDate() + 1);
    const weekday = date.getUTCDay();
    if (weekday !== 0 && weekday !== 6) left -= 1;
  }
  return date;
}

const compiled = new Map<string, IntlMessageFormat>();

function format(locale: string, source: string, values: Record<string, string | number>): string {
  const key = `${locale}\u0000${source}`;
  let message = compiled.get(key);
  if (!message) {
    message = new IntlMessageFormat(source, locale);
    compiled.set(key, message);
  }
  return String(message.format(values));
}

/**
 * The message that tells a customer the decision, in their language: the outcome with the
 * amount formatted for their locale, the reasons, the alternatives offered and what happens next.
 */
export function renderDecisionMessage(input: DecisionMessageInput): RenderedMessage {
  const locale = resolveLocale(input.locale);
  const catalog = CATALOGS[locale];
  const { decision } = input;
  const money = decision.amount;
  const amount = money
    ? new Intl.NumberFormat(locale, { style: 'currency', currency: money.currency }).format(toMajor(money))
    : '';
  const caseRef = input.caseId.slice(0, 8).toUpperCase();
  const outcome = decision.outcome;
  const values = {
    outcome,
    amount,
    caseRef,
    product: input.productName,
    name: input.customerName,
    // The payment method is free text from the request: only the catalogue's own labels are used.
    method: Object.hasOwn(catalog.paymentMethods, input.paymentMethod) ? catalog.paymentMethods[input.paymentMethod] : input.paymentMethod,
    min: input.settlementBusinessDays.min,
    max: input.settlementBusinessDays.max,
    date: new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeZone: 'UTC' }).format(
      addBusinessDays(input.now, input.settlementBusinessDays.max),
    ),
  };
  const paragraphs = [format(locale, catalog.greeting, values), format(locale, catalog.outcome, values)];
  paragraphs.push(format(locale, catalog.rationale, { rationale: decision.rationale }));
  if (decision.legalBasis) paragraphs.push(format(locale, catalog.legalBasis, { legalBasis: decision.legalBasis }));
  for (const { right, source } of input.legal?.rights ?? []) {
    const contest = input.legal?.contests.find((c) => c.right === right);
    const cited = { right, source: `${source.act}, ${source.article}` };
    paragraphs.push(
      contest
        ? format(locale, catalog.contestedRight, { ...cited, reason: catalog.contestReasons[contest.reason] })
        : format(locale, catalog.legalRight, cited),
    );
  }
  if (decision.alternativesOffered.length > 0) {
    const labels = decision.alternativesOffered.map((alternative) => catalog.alternativeLabels[alternative]);
    const alternatives = new Intl.ListFormat(locale, { style: 'long', type: 'disjunction' }).format(labels);
    paragraphs.push(format(locale, catalog.alternatives, { alternatives }));
  }
  paragraphs.push(format(locale, catalog.nextSteps, values));
  paragraphs.push(format(locale, catalog.contact, values));
  paragraphs.push(catalog.signature);
  return { locale, subject: format(locale, catalog.subject, values), body: paragraphs.join('\n\n') };
}
