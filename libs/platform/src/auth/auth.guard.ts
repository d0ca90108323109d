import { CanActivate, ExecutionContext, ForbiddenException, Injectable, Logger, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { JwtService } from '@nestjs/jwt';
import { Role } from '@refund-desk/domain';
import { PUBLIC_KEY, ROLES_KEY } from './decorators';
import { AppConfig } from '../config/app-config';
import { redactUrl } from '../logging/redact';
import { Principal, principalFromClaims, TokenClaims } from './principal';
import { TimeClaims, TokenPolicy, tokenPolicyViolation } from './token-policy';

interface AuthenticatedRequest {
  headers: Record<string, string | string[] | undefined>;
  method: string;
  url: string;
  principal?: Principal;
}

/**
 * Every route needs a valid HS256 bearer token unless marked @Public; a route with @Roles needs
 * one of them. A valid token also has an expiry within AUTH_MAX_TOKEN_LIFETIME_S and, when
 * configured, the expected issuer and audience. Denials are logged with who tried what, as auditors expect.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  private readonly logger = new Logger('Access');
  private readonly policy: TokenPolicy;

  constructor(
    private readonly reflector: Reflector,
    private readonly jwt: JwtService,
    config: AppConfig,
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
}
