import { Principal, principalFromClaims } from './principal';

/**
 * The value at a claim path: the claim of that whole name when there is one (namespaced claims
 * such as `https://example.com/roles` contain dots), else the dotted path into nested objects
 * (`realm_access.roles`, as Keycloak puts realm roles).
 */
export function claimAt(claims: Record<string, unknown>, path: string): unknown {
  if (Object.hasOwn(claims, path)) return claims[path];
  let node: unknown = claims;
  for (const part of path.split('.')) {
    if (typeof node !== 'object' || node === null || Array.isArray(node) || !Object.hasOwn(node, part)) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

/**
 * A provider's verified claims to a principal, or why they are not acceptable. The configured claim
 * names the roles (a list, or one role as a string); names the domain does not know are ignored, as for HS256 tokens. A user the
 * provider gives no roles (no such claim) is still who they are: they get no role, so every route
 * answers 403 naming the roles it needs, which tells an operator more than a 401 would.
 */
export function principalFromOidcClaims(claims: Record<string, unknown>, rolesClaim: string): Principal | string {
  const value = claimAt(claims, rolesClaim);
  // Some providers send a lone role as a string rather than a list of one.
  const roles = value === undefined ? [] : typeof value === 'string' ? [value] : value;
  if (!Array.isArray(roles)) return `the roles claim (${rolesClaim}) is not a list`;
  return principalFromClaims({ sub: claims.sub, name: claims.name, roles });
}
