import { checkUntrustedInput, isStorableText, MAX_INPUT_DEPTH } from './untrusted-input';

describe('untrusted input', () => {
  it('storable text: no NUL, no unpaired surrogate; pairs (emoji) and other controls are fine', () => {
    expect(isStorableText('Maria Rossi 😀 \t\n')).toBe(true);
    for (const bad of ['\u0000', 'a\u0000', '\ud800', '\udfff', 'a\ud83dz', '\ude00\ud83d']) expect(isStorableText(bad)).toBe(false);
  });

  it('names every bad string and object key by its path', () => {
    const check = checkUntrustedInput({ product: { sku: 'a\u0000' }, evidence: [{ kind: '\ud800' }], rules: { byCategory: { 'x\u0000': 1 } } });
    expect(check.tooDeep).toBe(false);
    expect(check.textErrors.map((e) => e.field)).toEqual(['product.sku', 'evidence.0.kind', 'rules.byCategory.x\\u0000']);
  });

  it('accepts nesting up to the limit and refuses deeper, without overflowing on very deep input', () => {
    const nest = (levels: number): unknown => {
      let value: unknown = 'leaf';
      for (let i = 0; i < levels; i++) value = i % 2 ? [value] : { a: value };
      return value;
    };
    expect(checkUntrustedInput(nest(MAX_INPUT_DEPTH)).tooDeep).toBe(false);
    expect(checkUntrustedInput(nest(MAX_INPUT_DEPTH + 1)).tooDeep).toBe(true);
    expect(checkUntrustedInput(nest(1_000_000)).tooDeep).toBe(true);
  });
});
