import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020, { ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import Ajv07 from 'ajv';
import { EVENT_TYPES } from '@refund-desk/contracts';
import { closeObjects } from '@refund-desk/contracts/testing';
import { buildAsyncApiDocument } from '../asyncapi';

export const SCHEMA_DIR = join(__dirname, '..', '..', 'schemas');

export type SchemaName = 'refund-request.v1' | 'refund-status.v1' | 'feedback-response.v1' | 'appeal.v1' | 'case-event.v1';

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

const asyncApiAjv = new Ajv07({ strict: false, allErrors: true });
addFormats(asyncApiAjv);
let asyncApiLoaded = false;
const ASYNCAPI_ID = 'urn:refund-desk:asyncapi';

function asyncApiValidator(schemaName: string): ValidateFunction {
  if (!asyncApiLoaded) {
    const components = (buildAsyncApiDocument().components as { schemas: Record<string, unknown> }).schemas;
    // Closed objects: a field the document does not name fails the check (the published schema stays open).
    asyncApiAjv.addSchema({ $id: ASYNCAPI_ID, components: { schemas: closeObjects(components) } });
    asyncApiLoaded = true;
  }
  const id = `${ASYNCAPI_ID}#/components/schemas/${schemaName}`;
  return asyncApiAjv.getSchema(id) ?? (asyncApiAjv.compile({ $ref: id }) as ValidateFunction);
}

/**
 * Null when a refunds.case-events.v1 message matches the AsyncAPI document: the value against
 * the payload schema of its own event type, the headers (when given) against CaseEventHeaders.
 */
export function caseEventErrors(value: { readonly type?: unknown; readonly [field: string]: unknown }, headers?: Record<string, unknown>): string | null {
  const type = String(value.type);
  if (!(EVENT_TYPES as readonly string[]).includes(type)) return `no AsyncAPI message for event type ${type}`;
  const payload = asyncApiValidator(`${type}Message`);
  if (!payload(value)) return `${type}: ${asyncApiAjv.errorsText(payload.errors, { dataVar: 'value' })}`;
  if (headers) {
    const text = Object.fromEntries(Object.entries(headers).map(([name, v]) => [name, Buffer.isBuffer(v) ? v.toString('utf8') : v]));
    const check = asyncApiValidator('CaseEventHeaders');
    // Kafka headers are open-ended (tracing, ...): the documented ones are checked, others pass.
    const names = Object.keys(((buildAsyncApiDocument().components as { schemas: Record<string, { properties: object }> }).schemas.CaseEventHeaders).properties);
    const documented = Object.fromEntries(Object.entries(text).filter(([name]) => names.includes(name)));
    if (!check(documented)) return `${type} headers: ${asyncApiAjv.errorsText(check.errors, { dataVar: 'headers' })}`;
  }
  return null;
}
