import { createRemoteJWKSet, decodeJwt, errors, JWTPayload, jwtVerify, JWTVerifyGetKey } from 'jose';
import type { OidcSettings } from '../config/app-config';
import { principalFromOidcClaims } from './oidc-claims';
import { Principal } from './principal';
import { TokenPolicy, tokenPolicyViolation } from './token-policy';

/**
 * The only algorithms a provider's token may use. Never `none`, and never HS*: with an HMAC
 * algorithm the "key" would be whatever the verifier holds for the provider, and a provider's
 * public key is public (the classic algorithm-confusion forgery).
 */
export const OIDC_ALGORITHMS = ['RS256', 'ES256'] as const;

/** The token is not acceptable: the caller gets the same 401 as for any bad token. */
export class OidcTokenRejected extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'OidcTokenRejected';
  }
}

/** The provider's discovery document or keys could not be had: the caller gets 503 and may retry. */
export class OidcProviderUnavailable extends Error {
  constructor(
    reason: string,
    readonly retryAfterS: number,
    options?: { cause?: unknown },
  ) {
    super(reason, options);
    this.name = 'OidcProviderUnavailable';
  }
}

export interface OidcVerifierOptions {
  /** Leeway for exp and nbf: the provider's clock and ours disagree a little. */
  readonly clockToleranceS?: number;
  /** How long a fetch of the discovery document or the keys may take. */
  readonly timeoutMs?: number;
  /**
   * After a failed fetch, requests are answered 503 for this long without another attempt, so an
   * outage costs each request nothing and the provider is not hammered as it comes back.
   */
  readonly retryAfterS?: number;
  /** The longest lifetime a token may have (AUTH_MAX_TOKEN_LIFETIME_S), as for HS256 tokens. */
  readonly maxLifetimeS: number;
  readonly now?: () => number;
}

interface Discovered {
  readonly keys: JWTVerifyGetKey;
}

/**
 * Verifies access tokens of one OpenID Connect provider: the signature against the keys its
 * discovery document points to (fetched on first use, cached, refetched by jose when a token
 * names a key it has not seen, at most once per cooldown), then iss, aud, exp/nbf, and the policy's
 * longest lifetime. Nothing is fetched at start-up, so a provider that is down delays no start and
 * no HS256 caller.
 */
export class OidcTokenVerifier {
  private discovery: Promise<Discovered> | undefined;
  private unavailableUntil = 0;
  private lastFailure = '';
  private readonly clockToleranceS: number;
  private readonly timeoutMs: number;
  private readonly retryAfterS: number;
  private readonly policy: TokenPolicy;
  private readonly now: () => number;

  constructor(
    private readonly settings: Pick<OidcSettings, 'issuer' | 'audience' | 'rolesClaim'>,
    options: OidcVerifierOptions,
  ) {
    this.clockToleranceS = options.clockToleranceS ?? 30;
    this.timeoutMs = options.timeoutMs ?? 5_000;
    this.retryAfterS = options.retryAfterS ?? 5;
    this.policy = { maxLifetimeS: options.maxLifetimeS };
    this.now = options.now ?? Date.now;
  }

  get issuer(): string {
    return this.settings.issuer;
  }

  /** The principal a token speaks for; throws OidcTokenRejected or OidcProviderUnavailable. */
  async verify(token: string): Promise<Principal> {
    // Another issuer's token is refused before any key is looked up: its unknown key id would
    // otherwise send us to our provider for fresh keys.
    let unverified: JWTPayload;
    try {
      unverified = decodeJwt(token);
    } catch (error) {
      throw new OidcTokenRejected((error as Error).message);
    }
    if (unverified.iss !== this.settings.issuer) throw new OidcTokenRejected('the token was issued by another issuer (iss)');
    const { keys } = await this.discovered();
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keys, {
        issuer: this.settings.issuer,
        audience: this.settings.audience,
        algorithms: [...OIDC_ALGORITHMS],
        clockTolerance: this.clockToleranceS,
        requiredClaims: ['exp', 'sub'],
        currentDate: new Date(this.now()),
      }));
    } catch (error) {
      if (error instanceof OidcProviderUnavailable) throw error;
      throw new OidcTokenRejected(describe(error));
    }
    const violation = tokenPolicyViolation(payload, this.policy, Math.floor(this.now() / 1000));
    if (violation) throw new OidcTokenRejected(violation);
    const principal = principalFromOidcClaims(payload, this.settings.rolesClaim);
    if (typeof principal === 'string') throw new OidcTokenRejected(principal);
    return principal;
  }

  private discovered(): Promise<Discovered> {
    if (this.discovery) return this.discovery;
    if (this.coolingOff()) return Promise.reject(this.unavailable(this.lastFailure));
    this.discovery = this.discover().catch((error: unknown) => {
      this.discovery = undefined;
      throw this.failed(error);
    });
    return this.discovery;
  }

  private async discover(): Promise<Discovered> {
    const url = `${this.settings.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
    const response = await fetch(url, { signal: AbortSignal.timeout(this.timeoutMs), headers: { accept: 'application/json' }, redirect: 'error' });
    if (!response.ok) throw new Error(`the discovery document answered ${response.status}`);
    const document = (await response.json()) as { issuer?: unknown; jwks_uri?: unknown };
    // OpenID Connect Discovery 1.0 §4.3: a document naming another issuer must not be used.
    if (document.issuer !== this.settings.issuer) throw new Error(`the discovery document names another issuer (${String(document.issuer)})`);
    if (typeof document.jwks_uri !== 'string') throw new Error('the discovery document has no jwks_uri');
    const jwksUri = new URL(document.jwks_uri);
    if (this.settings.issuer.startsWith('https:') && jwksUri.protocol !== 'https:') throw new Error('the jwks_uri is not https');
    const remote = createRemoteJWKSet(jwksUri, { timeoutDuration: this.timeoutMs, cooldownDuration: 30_000, cacheMaxAge: 600_000 });
    // Only a failure to get the keys means the provider is away; a key that is not among them is
    // the token's fault.
    const keys: JWTVerifyGetKey = async (header, input) => {
      // Keys still fresh in the cache serve through an outage; only a fetch is skipped while cooling off.
      if (this.coolingOff() && !remote.fresh) throw this.unavailable(this.lastFailure);
      try {
        return await remote(header, input);
      } catch (error) {
        if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys || error instanceof errors.JOSENotSupported) throw error;
        throw this.failed(error);
      }
    };
    return { keys };
  }

  private coolingOff(): boolean {
    return this.now() < this.unavailableUntil;
  }

  private failed(error: unknown): OidcProviderUnavailable {
    const reason = describe(error);
    this.lastFailure = reason;
    this.unavailableUntil = this.now() + this.retryAfterS * 1000;
    return this.unavailable(reason, error);
  }

  private unavailable(reason: string, cause?: unknown): OidcProviderUnavailable {
    return new OidcProviderUnavailable(`the identity provider ${this.settings.issuer} could not be reached: ${reason}`, this.retryAfterS, { cause });
  }
}

function describe(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'the token has expired (exp)';
  if (error instanceof errors.JWTClaimValidationFailed) return `the token's ${error.claim} claim is not acceptable (${error.reason})`;
  if (error instanceof errors.JOSEAlgNotAllowed) return 'the token is signed with an algorithm that is not allowed';
  if (error instanceof errors.JWKSNoMatchingKey) return 'the token is signed with a key the provider does not publish';
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'the signature does not match';
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
    return `${error.message}${cause}`;
  }
  return String(error);
}
