/**
 * Tolerant readers of event data. Projections must not throw on odd data (an imported history,
 * an old schema): a field of the wrong shape reads as null and the row keeps what it had.
 */
export type Data = Readonly<Record<string, unknown>>;

export const obj = (value: unknown): Data =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Data) : {};

export const str = (value: unknown): string | null => (typeof value === 'string' ? value : null);

export const int = (value: unknown): number | null => (typeof value === 'number' && Number.isSafeInteger(value) ? value : null);

export const bool = (value: unknown): boolean | null => (typeof value === 'boolean' ? value : null);

/**
 * A valid time in the form toISOString gives, which is most times events carry: taken as it is.
 * Days stop at the 28th and hours at 23 because the parser rolls the 29th–31st of a shorter month,
 * and 24:00, over to the next day; those, and any other form, go through a Date.
 */
const CANONICAL_TIME = /^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|1\d|2[0-8])T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{3}Z$/;

/** An ISO time that PostgreSQL will accept, or null. */
export const time = (value: unknown): string | null => {
  if (typeof value !== 'string') return null;
  if (CANONICAL_TIME.test(value)) return value;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
};

export const money = (value: unknown): { minor: number; currency: string } | null => {
  const m = obj(value);
  const minor = int(m.minor);
  const currency = str(m.currency);
  return minor !== null && currency !== null && /^[A-Z]{3}$/.test(currency) ? { minor, currency } : null;
};

/** The customer of a case event: metadata carries it; RequestLogged data too. */
export const customerOf = (data: Data, metadata: Data): string | null =>
  str(metadata.customerId) ?? str(obj(data.customer).id);
