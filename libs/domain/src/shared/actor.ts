/** Roles of the public contract; a token may carry several. */
export const ROLES = ['agent', 'manager', 'senior_manager', 'auditor', 'service', 'admin'] as const;
export type Role = (typeof ROLES)[number];
export const isRole = (value: unknown): value is Role => typeof value === 'string' && (ROLES as readonly string[]).includes(value);

/** Whoever issues a command: a person or a service, identified by the token's subject. */
export interface Actor {
  readonly id: string;
  readonly roles: readonly Role[];
}

/** Decision authority, lowest first. */
export const AUTHORITY_LEVELS = ['agent', 'manager', 'senior_manager'] as const;
export type AuthorityLevel = (typeof AUTHORITY_LEVELS)[number];

export const authorityRank = (level: AuthorityLevel): number => AUTHORITY_LEVELS.indexOf(level);

/** The highest decision authority among an actor's roles, or undefined when none decides. */
export function highestAuthority(actor: Actor): AuthorityLevel | undefined {
  let best: AuthorityLevel | undefined;
  for (const level of AUTHORITY_LEVELS) if (actor.roles.includes(level)) best = level;
  return best;
}

export const maxAuthority = (a: AuthorityLevel, b: AuthorityLevel): AuthorityLevel =>
  authorityRank(a) >= authorityRank(b) ? a : b;

/** One level up; a senior manager is the top. */
export const raiseAuthority = (level: AuthorityLevel): AuthorityLevel =>
  AUTHORITY_LEVELS[Math.min(authorityRank(level) + 1, AUTHORITY_LEVELS.length - 1)];
