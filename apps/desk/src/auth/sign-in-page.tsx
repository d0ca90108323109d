import { useQuery } from '@tanstack/react-query';
import { FormEvent, useState } from 'react';
import { useLocation, useNavigate } from 'react-router';
import { LanguagePicker } from '../ui/language-picker';
import { useT } from '../i18n/locale';
import { ErrorMessage, Loading } from '../ui/status';
import { fetchDeskConfig, mintDevToken, PERSON_ROLES, PersonRole } from './desk-config';
import { sessionFromToken, useSession } from './session';

/**
 * Outside production: a name and a role, and the service mints a development token. In
 * production: the company's identity provider, through OpenID Connect.
 */
export function SignInPage() {
  const t = useT();
  const config = useQuery({ queryKey: ['desk-config'], queryFn: fetchDeskConfig, staleTime: Infinity });
  const { signIn } = useSession();
  const navigate = useNavigate();
  const from = (useLocation().state as { from?: string } | null)?.from ?? '/';
  const [name, setName] = useState('');
  const [role, setRole] = useState<PersonRole>('agent');
  const [failure, setFailure] = useState<string | null>(null);

  const devSignIn = async (event: FormEvent) => {
    event.preventDefault();
    setFailure(null);
    try {
      const { token } = await mintDevToken(name.trim(), role);
      signIn(sessionFromToken(token, 'dev', { roles: [role], name: name.trim() }));
      navigate(from, { replace: true });
    } catch (error) {
      setFailure(error instanceof Error ? error.message : String(error));
    }
  };

  const oidcSignIn = async () => {
    setFailure(null);
    try {
      sessionStorage.setItem('refund-desk.return-to', from);
      // The OpenID Connect client is fetched only when someone signs in with it.
      const { userManager } = await import('./oidc');
      await userManager(config.data!.oidc!).signinRedirect();
    } catch (error) {
      setFailure(error instanceof Error ? error.message : String(error));
    }
  };

  return (
    <main id="main" className="sign-in">
      <h1>{t('signIn.title')}</h1>
      <LanguagePicker />
      {config.isPending && <Loading />}
      {config.isError && <ErrorMessage error={config.error} retry={() => void config.refetch()} />}
      {config.data?.oidc && (
        <p>
          <button type="button" className="primary" onClick={() => void oidcSignIn()}>
            {t('signIn.oidc')}
          </button>
        </p>
      )}
      {config.data?.devSignIn && (
        <form onSubmit={(event) => void devSignIn(event)}>
          <p>{t('signIn.devIntro')}</p>
          <label>
            {t('signIn.name')}
            <input name="name" required autoComplete="username" value={name} onChange={(event) => setName(event.target.value)} />
          </label>
          <label>
            {t('signIn.role')}
            <select name="role" value={role} onChange={(event) => setRole(event.target.value as PersonRole)}>
              {PERSON_ROLES.map((code) => (
                <option key={code} value={code}>
                  {t(`role.${code}`)}
                </option>
              ))}
            </select>
          </label>
          <button type="submit" className="primary">
            {t('signIn.submit')}
          </button>
        </form>
      )}
      {config.data && !config.data.devSignIn && !config.data.oidc && <p>{t('signIn.unavailable')}</p>}
      {failure && (
        <p role="alert" className="error">
          {t('signIn.failed', { message: failure })}
        </p>
      )}
    </main>
  );
}
