import { claimedSubject } from './request-limits';

const token = (payload: unknown): string =>
  `Bearer eyJhbGciOiJIUzI1NiJ9.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.c2ln`;

describe('claimedSubject', () => {
  it('reads the sub a bearer token claims, without verifying it', () => {
    expect(claimedSubject(token({ sub: 'ann', roles: ['agent'] }))).toBe('ann');
    expect(claimedSubject(token({ sub: 'ann' }).replace('Bearer', 'bearer'))).toBe('ann');
    expect(claimedSubject([token({ sub: 'bob' })])).toBe('bob');
  });

  it.each([
    ['no header', undefined],
    ['another scheme', 'Basic YWxhZGRpbjpvcGVuc2VzYW1l'],
    ['not a JWT', 'Bearer abc'],
    ['a payload that is not JSON', 'Bearer a.bm90IGpzb24.c'],
    ['JSON null', token(null)],
    ['no sub', token({ roles: ['agent'] })],
    ['a sub that is not a string', token({ sub: 42 })],
    ['an empty sub', token({ sub: '' })],
    ['an oversized header', token({ sub: 'x'.repeat(10_000) })],
  ])('finds none in %s', (_what, header) => {
    expect(claimedSubject(header)).toBeUndefined();
  });
});
