import { CASE_EVENT_TYPES, CaseEventType, PERSONAL_DATA_PATHS } from '@refund-desk/domain';
import { COMPONENT_PREFIX, Schema } from './json-schema';
import { DOMAIN_SCHEMAS, EVENT_DATA_SCHEMAS, EventType } from './domain-schemas';

const PERSONAL = { type: 'null', description: 'Personal data: always null outside the service' };

function resolve(schema: Schema): Schema {
  const target = typeof schema.$ref === 'string' ? DOMAIN_SCHEMAS[schema.$ref.slice(COMPONENT_PREFIX.length)] : undefined;
  return target ? structuredClone(target) : schema;
}

/**
 * The `data` of an event as published on refunds.case-events.v1: the stored form with every
 * personal field (the domain's PERSONAL_DATA_PATHS) null. Referenced objects on the way to a
 * personal field are inlined, so the shared schema (with the field as text) stays untouched.
 */
export function outboundEventDataSchema(type: EventType): Schema {
  const schema = structuredClone(EVENT_DATA_SCHEMAS[type]) as Record<string, unknown>;
  const paths = (CASE_EVENT_TYPES as readonly string[]).includes(type) ? PERSONAL_DATA_PATHS[type as CaseEventType] : [];
  for (const path of paths) {
    let node = schema;
    for (const [index, key] of path.entries()) {
      const properties = node.properties as Record<string, Schema> | undefined;
      if (!properties || !(key in properties)) throw new Error(`${type}: personal path ${path.join('.')} is not in the schema`);
      if (index === path.length - 1) {
        properties[key] = PERSONAL;
      } else {
        properties[key] = resolve(properties[key]);
        node = properties[key] as Record<string, unknown>;
      }
    }
  }
  return schema;
}
