import { lazy, ReactNode, Suspense } from 'react';
import { Navigate, NavLink, Route, Routes, useLocation } from 'react-router';
import { hasAnyRole, Role, Session, useSession } from './auth/session';
import { SignInPage } from './auth/sign-in-page';
import { CallbackPage } from './auth/callback-page';
import { useT } from './i18n/locale';
import type { MessageId } from './i18n/messages/en';
import { LanguagePicker } from './ui/language-picker';
import { Loading } from './ui/status';

// Each view is its own chunk: the first load carries the shell and the view asked for, not the charts.
const QueuePage = lazy(() => import('./views/queue-page'));
const CasePage = lazy(() => import('./views/case-page'));
const NewRequestPage = lazy(() => import('./views/new-request-page'));
const FollowUpsPage = lazy(() => import('./views/follow-ups-page'));
const TrendsPage = lazy(() => import('./views/trends-page'));
const PolicyPage = lazy(() => import('./views/policy-page'));
const AuditPage = lazy(() => import('./views/audit-page'));

/** Which roles see each view (the API refuses the rest anyway; the desk does not offer them). */
export const VIEWS: readonly { path: string; label: MessageId; roles: readonly Role[] }[] = [
  { path: '/queue', label: 'nav.queue', roles: ['manager', 'senior_manager'] },
  { path: '/new', label: 'nav.new', roles: ['agent'] },
  { path: '/follow-ups', label: 'nav.followUps', roles: ['agent', 'manager'] },
  { path: '/trends', label: 'nav.trends', roles: ['manager', 'senior_manager', 'auditor', 'admin'] },
  { path: '/policy', label: 'nav.policy', roles: ['agent', 'manager', 'senior_manager', 'auditor', 'service', 'admin'] },
  { path: '/audit', label: 'nav.audit', roles: ['auditor', 'admin'] },
];

const homeOf = (session: Session): string => VIEWS.find((view) => hasAnyRole(session, view.roles))?.path ?? '/policy';

export function App() {
  const { session } = useSession();
  return (
    <Routes>
      <Route path="/sign-in" element={<SignInPage />} />
      <Route path="/auth/callback" element={<CallbackPage />} />
      <Route path="*" element={session ? <Shell session={session} /> : <ToSignIn />} />
    </Routes>
  );
}

function ToSignIn() {
  const location = useLocation();
  return <Navigate to="/sign-in" replace state={{ from: location.pathname + location.search }} />;
}

function Shell({ session }: { session: Session }) {
  const t = useT();
  const { signOut } = useSession();
  const page = (roles: readonly Role[], element: ReactNode) =>
    hasAnyRole(session, roles) ? element : <p role="alert">{t('common.forbidden')}</p>;
  const roles = (path: string) => VIEWS.find((view) => view.path === path)!.roles;
  return (
    <>
      <a className="skip" href="#main">
        {t('app.skip')}
      </a>
      <header className="top">
        <span className="brand">{t('app.title')}</span>
        <nav aria-label={t('nav.label')}>
          <ul>
            {VIEWS.filter((view) => hasAnyRole(session, view.roles)).map((view) => (
              <li key={view.path}>
                <NavLink to={view.path}>{t(view.label)}</NavLink>
              </li>
            ))}
          </ul>
        </nav>
        <div className="who">
          <LanguagePicker />
          <span>{t('nav.signedInAs', { name: session.name, roles: session.roles.map((role) => t(`role.${role}`)).join(', ') })}</span>
          <button type="button" onClick={signOut}>
            {t('nav.signOut')}
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <Suspense fallback={<Loading />}>
          <Routes>
            <Route path="/" element={<Navigate to={homeOf(session)} replace />} />
            <Route path="/queue" element={page(roles('/queue'), <QueuePage />)} />
            <Route path="/cases/:caseId" element={page(['agent', 'manager', 'senior_manager', 'auditor'], <CasePage />)} />
            <Route path="/new" element={page(roles('/new'), <NewRequestPage />)} />
            <Route path="/follow-ups" element={page(roles('/follow-ups'), <FollowUpsPage />)} />
            <Route path="/trends" element={page(roles('/trends'), <TrendsPage />)} />
            <Route path="/policy" element={<PolicyPage />} />
            <Route path="/audit" element={page(roles('/audit'), <AuditPage />)} />
            <Route path="/audit/:caseId" element={page(roles('/audit'), <AuditPage />)} />
            <Route path="*" element={<Navigate to={homeOf(session)} replace />} />
          </Routes>
        </Suspense>
      </main>
    </>
  );
}
