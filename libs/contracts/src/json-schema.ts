/**
 * Schemas of the public contract, written once and published three ways: in the OpenAPI document
 * (OpenAPI 3.0 dialect), in the AsyncAPI document and as JSON Schema files (draft 2020-12 / 07
 * style). The canonical form here is JSON Schema with `type: [t, 'null']` and `anyOf` for
 * nullable references; `toOpenApi30` rewrites it for OpenAPI 3.0, `fromOpenApi30` back.
 */
export type Schema = { readonly [keyword: string]: unknown };

/** Keys of T that T marks optional (`key?:`). */
export type OptionalKeys<T> = { [K in keyof T]-?: object extends Pick<T, K> ? K : never }[keyof T];

/** One schema for every field of T: the compiler refuses a missing field and an unknown one. */
export type PropertiesOf<T> = { readonly [K in keyof T]-?: Schema };

export const COMPONENT_PREFIX = '#/components/schemas/';

/** A reference to a named schema of the contract (components.schemas in both documents). */
export const ref = (name: string): Schema => ({ $ref: `${COMPONENT_PREFIX}${name}` });

/**
 * An object schema naming every field of T. Required: every field but the optional ones.
 * Further fields may appear in later versions (the contract is additive), so the published
 * schema does not forbid them; the test validators do, to catch an undocumented field.
 */
export function objectSchema<T>(
  properties: PropertiesOf<T>,
  options: { readonly optional?: readonly OptionalKeys<T>[]; readonly description?: string; readonly title?: string } = {},
): Schema {
  const optional = new Set<PropertyKey>(options.optional ?? []);
  return {
    type: 'object',
    ...(options.title ? { title: options.title } : {}),
    ...(options.description ? { description: options.description } : {}),
    required: Object.keys(properties).filter((key) => !optional.has(key)),
    properties,
  };
}

export const string = (extra: Record<string, unknown> = {}): Schema => ({ type: 'string', ...extra });
export const integer = (extra: Record<string, unknown> = {}): Schema => ({ type: 'integer', ...extra });
export const number = (extra: Record<string, unknown> = {}): Schema => ({ type: 'number', ...extra });
export const boolean = (extra: Record<string, unknown> = {}): Schema => ({ type: 'boolean', ...extra });
export const dateTime = (description?: string): Schema => ({ type: 'string', format: 'date-time', ...(description ? { description } : {}) });
export const enumOf = (values: readonly string[], extra: Record<string, unknown> = {}): Schema => ({ type: 'string', enum: [...values], ...extra });
export const arrayOf = (items: Schema, extra: Record<string, unknown> = {}): Schema => ({ type: 'array', items, ...extra });
export const mapOf = (values: Schema, extra: Record<string, unknown> = {}): Schema => ({ type: 'object', additionalProperties: values, ...extra });

/** The same schema, or null. */
export function nullable(schema: Schema): Schema {
  if (typeof schema.type === 'string') {
    const enumValues = schema.enum as unknown[] | undefined;
    return { ...schema, type: [schema.type, 'null'], ...(enumValues ? { enum: [...enumValues, null] } : {}) };
  }
  return { anyOf: [schema, { type: 'null' }] };
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function mapSchema(schema: unknown, visit: (node: Record<string, unknown>) => Record<string, unknown>): unknown {
  if (Array.isArray(schema)) return schema.map((item) => mapSchema(item, visit));
  if (!isObject(schema)) return schema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    // Property names and enum values are data, not schemas.
    if (key === 'properties' && isObject(value)) {
      out[key] = Object.fromEntries(Object.entries(value).map(([name, sub]) => [name, mapSchema(sub, visit)]));
    } else if (key === 'enum' || key === 'example' || key === 'examples' || key === 'const' || key === 'default' || key === 'required') {
      out[key] = value;
    } else {
      out[key] = mapSchema(value, visit);
    }
  }
  return visit(out);
}

/** JSON Schema (this module's form) → OpenAPI 3.0 schema: `nullable` instead of null types. */
export function toOpenApi30(schema: Schema): Schema {
  return mapSchema(schema, (node) => {
    if (Array.isArray(node.type)) {
      const types = (node.type as string[]).filter((t) => t !== 'null');
      const hasNull = types.length < (node.type as string[]).length;
      const { type: _type, ...rest } = node;
      // OpenAPI 3.0 has no type unions: a value of several scalar types is left untyped there.
      if (types.length > 1) return rest;
      return { type: types[0], ...rest, ...(hasNull ? { nullable: true } : {}) };
    }
    if (Array.isArray(node.anyOf)) {
      const options = (node.anyOf as Record<string, unknown>[]).filter((o) => o.type !== 'null');
      if (options.length < (node.anyOf as unknown[]).length) {
        const { anyOf: _anyOf, ...rest } = node;
        // OpenAPI 3.0 allows nullable only beside a type; every shared reference here is an object.
        return options.length === 1 ? { type: 'object', allOf: options, ...rest, nullable: true } : { anyOf: options, ...rest, nullable: true };
      }
    }
    if ('const' in node) {
      const { const: value, ...rest } = node;
      return { ...rest, enum: [value] };
    }
    return node;
  }) as Schema;
}

/** OpenAPI 3.0 schema → JSON Schema: `nullable` becomes a null type (for validators such as ajv). */
export function fromOpenApi30(schema: Schema): Schema {
  return mapSchema(schema, (node) => {
    if (node.nullable !== true) return node;
    const { nullable: _nullable, ...rest } = node;
    // With a composition the null must be an alternative: allOf would apply to the null as well.
    if (typeof rest.type === 'string' && !rest.allOf && !rest.anyOf && !rest.oneOf && !rest.$ref) {
      const enumValues = rest.enum as unknown[] | undefined;
      return { ...rest, type: [rest.type, 'null'], ...(enumValues && !enumValues.includes(null) ? { enum: [...enumValues, null] } : {}) };
    }
    return { anyOf: [rest, { type: 'null' }] };
  }) as Schema;
}

/** Rewrites `#/components/schemas/X` references, e.g. to `#/$defs/X` in a standalone JSON Schema file. */
export function rebaseRefs(schema: Schema, prefix: string): Schema {
  return mapSchema(schema, (node) =>
    typeof node.$ref === 'string' && node.$ref.startsWith(COMPONENT_PREFIX)
      ? { ...node, $ref: `${prefix}${node.$ref.slice(COMPONENT_PREFIX.length)}` }
      : node,
  ) as Schema;
}
