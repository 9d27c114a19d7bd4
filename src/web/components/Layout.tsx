/**
 * The page frame: skip link, header (brand, association switcher, language, account), the
 * association's navigation filtered by role, and <main>. After each client-side navigation focus
 * moves to the new page's h1, so keyboard and screen-reader users start at the new content.
 */
import { Suspense, useEffect, useRef, useState, type FormEvent, type RefObject } from 'react';
import { Link, NavLink, Outlet, useLocation, useMatch, useNavigate } from 'react-router';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../api';
import { can } from '../association';
import { LANGUAGES, type Language } from '../i18n';
import { keys, useSessionQuery } from '../queries';
import type { Membership, Session } from '../types';
import { PASSWORD_PATH } from './Guards';

function LanguageSwitch() {
  const { t, i18n } = useTranslation();
  return (
    <div className="language-switch" role="group" aria-label={t('header.language')}>
      {LANGUAGES.map((lng: Language) => (
        <button
          key={lng}
          type="button"
          lang={lng}
          className="link-button"
          aria-pressed={i18n.language === lng}
          onClick={() => void i18n.changeLanguage(lng)}
        >
          {t(`languages.${lng}`)}
        </button>
      ))}
    </div>
  );
}

function AssociationSwitcher({ associations, current }: { associations: Membership[]; current: string }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [choice, setChoice] = useState(current);
  // Changing the select does nothing by itself (WCAG 3.2.2); the button opens the chosen association.
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (choice !== current) navigate(`/a/${choice}`);
  };
  return (
    <form className="association-switcher" onSubmit={submit}>
      <label htmlFor="association-switcher">{t('header.association')}</label>
      <select
        id="association-switcher"
        className="select"
        value={choice}
        onChange={(e) => setChoice(e.target.value)}
      >
        {associations.map((a) => (
          <option key={a.slug} value={a.slug}>
            {a.name}
          </option>
        ))}
      </select>
      <button type="submit" className="button button--small">
        {t('header.switch')}
      </button>
    </form>
  );
}

function AccountMenu({ session }: { session: Session }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [busy, setBusy] = useState(false);
  const logout = async () => {
    setBusy(true);
    try {
      await api.logout();
    } catch {
      // The session is gone or unusable either way; the login page is the right place.
    }
    queryClient.removeQueries({ predicate: (q) => q.queryKey[0] !== keys.session[0] });
    queryClient.setQueryData(keys.session, null);
    setBusy(false);
    navigate('/login');
  };
  return (
    <div className="account">
      <span className="account__name">{t('header.signedInAs', { name: session.user.name })}</span>
      {!session.user.mustChangePassword ? <Link to={PASSWORD_PATH}>{t('header.changePassword')}</Link> : null}
      <button
        type="button"
        className="button button--small button--secondary"
        onClick={logout}
        disabled={busy}
      >
        {t('header.logout')}
      </button>
    </div>
  );
}

function AssociationNav({ membership }: { membership: Membership }) {
  const { t } = useTranslation();
  const base = `/a/${membership.slug}`;
  const links: { to: string; label: string; end?: boolean }[] = [
    { to: base, label: t('nav.overview'), end: true },
  ];
  if (can(membership, 'reports.read')) {
    links.push({ to: `${base}/dashboard`, label: t('reports.nav.results') });
    links.push({ to: `${base}/reports`, label: t('reports.nav.reports') });
  }
  if (can(membership, 'interventions.read'))
    links.push({ to: `${base}/insatser`, label: t('register.nav.interventions') });
  if (can(membership, 'participants.read'))
    links.push({ to: `${base}/remisser`, label: t('register.nav.referrals') });
  if (can(membership, 'participants.write'))
    links.push({ to: `${base}/import`, label: t('register.nav.import') });
  if (can(membership, 'association.manage'))
    links.push({ to: `${base}/admin/association`, label: t('nav.association') });
  if (can(membership, 'members.manage')) links.push({ to: `${base}/admin/members`, label: t('nav.members') });
  if (can(membership, 'contributions.manage'))
    links.push({ to: `${base}/admin/contributions`, label: t('nav.contributions') });
  if (can(membership, 'users.manage')) links.push({ to: `${base}/admin/users`, label: t('nav.users') });
  if (can(membership, 'audit.read')) links.push({ to: `${base}/audit`, label: t('nav.audit') });
  return (
    <nav className="site-nav" aria-label={t('nav.label')}>
      <ul>
        {links.map((l) => (
          <li key={l.to}>
            <NavLink to={l.to} end={l.end ?? false}>
              {l.label}
            </NavLink>
          </li>
        ))}
      </ul>
    </nav>
  );
}

/** While a page's code loads (route pages load on first visit, see lazyPage.ts). */
function PageLoading() {
  const { t } = useTranslation();
  return (
    <p role="status" className="page-loading">
      {t('common.loading')}
    </p>
  );
}

/**
 * After each client-side navigation, focus moves to the new page's h1. It sits inside the
 * Suspense boundary beside the page, so its effect runs when the page has rendered, also when
 * the page's code had to be loaded first.
 */
function FocusHeading({ main }: { main: RefObject<HTMLElement | null> }) {
  const { pathname } = useLocation();
  const firstRender = useRef(true);
  useEffect(() => {
    if (firstRender.current) {
      firstRender.current = false;
      return;
    }
    const h1 = main.current?.querySelector<HTMLElement>('h1');
    if (h1) {
      h1.tabIndex = -1;
      h1.focus();
    }
  }, [pathname, main]);
  return null;
}

export function Layout() {
  const { t } = useTranslation();
  const { data: session } = useSessionQuery();
  const match = useMatch('/a/:slug/*');
  const slug = match?.params.slug;
  const membership = session?.associations.find((a) => a.slug === slug);
  const showNav = membership && session && !session.user.mustChangePassword;
  const mainRef = useRef<HTMLElement>(null);

  return (
    <>
      <a
        className="skip-link"
        href="#main"
        onClick={(e) => {
          e.preventDefault();
          mainRef.current?.focus();
          mainRef.current?.scrollIntoView();
        }}
      >
        {t('app.skipLink')}
      </a>
      <header className="site-header">
        <div className="site-header__inner">
          <Link to="/" className="brand">
            {t('app.name')}
            {membership ? <span className="brand__association">{membership.name}</span> : null}
          </Link>
          <div className="site-header__tools">
            {session && session.associations.length > 1 && slug && !session.user.mustChangePassword ? (
              <AssociationSwitcher key={slug} associations={session.associations} current={slug} />
            ) : null}
            <LanguageSwitch />
            {session ? <AccountMenu session={session} /> : null}
          </div>
        </div>
        {showNav ? (
          <div className="site-nav__wrap">
            <AssociationNav membership={membership} />
          </div>
        ) : null}
      </header>
      <main id="main" ref={mainRef} tabIndex={-1} className="site-main">
        <Suspense fallback={<PageLoading />}>
          <FocusHeading main={mainRef} />
          <Outlet />
        </Suspense>
      </main>
      <footer className="site-footer">
        <p>{t('app.footer')}</p>
      </footer>
    </>
  );
}
