import { CanActivate, ExecutionContext, ForbiddenException, Inject, Injectable, Logger, Optional, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { JwtService } from '@nestjs/jwt';
import { decodeProtectedHeader } from 'jose';
import { Role } from '@refund-desk/domain';
import { PUBLIC_KEY, ROLES_KEY } from './decorators';
import { AppConfig } from '../config/app-config';
import { HttpProblem } from '../http/problem';
import { redactUrl } from '../logging/redact';
import { OIDC_ALGORITHMS, OidcProviderUnavailable, OidcTokenRejected, OidcTokenVerifier } from './oidc-verifier';
import { Principal, principalFromClaims, TokenClaims } from './principal';
import { TimeClaims, TokenPolicy, tokenPolicyViolation } from './token-policy';

interface AuthenticatedRequest {
  headers: Record<string, string | string[] | undefined>;
  method: string;
  url: string;
  principal?: Principal;
}

/** Provides the OidcTokenVerifier when OIDC_ISSUER is set, null otherwise. */
export const OIDC_VERIFIER = Symbol('OIDC_VERIFIER');

/**
 * Every route needs a valid bearer token unless marked @Public; a route with @Roles needs one of
 * them. Two kinds are accepted: HS256 tokens signed with AUTH_JWT_SECRET (services, `npm run token`,
 * development sign-in), which also need an expiry within AUTH_MAX_TOKEN_LIFETIME_S and, when
 * configured, the expected issuer and audience; and, when OIDC_ISSUER is set, the provider's
 * RS256/ES256 tokens (OidcTokenVerifier). The token's header picks the path, and each path allows
 * only its own algorithms, so neither kind can be passed off as the other.
 * Denials are logged with who tried what, as auditors expect.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  private readonly logger = new Logger('Access');
  private readonly policy: TokenPolicy;

  constructor(
    private readonly reflector: Reflector,
    private readonly jwt: JwtService,
    config: AppConfig,
    @Optional() @Inject(OIDC_VERIFIER) private readonly oidc: OidcTokenVerifier | null = null,
  ) {
    this.policy = { maxLifetimeS: config.AUTH_MAX_TOKEN_LIFETIME_S, issuer: config.AUTH_ISSUER, audience: config.AUTH_AUDIENCE };
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const principal = await this.authenticate(request);
    request.principal = principal;
    const allowed = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);
    if (allowed && !principal.roles.some((role) => allowed.includes(role))) {
      this.logger.warn({ msg: 'access denied', sub: principal.id, roles: principal.roles, required: allowed, method: request.method, url: redactUrl(request.url) });
      throw new ForbiddenException(`This action needs one of the roles: ${allowed.join(', ')}`);
    }
    return true;
  }

  private async authenticate(request: AuthenticatedRequest): Promise<Principal> {
    const header = request.headers.authorization;
    const value = Array.isArray(header) ? header[0] : header;
    const match = value ? /^Bearer\s+(\S+)$/i.exec(value) : null;
    if (!match) throw new UnauthorizedException('Send a bearer token: Authorization: Bearer <JWT>');
    if (this.oidc && this.isOidcToken(match[1])) return this.authenticateOidc(this.oidc, match[1]);
    let claims: TokenClaims & TimeClaims;
    try {
      claims = await this.jwt.verifyAsync<TokenClaims & TimeClaims & object>(match[1], { algorithms: ['HS256'] });
    } catch (error) {
      throw new UnauthorizedException(`The bearer token is not valid: ${(error as Error).message}`);
    }
    const violation = tokenPolicyViolation(claims, this.policy, Math.floor(Date.now() / 1000));
    if (violation) throw new UnauthorizedException(`The bearer token is not valid: ${violation}`);
    const principal = principalFromClaims(claims);
    if (typeof principal === 'string') throw new UnauthorizedException(`The bearer token is not valid: ${principal}`);
    return principal;
  }

  /** An asymmetric token goes to the provider; anything else keeps the HS256 path and its messages. */
  private isOidcToken(token: string): boolean {
    try {
      return (OIDC_ALGORITHMS as readonly string[]).includes(decodeProtectedHeader(token).alg ?? '');
    } catch {
      return false;
    }
  }

  private async authenticateOidc(oidc: OidcTokenVerifier, token: string): Promise<Principal> {
    try {
      return await oidc.verify(token);
    } catch (error) {
      if (error instanceof OidcTokenRejected) throw new UnauthorizedException(`The bearer token is not valid: ${error.message}`);
      if (error instanceof OidcProviderUnavailable) {
        this.logUnavailable(error);
        throw new HttpProblem(503, 'The identity provider that issued this token cannot be reached to check it; retry shortly', {
          slug: 'unavailable',
          headers: { 'Retry-After': String(error.retryAfterS) },
        });
      }
      throw error;
    }
  }

  private lastUnavailableLog = 0;

  /** An outage fails every OIDC request: one line every few seconds says it. */
  private logUnavailable(error: OidcProviderUnavailable): void {
    if (Date.now() - this.lastUnavailableLog < 5_000) return;
    this.lastUnavailableLog = Date.now();
    this.logger.warn({ msg: 'identity provider unavailable; answering 503', reason: error.message });
  }
}
