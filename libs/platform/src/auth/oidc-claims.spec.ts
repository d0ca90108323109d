import { claimAt, principalFromOidcClaims } from './oidc-claims';

describe('claimAt', () => {
  const claims = {
    roles: ['agent'],
    realm_access: { roles: ['manager', 'offline_access'] },
    'https://example.com/roles': ['auditor'],
    nested: { list: ['x'], text: 'y' },
  };

  it('reads a top-level claim, a dotted path, and a claim whose own name has dots', () => {
    expect(claimAt(claims, 'roles')).toEqual(['agent']);
    expect(claimAt(claims, 'realm_access.roles')).toEqual(['manager', 'offline_access']);
    expect(claimAt(claims, 'https://example.com/roles')).toEqual(['auditor']);
  });

  it('is undefined where the path leads nowhere, and never walks into lists or inherited properties', () => {
    expect(claimAt(claims, 'groups')).toBeUndefined();
    expect(claimAt(claims, 'realm_access.groups')).toBeUndefined();
    expect(claimAt(claims, 'nested.text.length')).toBeUndefined();
    expect(claimAt(claims, 'nested.list.0')).toBeUndefined();
    expect(claimAt(claims, 'roles.constructor')).toBeUndefined();
    expect(claimAt({}, '__proto__.polluted')).toBeUndefined();
  });
});

describe('principalFromOidcClaims', () => {
  it('maps the configured claim to the domain roles, ignoring the ones it does not know', () => {
    expect(principalFromOidcClaims({ sub: 'u-1', name: 'Marco', realm_access: { roles: ['manager', 'uma_authorization', 'manager'] } }, 'realm_access.roles')).toEqual({
      id: 'u-1',
      name: 'Marco',
      roles: ['manager'],
    });
  });

  it('takes a lone role given as a string', () => {
    expect(principalFromOidcClaims({ sub: 'u-1', roles: 'auditor' }, 'roles')).toEqual({ id: 'u-1', roles: ['auditor'] });
  });

  it('gives a user without the claim no role (403 on every route), rather than refusing the token', () => {
    expect(principalFromOidcClaims({ sub: 'u-1' }, 'roles')).toEqual({ id: 'u-1', roles: [] });
  });

  it('refuses a token without a subject or with a roles claim that is not a list', () => {
    expect(principalFromOidcClaims({ roles: ['agent'] }, 'roles')).toMatch(/subject/);
    expect(principalFromOidcClaims({ sub: 'u-1', roles: { agent: true } }, 'roles')).toMatch(/not a list/);
  });
});
