import { fromOpenApi30, nullable, objectSchema, rebaseRefs, ref, string, toOpenApi30 } from './json-schema';
import { outboundEventDataSchema } from './outbound-event-schemas';

describe('schemas of the contract', () => {
  it('names every field of the type and requires all but the optional ones', () => {
    const schema = objectSchema<{ a: string; b?: string }>({ a: string(), b: string() }, { optional: ['b'] });
    expect(schema).toEqual({ type: 'object', required: ['a'], properties: { a: { type: 'string' }, b: { type: 'string' } } });
  });

  it('writes nullable values as OpenAPI 3.0 expects (nullable beside a type) and reads them back as null types', () => {
    const schema = { type: 'object', properties: { s: nullable(string()), r: nullable(ref('Money')), e: nullable({ type: 'string', enum: ['x'] }) } };
    const openapi = toOpenApi30(schema) as { properties: Record<string, unknown> };
    expect(openapi.properties).toEqual({
      s: { type: 'string', nullable: true },
      r: { type: 'object', allOf: [{ $ref: '#/components/schemas/Money' }], nullable: true },
      e: { type: 'string', enum: ['x', null], nullable: true },
    });
    const back = fromOpenApi30(openapi) as { properties: Record<string, unknown> };
    expect(back.properties.s).toEqual({ type: ['string', 'null'] });
    expect(back.properties.r).toEqual({ anyOf: [{ type: 'object', allOf: [{ $ref: '#/components/schemas/Money' }] }, { type: 'null' }] });
  });

  it('leaves property names and enum values alone when rewriting', () => {
    const schema = { type: 'object', properties: { nullable: { type: 'string', enum: ['nullable'] } } };
    expect(fromOpenApi30(toOpenApi30(schema))).toEqual(schema);
    expect(rebaseRefs({ items: ref('Money') }, '#/$defs/')).toEqual({ items: { $ref: '#/$defs/Money' } });
  });

  it('publishes the personal fields of an event as null, inlining the shared shapes on the way', () => {
    const data = outboundEventDataSchema('RequestLogged') as { properties: Record<string, { properties: Record<string, { type: string }> }> };
    expect(data.properties.customer.properties.name.type).toBe('null');
    expect(data.properties.customer.properties.id.type).toBe('string');
    expect(data.properties.reason.properties.description.type).toBe('null');
    expect((outboundEventDataSchema('NoteAdded') as { properties: Record<string, { type: string }> }).properties.text.type).toBe('null');
  });
});
