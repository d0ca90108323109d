import { FieldError } from './problem';

/**
 * The deepest nesting any input may have. The deepest real body (a policy revision,
 * `rules.authorityLimits.agent.EUR`) has 4 levels; class-transformer recurses once per level,
 * so a 30 KB body of 5,000 nested arrays would otherwise overflow the stack.
 */
export const MAX_INPUT_DEPTH = 16;

/**
 * Text PostgreSQL cannot store, or cannot store as sent: NUL is refused in `text` and `jsonb`
 * (22021, 22P05), and an unpaired UTF-16 surrogate is refused by `jsonb` (22P02) and silently
 * replaced by U+FFFD when sent as UTF-8 (so a sealed field would change without notice).
 */
export function isStorableText(value: string): boolean {
  return !value.includes('\u0000') && (value as string & { isWellFormed(): boolean }).isWellFormed();
}

export interface UntrustedInputCheck {
  /** The input nests deeper than MAX_INPUT_DEPTH: nothing else was looked at. */
  readonly tooDeep: boolean;
  /** Every string (value or object key) that is not storable text, named by its dotted path. */
  readonly textErrors: FieldError[];
}

const TEXT_MESSAGE = 'must not contain NUL characters or unpaired UTF-16 surrogates';

/**
 * Looks at parsed input before any validator does: refuses excessive nesting cheaply (the walk
 * stops at the limit, so it cannot overflow itself) and finds text that cannot be stored in
 * every string of the input, whatever the DTO (so no field can forget the check).
 */
export function checkUntrustedInput(value: unknown, root = ''): UntrustedInputCheck {
  const textErrors: FieldError[] = [];
  const tooDeep = !walk(value, root, 0, textErrors);
  return { tooDeep, textErrors: tooDeep ? [] : textErrors };
}

function walk(value: unknown, path: string, depth: number, errors: FieldError[]): boolean {
  if (typeof value === 'string') {
    if (!isStorableText(value)) errors.push({ field: path || 'value', message: `${path || 'value'} ${TEXT_MESSAGE}` });
    return true;
  }
  if (value === null || typeof value !== 'object') return true;
  if (depth >= MAX_INPUT_DEPTH) return false;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      if (!walk(value[i], path ? `${path}.${i}` : String(i), depth + 1, errors)) return false;
    }
    return true;
  }
  for (const key of Object.keys(value)) {
    const child = path ? `${path}.${safeKey(key)}` : safeKey(key);
    if (!isStorableText(key)) errors.push({ field: child, message: `the name of ${child} ${TEXT_MESSAGE}` });
    if (!walk((value as Record<string, unknown>)[key], child, depth + 1, errors)) return false;
  }
  return true;
}

/** A field name fit to echo in an answer: the unstorable characters are shown escaped. */
function safeKey(key: string): string {
  return isStorableText(key)
    ? key
    : // eslint-disable-next-line no-control-regex -- NUL is exactly what cannot be stored
      key.replace(/\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
