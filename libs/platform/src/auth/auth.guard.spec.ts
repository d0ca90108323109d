import { ExecutionContext, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { JwtService } from '@nestjs/jwt';
import { generateKeyPair, SignJWT } from 'jose';
import { HttpProblem } from '../http/problem';
import { loadAppConfig } from '../config/app-config';
import { AuthGuard } from './auth.guard';
import { OidcProviderUnavailable, OidcTokenRejected, OidcTokenVerifier } from './oidc-verifier';
import { Principal } from './principal';

const SECRET = 'auth-guard-spec-secret-that-is-long-enough-01';
const ISSUER = 'https://id.example.com';

/** A verifier that answers as told and records what reached it. */
class ScriptedVerifier {
  readonly seen: string[] = [];
  constructor(private readonly answer: () => Promise<Principal>) {}
  verify(token: string): Promise<Principal> {
    this.seen.push(token);
    return this.answer();
  }
}

const contextFor = (authorization: string) => {
  const request: Record<string, unknown> = { headers: { authorization }, method: 'GET', url: '/v1/policy' };
  const context = {
    getHandler: () => undefined,
    getClass: () => undefined,
    switchToHttp: () => ({ getRequest: () => request }),
  } as unknown as ExecutionContext;
  return { context, request };
};

describe('AuthGuard: which verifier a token goes to', () => {
  const config = loadAppConfig({ AUTH_JWT_SECRET: SECRET });
  const jwt = new JwtService({ secret: SECRET });
  const reflector = { getAllAndOverride: () => undefined } as unknown as Reflector;
  let rs256: string;

  beforeAll(async () => {
    const { privateKey } = await generateKeyPair('RS256');
    rs256 = await new SignJWT({ sub: 'u-1', roles: ['admin'] }).setProtectedHeader({ alg: 'RS256', kid: 'k' }).setIssuer(ISSUER).setExpirationTime('5m').sign(privateKey);
  });

  const guard = (verifier: ScriptedVerifier | null) => new AuthGuard(reflector, jwt, config, verifier as unknown as OidcTokenVerifier);

  it('sends HS256 tokens to the secret, even one claiming the provider as issuer', async () => {
    const verifier = new ScriptedVerifier(() => Promise.reject(new Error('must not be asked')));
    const token = jwt.sign({ sub: 'svc', roles: ['service'], iss: ISSUER }, { expiresIn: 60 });
    const { context, request } = contextFor(`Bearer ${token}`);
    await expect(guard(verifier).canActivate(context)).resolves.toBe(true);
    expect(request.principal).toEqual({ id: 'svc', roles: ['service'] });
    expect(verifier.seen).toEqual([]);
  });

  it('sends RS256/ES256 tokens to the provider and takes the principal it gives', async () => {
    const verifier = new ScriptedVerifier(async () => ({ id: 'u-1', roles: ['manager'] }));
    const { context, request } = contextFor(`Bearer ${rs256}`);
    await expect(guard(verifier).canActivate(context)).resolves.toBe(true);
    expect(request.principal).toEqual({ id: 'u-1', roles: ['manager'] });
    expect(verifier.seen).toEqual([rs256]);
  });

  it('answers 401 for a rejected provider token, and 503 with Retry-After when the provider is away', async () => {
    const rejected = guard(new ScriptedVerifier(() => Promise.reject(new OidcTokenRejected('the token was issued by another issuer (iss)'))));
    await expect(rejected.canActivate(contextFor(`Bearer ${rs256}`).context)).rejects.toThrow(
      new UnauthorizedException('The bearer token is not valid: the token was issued by another issuer (iss)'),
    );
    const away = guard(new ScriptedVerifier(() => Promise.reject(new OidcProviderUnavailable('connection refused', 5))));
    const error = (await away.canActivate(contextFor(`Bearer ${rs256}`).context).catch((caught: unknown) => caught)) as HttpProblem;
    expect(error).toBeInstanceOf(HttpProblem);
    expect(error.status).toBe(503);
    expect(error.extras.headers).toEqual({ 'Retry-After': '5' });
  });

  it('refuses an RS256 token with 401 when no provider is configured, as before', async () => {
    await expect(guard(null).canActivate(contextFor(`Bearer ${rs256}`).context)).rejects.toThrow(UnauthorizedException);
  });
});
