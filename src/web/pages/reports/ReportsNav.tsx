/** The report area's own navigation (documents, live outcomes, goals, comparison), filtered by role. */
import { NavLink } from 'react-router';
import { useTranslation } from 'react-i18next';
import { can, useAssociation } from '../../association';

export function ReportsNav() {
  const { t } = useTranslation();
  const scope = useAssociation();
  const base = `/a/${scope.slug}`;
  const links = [
    { to: `${base}/dashboard`, label: t('reports.nav.dashboard'), end: true },
    { to: `${base}/reports`, label: t('reports.nav.documents'), end: true },
    { to: `${base}/reports/outcomes`, label: t('reports.nav.outcomes'), end: true },
  ];
  if (can(scope, 'reports.manage'))
    links.push({ to: `${base}/reports/goals`, label: t('reports.nav.goals'), end: true });
  if (can(scope, 'reports.compare'))
    links.push({ to: `${base}/reports/compare`, label: t('reports.nav.compare'), end: true });
  return (
    <nav className="sub-nav" aria-label={t('reports.nav.label')}>
      <ul>
        {links.map((l) => (
          <li key={l.to}>
            <NavLink to={l.to} end={l.end}>
              {l.label}
            </NavLink>
          </li>
        ))}
      </ul>
    </nav>
  );
}
