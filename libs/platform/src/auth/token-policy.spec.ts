import { tokenPolicyViolation, TokenPolicy } from './token-policy';

const NOW = 1_800_000_000;
const policy: TokenPolicy = { maxLifetimeS: 3_600 };

describe('tokenPolicyViolation', () => {
  it('accepts a token that expires within the lifetime, with or without iat', () => {
    expect(tokenPolicyViolation({ exp: NOW + 600, iat: NOW - 60 }, policy, NOW)).toBeUndefined();
    expect(tokenPolicyViolation({ exp: NOW + 3_600 }, policy, NOW)).toBeUndefined();
    expect(tokenPolicyViolation({ exp: NOW + 10, iat: NOW - 3_590 }, policy, NOW)).toBeUndefined();
  });

  it.each([
    [{}, 'exp'],
    [{ exp: '1900000000' }, 'exp'],
    [{ exp: Number.NaN }, 'exp'],
    [{ exp: null }, 'exp'],
  ])('refuses a token without a numeric exp: %p', (claims, why) => {
    expect(tokenPolicyViolation(claims, policy, NOW)).toContain(why);
  });

  it('refuses a token that expires further ahead than the longest lifetime', () => {
    expect(tokenPolicyViolation({ exp: NOW + 3_601 }, policy, NOW)).toMatch(/from now/);
  });

  it('refuses a token minted for longer than the longest lifetime, even when little of it is left', () => {
    expect(tokenPolicyViolation({ exp: NOW + 60, iat: NOW - 7_200 }, policy, NOW)).toMatch(/exp − iat/);
    expect(tokenPolicyViolation({ exp: NOW + 60, iat: 'yesterday' }, policy, NOW)).toMatch(/iat/);
  });

  it('checks iss and aud only when configured', () => {
    const strict: TokenPolicy = { ...policy, issuer: 'https://id.example.com', audience: 'refund-desk' };
    const exp = NOW + 60;
    expect(tokenPolicyViolation({ exp, iss: 'anyone', aud: 'anything' }, policy, NOW)).toBeUndefined();
    expect(tokenPolicyViolation({ exp, iss: 'https://id.example.com', aud: 'refund-desk' }, strict, NOW)).toBeUndefined();
    expect(tokenPolicyViolation({ exp, iss: 'https://id.example.com', aud: ['billing', 'refund-desk'] }, strict, NOW)).toBeUndefined();
    expect(tokenPolicyViolation({ exp, aud: 'refund-desk' }, strict, NOW)).toMatch(/iss/);
    expect(tokenPolicyViolation({ exp, iss: 'https://evil.example.com', aud: 'refund-desk' }, strict, NOW)).toMatch(/iss/);
    expect(tokenPolicyViolation({ exp, iss: 'https://id.example.com' }, strict, NOW)).toMatch(/aud/);
    expect(tokenPolicyViolation({ exp, iss: 'https://id.example.com', aud: ['billing'] }, strict, NOW)).toMatch(/aud/);
  });
});
