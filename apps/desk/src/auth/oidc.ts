import { UserManager, WebStorageStateStore } from 'oidc-client-ts';
import type { DeskConfig } from './desk-config';

/**
 * OpenID Connect, authorization code with PKCE, as a public client in the browser (oidc-client-ts
 * makes the verifier, the state and the code exchange). The access token is what the API receives.
 */
export function userManager(oidc: NonNullable<DeskConfig['oidc']>): UserManager {
  return new UserManager({
    authority: oidc.issuer,
    client_id: oidc.clientId,
    redirect_uri: `${window.location.origin}/auth/callback`,
    post_logout_redirect_uri: `${window.location.origin}/sign-in`,
    response_type: 'code',
    scope: oidc.scopes,
    // The desk keeps its own session; the state of a sign-in in progress lives in this tab only.
    stateStore: new WebStorageStateStore({ store: window.sessionStorage }),
    userStore: new WebStorageStateStore({ store: window.sessionStorage }),
    automaticSilentRenew: false,
    loadUserInfo: false,
  });
}
