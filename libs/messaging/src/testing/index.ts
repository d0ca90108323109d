export { caseEventErrors, schemaErrors } from './message-schemas';
export type { SchemaName } from './message-schemas';
