/** What a bearer token must satisfy beyond its signature. */
export interface TokenPolicy {
  /** The longest a token may live, in seconds: exp − iat, and exp − now. */
  readonly maxLifetimeS: number;
  /** When set, `iss` must equal it. */
  readonly issuer?: string;
  /** When set, `aud` must equal it or, as a list, contain it. */
  readonly audience?: string;
}

export interface TimeClaims {
  readonly exp?: unknown;
  readonly iat?: unknown;
  readonly nbf?: unknown;
  readonly iss?: unknown;
  readonly aud?: unknown;
}

/**
 * Why a token whose signature is good is still not acceptable, or undefined when it is. The
 * signature check (jsonwebtoken) already refuses an `exp` or `nbf` in the past; this refuses a token
 * that would never expire or lives longer than the policy allows (a leaked one stays useful that
 * long), and one minted for another issuer or audience.
 */
export function tokenPolicyViolation(claims: TimeClaims, policy: TokenPolicy, nowS: number): string | undefined {
  if (typeof claims.exp !== 'number' || !Number.isFinite(claims.exp)) return 'the token has no expiry (exp)';
  if (claims.exp - nowS > policy.maxLifetimeS) {
    return `the token expires more than ${policy.maxLifetimeS} s from now (the longest lifetime allowed)`;
  }
  if (claims.iat !== undefined) {
    if (typeof claims.iat !== 'number' || !Number.isFinite(claims.iat)) return 'the token has a malformed issued-at (iat)';
    if (claims.exp - claims.iat > policy.maxLifetimeS) {
      return `the token lives longer than ${policy.maxLifetimeS} s (exp − iat), the longest lifetime allowed`;
    }
  }
  if (policy.issuer !== undefined && claims.iss !== policy.issuer) return 'the token was issued by another issuer (iss)';
  if (policy.audience !== undefined) {
    const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (!audiences.includes(policy.audience)) return 'the token is meant for another audience (aud)';
  }
  return undefined;
}
