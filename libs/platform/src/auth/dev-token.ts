import { JwtService } from '@nestjs/jwt';
import { Role } from '@refund-desk/domain';
import { AppConfig } from '../config/app-config';

/** What a development token lives by default: a working day, or less if the policy allows less. */
export const DEFAULT_DEV_TOKEN_TTL_S = 8 * 3_600;

export interface DevTokenRequest {
  readonly sub: string;
  readonly roles: readonly Role[];
  readonly name?: string;
  /** Seconds; at most AUTH_MAX_TOKEN_LIFETIME_S. Default: DEFAULT_DEV_TOKEN_TTL_S or the maximum if shorter. */
  readonly ttlS?: number;
}

export interface DevToken {
  readonly token: string;
  readonly expiresAt: Date;
}

/**
 * An HS256 token the service accepts, as `npm run token` and the desk's development sign-in mint
 * it: sub, roles, name, exp, and iss/aud when AUTH_ISSUER/AUTH_AUDIENCE are set.
 */
export async function mintDevToken(jwt: JwtService, config: AppConfig, request: DevTokenRequest, nowMs = Date.now()): Promise<DevToken> {
  const ttlS = request.ttlS ?? Math.min(DEFAULT_DEV_TOKEN_TTL_S, config.AUTH_MAX_TOKEN_LIFETIME_S);
  if (ttlS > config.AUTH_MAX_TOKEN_LIFETIME_S) {
    throw new RangeError(`a lifetime of ${ttlS} s is longer than AUTH_MAX_TOKEN_LIFETIME_S (${config.AUTH_MAX_TOKEN_LIFETIME_S} s): the service would refuse the token`);
  }
  const iat = Math.floor(nowMs / 1000);
  const token = await jwt.signAsync(
    { sub: request.sub, roles: [...request.roles], ...(request.name ? { name: request.name } : {}), iat, exp: iat + ttlS },
    {
      algorithm: 'HS256',
      ...(config.AUTH_ISSUER ? { issuer: config.AUTH_ISSUER } : {}),
      ...(config.AUTH_AUDIENCE ? { audience: config.AUTH_AUDIENCE } : {}),
    },
  );
  return { token, expiresAt: new Date((iat + ttlS) * 1000) };
}

/**
 * The subject a development sign-in under this name speaks as: the same name (whatever its case,
 * spacing or Unicode form) is the same actor, so work assigned to "Ann" is still hers next time.
 * Undefined when the name has no letter or digit to build one from.
 */
export function devSubject(name: string): string | undefined {
  const slug = name
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 60)
    .replace(/_+$/, '');
  return slug ? `dev_${slug}` : undefined;
}
