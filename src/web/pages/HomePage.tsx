import { Link, Navigate } from 'react-router';
import { useTranslation } from 'react-i18next';
import { useSession } from '../queries';
import { useTitle } from '../components/useTitle';

/** Straight to the only association; a chooser when there are several. */
export function HomePage() {
  const { t } = useTranslation();
  const session = useSession();
  const list = session.associations;
  useTitle(list.length === 0 ? t('home.noneTitle') : t('home.title'));
  if (list.length === 1) return <Navigate to={`/a/${list[0]!.slug}`} replace />;
  if (list.length === 0)
    return (
      <>
        <h1>{t('home.noneTitle')}</h1>
        <p>{t('home.none')}</p>
      </>
    );
  return (
    <>
      <h1>{t('home.title')}</h1>
      <p>{t('home.intro')}</p>
      <ul className="choice-list">
        {list.map((a) => (
          <li key={a.slug}>
            <Link to={`/a/${a.slug}`}>{a.name}</Link>
            <span className="muted"> – {t(`roles.${a.role}`)}</span>
          </li>
        ))}
      </ul>
    </>
  );
}
