import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020, { ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';

export const SCHEMA_DIR = join(__dirname, '..', '..', '..', 'libs', 'messaging', 'schemas');

export type SchemaName = 'refund-request.v1' | 'refund-status.v1' | 'feedback-response.v1' | 'case-event.v1';

const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false });
addFormats(ajv);
const compiled = new Map<SchemaName, ValidateFunction>();

/** The published JSON Schema of a message value, compiled once. */
export function schemaValidator(name: SchemaName): ValidateFunction {
  let validate = compiled.get(name);
  if (!validate) {
    validate = ajv.compile(JSON.parse(readFileSync(join(SCHEMA_DIR, `${name}.schema.json`), 'utf8')));
    compiled.set(name, validate);
  }
  return validate;
}

/** Null when the value matches the schema, otherwise ajv's complaints as text. */
export function schemaErrors(name: SchemaName, value: unknown): string | null {
  const validate = schemaValidator(name);
  return validate(value) ? null : ajv.errorsText(validate.errors);
}
