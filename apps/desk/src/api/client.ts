import createClient from 'openapi-fetch';
import type { components, paths } from './schema.gen';

export type Schemas = components['schemas'];
export type CaseView = Schemas['CaseView'];
export type Money = Schemas['Money'];
export type Problem = Schemas['Problem'];

/** A refusal from the API, with its problem document (RFC 9457) when it sent one. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem | undefined,
  ) {
    super(problem?.detail ?? problem?.title ?? `HTTP ${status}`);
  }

  /** The API's field errors by dotted path (`customer.email`), for showing on the form's fields. */
  fieldErrors(): Record<string, string> {
    const errors: Record<string, string> = {};
    for (const error of this.problem?.errors ?? []) errors[error.field] ??= error.message;
    return errors;
  }
}

let bearer: string | null = null;
let onUnauthenticated: () => void = () => undefined;

/** The session sets the token every request carries, and what to do when the API no longer accepts it. */
export function setBearer(token: string | null, unauthenticated: () => void): void {
  bearer = token;
  onUnauthenticated = unauthenticated;
}

/**
 * The typed client: paths, parameters and bodies come from the OpenAPI document the service
 * generates (schema.gen.ts, written by `npm run desk:api`), so a contract change the desk does not
 * follow fails `npm run typecheck:desk`.
 */
export const api = createClient<paths>({ baseUrl: typeof window === 'undefined' ? '' : window.location.origin });

api.use({
  onRequest({ request }) {
    if (bearer) request.headers.set('Authorization', `Bearer ${bearer}`);
    return request;
  },
  onResponse({ response }) {
    if (response.status === 401) onUnauthenticated();
    return response;
  },
});

/** openapi-fetch answers `{data, error, response}`; views want the data or a thrown ApiError. */
export async function unwrap<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await call;
  if (error !== undefined || !response.ok) throw new ApiError(response.status, isProblem(error) ? error : undefined);
  return data as T;
}

const isProblem = (value: unknown): value is Problem =>
  typeof value === 'object' && value !== null && typeof (value as Problem).status === 'number';

/** `If-Match` for a command on the version the view shows: the API answers 412 if the case moved on. */
export const ifMatch = (version: number): { 'If-Match': string } => ({ 'If-Match': `"${version}"` });

/** An authenticated GET of a route that is not JSON (the NDJSON export), as the response. */
async function authenticatedGet(path: string): Promise<Response> {
  const response = await fetch(path, { headers: bearer ? { Authorization: `Bearer ${bearer}` } : {} });
  if (response.status === 401) onUnauthenticated();
  if (!response.ok) throw new ApiError(response.status, (await response.json().catch(() => undefined)) as Problem | undefined);
  return response;
}

export const fetchText = async (path: string): Promise<string> => (await authenticatedGet(path)).text();

/** Saves an authenticated GET as a file (a plain link cannot carry the bearer token). */
export async function download(path: string, fileName: string): Promise<void> {
  saveUrl(URL.createObjectURL(await (await authenticatedGet(path)).blob()), fileName);
}

export function saveUrl(url: string, fileName: string): void {
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
