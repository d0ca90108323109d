import { principalFromClaims } from './principal';

describe('principalFromClaims', () => {
  it('keeps the subject, the known roles once, and the name', () => {
    expect(principalFromClaims({ sub: 'ann', roles: ['agent', 'wizard', 'agent', 'manager'], name: 'Ann' })).toEqual({
      id: 'ann',
      roles: ['agent', 'manager'],
      name: 'Ann',
    });
  });

  it.each([
    [{ roles: ['agent'] }, 'subject'],
    [{ sub: '  ', roles: ['agent'] }, 'subject'],
    [{ sub: 42, roles: ['agent'] }, 'subject'],
    [{ sub: 'ann' }, 'roles'],
    [{ sub: 'ann', roles: 'agent' }, 'roles'],
  ])('explains why %p is not acceptable', (claims, why) => {
    const result = principalFromClaims(claims);
    expect(typeof result).toBe('string');
    expect(result).toContain(why);
  });
});
