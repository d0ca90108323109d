import { Actor, isRole, Role } from '@refund-desk/domain';

/** The caller as the token says: `sub` is the actor of every event it causes. */
export interface Principal extends Actor {
  readonly name?: string;
}

export interface TokenClaims {
  readonly sub?: unknown;
  readonly roles?: unknown;
  readonly name?: unknown;
}

/** Claims to a principal, or a reason the token is not acceptable. Unknown roles are ignored. */
export function principalFromClaims(claims: TokenClaims): Principal | string {
  if (typeof claims.sub !== 'string' || claims.sub.trim() === '') return 'the token has no subject (sub)';
  if (!Array.isArray(claims.roles)) return 'the token has no roles claim';
  const roles = claims.roles.filter(isRole) as Role[];
  return {
    id: claims.sub,
    roles: [...new Set(roles)],
    ...(typeof claims.name === 'string' ? { name: claims.name } : {}),
  };
}
