import { randomBytes } from 'node:crypto';
import { decryptField, encryptField, isEncryptedField, keyIdOf, unwrapKey, wrapKey } from './field-cipher';

describe('field cipher', () => {
  const key = randomBytes(32);

  it('round-trips text, with a fresh IV each time, and names its key', () => {
    const a = encryptField(key, 'k1', 'Maria Rossi — ☕');
    const b = encryptField(key, 'k1', 'Maria Rossi — ☕');
    expect(a).not.toBe(b);
    expect(isEncryptedField(a)).toBe(true);
    expect(keyIdOf(a)).toBe('k1');
    expect(a).not.toContain('Maria');
    expect(decryptField(key, a)).toBe('Maria Rossi — ☕');
  });

  it('refuses another key, a token moved to another key id, and any altered byte', () => {
    const token = encryptField(key, 'k1', 'secret');
    expect(() => decryptField(randomBytes(32), token)).toThrow();
    expect(() => decryptField(key, token.replace(':k1:', ':k2:'))).toThrow();
    const tampered = token.slice(0, -2) + (token.endsWith('A') ? 'BB' : 'AA');
    expect(() => decryptField(key, tampered)).toThrow();
    expect(isEncryptedField('plain text')).toBe(false);
  });

  it('wraps a data key bound to its owner', () => {
    const master = randomBytes(32);
    const wrapped = wrapKey(master, key, 'cus_1:k1');
    expect(unwrapKey(master, wrapped, 'cus_1:k1').equals(key)).toBe(true);
    expect(() => unwrapKey(master, wrapped, 'cus_2:k1')).toThrow();
  });
});
