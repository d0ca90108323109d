/** Ends every switch over a union so that a new member is a compile error, not a silent no-op. */
export function assertNever(value: never, context = 'value'): never {
  throw new Error(`Unexpected ${context}: ${JSON.stringify(value)}`);
}
