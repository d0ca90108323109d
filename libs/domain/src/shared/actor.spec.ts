import { authorityRank, highestAuthority, isRole, maxAuthority, raiseAuthority } from './actor';

describe('actors and decision authority', () => {
  it('knows the contract’s roles, and nothing else, as roles', () => {
    for (const role of ['agent', 'manager', 'senior_manager', 'auditor', 'service', 'admin']) expect(isRole(role)).toBe(true);
    for (const value of ['Agent', 'root', '', undefined, null, 1, ['agent']]) expect(isRole(value)).toBe(false);
  });

  it('ranks authority agent < manager < senior manager', () => {
    expect([authorityRank('agent'), authorityRank('manager'), authorityRank('senior_manager')]).toEqual([0, 1, 2]);
  });

  it('takes the highest authority among an actor’s roles, whatever their order', () => {
    expect(highestAuthority({ id: 'a', roles: ['senior_manager', 'agent', 'manager'] })).toBe('senior_manager');
    expect(highestAuthority({ id: 'a', roles: ['manager', 'agent'] })).toBe('manager');
    expect(highestAuthority({ id: 'a', roles: ['auditor', 'agent'] })).toBe('agent');
    expect(highestAuthority({ id: 'a', roles: ['auditor', 'service', 'admin'] })).toBeUndefined();
  });

  it('takes the higher of two authorities, either way round', () => {
    expect(maxAuthority('agent', 'manager')).toBe('manager');
    expect(maxAuthority('manager', 'agent')).toBe('manager');
    expect(maxAuthority('senior_manager', 'manager')).toBe('senior_manager');
    expect(maxAuthority('manager', 'manager')).toBe('manager');
  });

  it('raises one level, and no higher than a senior manager', () => {
    expect(raiseAuthority('agent')).toBe('manager');
    expect(raiseAuthority('manager')).toBe('senior_manager');
    expect(raiseAuthority('senior_manager')).toBe('senior_manager');
  });
});
