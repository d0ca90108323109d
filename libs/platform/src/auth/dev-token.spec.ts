import { JwtService } from '@nestjs/jwt';
import { loadAppConfig } from '../config/app-config';
import { devSubject, mintDevToken } from './dev-token';

const SECRET = 'dev-token-spec-secret-that-is-long-enough-0123';

describe('devSubject', () => {
  it('gives the same subject for the same name, whatever its case, spacing or Unicode form', () => {
    expect(devSubject('Ann Rossi')).toBe('dev_ann_rossi');
    expect(devSubject('  ann   ROSSI ')).toBe('dev_ann_rossi');
    expect(devSubject('Ａｎｎ Rossi')).toBe('dev_ann_rossi');
    expect(devSubject('Zoë')).toBe(devSubject('Zoe\u0308'));
  });

  it('keeps letters of any script and gives different names different subjects', () => {
    expect(devSubject('مريم')).toBe('dev_مريم');
    expect(devSubject('Ann')).not.toBe(devSubject('Anna'));
  });

  it('has none for a name without a letter or digit, and stays short', () => {
    expect(devSubject(' -- ')).toBeUndefined();
    expect(devSubject('x'.repeat(500))!.length).toBeLessThanOrEqual(64);
  });
});

describe('mintDevToken', () => {
  const jwt = new JwtService({ secret: SECRET });

  it('signs HS256 with sub, roles, name, and an exp within the longest lifetime', async () => {
    const config = loadAppConfig({ AUTH_MAX_TOKEN_LIFETIME_S: '3600', AUTH_ISSUER: 'refund-desk', AUTH_AUDIENCE: 'refund-desk-api' });
    const now = Date.UTC(2026, 0, 1);
    const { token, expiresAt } = await mintDevToken(jwt, config, { sub: 'dev_ann', roles: ['agent'], name: 'Ann' }, now);
    expect(JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString())).toMatchObject({ alg: 'HS256' });
    const claims = jwt.decode(token);
    expect(claims).toMatchObject({ sub: 'dev_ann', roles: ['agent'], name: 'Ann', iat: now / 1000, exp: now / 1000 + 3600, iss: 'refund-desk', aud: 'refund-desk-api' });
    expect(expiresAt.toISOString()).toBe('2026-01-01T01:00:00.000Z');
  });

  it('lives eight hours by default, and refuses a lifetime the service would refuse', async () => {
    const config = loadAppConfig({});
    const { token } = await mintDevToken(jwt, config, { sub: 'dev_ann', roles: ['agent'] });
    const claims = jwt.decode(token) as { exp: number; iat: number; name?: string };
    expect(claims.exp - claims.iat).toBe(8 * 3600);
    expect(claims.name).toBeUndefined();
    await expect(mintDevToken(jwt, config, { sub: 'dev_ann', roles: ['agent'], ttlS: 86_401 })).rejects.toThrow(/AUTH_MAX_TOKEN_LIFETIME_S/);
  });
});
