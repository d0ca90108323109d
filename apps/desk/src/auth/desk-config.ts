/**
 * What the service tells the desk before anyone signs in (`GET /v1/desk/config`, public): whether
 * development sign-in is on (never in production) and, in production, the identity provider.
 * These two routes are public and outside the generated client until they are in the OpenAPI
 * document; their shapes are the interface agreed with the service's OIDC work.
 */
export interface DeskConfig {
  readonly devSignIn: boolean;
  readonly oidc: null | { readonly issuer: string; readonly clientId: string; readonly scopes: string };
}

export async function fetchDeskConfig(): Promise<DeskConfig> {
  const response = await fetch('/v1/desk/config', { headers: { accept: 'application/json' } });
  if (!response.ok) throw new Error(`GET /v1/desk/config answered ${response.status}`);
  return (await response.json()) as DeskConfig;
}

/** The roles a person may pick on the development sign-in page (the contract's roles, `service` aside). */
export const PERSON_ROLES = ['agent', 'manager', 'senior_manager', 'auditor', 'admin'] as const;
export type PersonRole = (typeof PERSON_ROLES)[number];

export async function mintDevToken(name: string, role: PersonRole): Promise<{ token: string; expiresAt: string }> {
  const response = await fetch('/v1/dev/token', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ name, role }),
  });
  if (!response.ok) throw new Error(`POST /v1/dev/token answered ${response.status}`);
  return (await response.json()) as { token: string; expiresAt: string };
}
