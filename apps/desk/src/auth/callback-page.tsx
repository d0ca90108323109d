import { useEffect, useRef, useState } from 'react';
import { useNavigate } from 'react-router';
import { useT } from '../i18n/locale';
import { fetchDeskConfig } from './desk-config';
import { sessionFromToken, useSession } from './session';

/** The identity provider sends the browser back here with a code; oidc-client-ts trades it (with the PKCE verifier) for tokens. */
export function CallbackPage() {
  const t = useT();
  const { signIn } = useSession();
  const navigate = useNavigate();
  const [failure, setFailure] = useState<string | null>(null);
  const started = useRef(false);
  useEffect(() => {
    // A code is good once: StrictMode's second effect run must not spend it again.
    if (started.current) return;
    started.current = true;
    void (async () => {
      try {
        const config = await fetchDeskConfig();
        if (!config.oidc) throw new Error('OpenID Connect is not configured');
        const { userManager } = await import('./oidc');
        const user = await userManager(config.oidc).signinRedirectCallback();
        const profile = user.profile as { roles?: unknown; name?: unknown; preferred_username?: unknown };
        signIn(
          sessionFromToken(user.access_token, 'oidc', {
            roles: Array.isArray(profile.roles) ? (profile.roles as string[]) : [],
            name: typeof profile.name === 'string' ? profile.name : undefined,
          }),
        );
        const returnTo = sessionStorage.getItem('refund-desk.return-to') ?? '/';
        sessionStorage.removeItem('refund-desk.return-to');
        navigate(returnTo, { replace: true });
      } catch (error) {
        setFailure(error instanceof Error ? error.message : String(error));
      }
    })();
  }, [navigate, signIn]);
  return (
    <main id="main">
      {failure ? (
        <p role="alert" className="error">
          {t('signIn.failed', { message: failure })}
        </p>
      ) : (
        <p role="status">{t('signIn.completing')}</p>
      )}
    </main>
  );
}
