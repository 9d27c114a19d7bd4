/** Route guards: signed in, password changed, member of the association, role allows the page. */
import type { ReactNode } from 'react';
import { Navigate, Outlet, useLocation, useParams } from 'react-router';
import type { Permission } from '../../shared/roles';
import { AssociationContext, can, useAssociation } from '../association';
import { useSessionQuery } from '../queries';
import { ForbiddenPage, NotFoundPage } from '../pages/NotFoundPage';
import { LoadError, Loading } from './Status';

export const PASSWORD_PATH = '/account/password';

export function RequireSession() {
  const q = useSessionQuery();
  const location = useLocation();
  if (q.isPending) return <Loading />;
  if (q.isError) return <LoadError error={q.error} retry={() => void q.refetch()} />;
  if (!q.data) {
    const next = location.pathname + location.search;
    return <Navigate to={next === '/' ? '/login' : `/login?next=${encodeURIComponent(next)}`} replace />;
  }
  // An account with a one-time password may do nothing else until it is changed.
  if (q.data.user.mustChangePassword && location.pathname !== PASSWORD_PATH)
    return <Navigate to={PASSWORD_PATH} replace />;
  return <Outlet />;
}

export function AssociationRoute() {
  const { slug } = useParams();
  const q = useSessionQuery();
  const membership = q.data?.associations.find((a) => a.slug === slug);
  if (!membership) return <NotFoundPage />;
  return (
    <AssociationContext.Provider
      value={{ slug: membership.slug, name: membership.name, role: membership.role }}
    >
      <Outlet />
    </AssociationContext.Provider>
  );
}

export function RequirePermission({ permission, children }: { permission: Permission; children: ReactNode }) {
  const scope = useAssociation();
  if (!can(scope, permission)) return <ForbiddenPage />;
  return <>{children}</>;
}
