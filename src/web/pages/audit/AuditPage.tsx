import { useInfiniteQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import { api } from '../../api';
import { useAssociation } from '../../association';
import { formatDateTime } from '../../format';
import { keys } from '../../queries';
import type { AuditEntry } from '../../types';
import { LoadError, Loading } from '../../components/Status';
import { TableScroll } from '../../components/TableScroll';
import { useTitle } from '../../components/useTitle';

export const AUDIT_PAGE_SIZE = 25;

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** What the entry is about, in words: the member's name, the year, the user's e-mail… */
function describeEntity(t: TFunction, e: AuditEntry): string {
  const kind = t([`audit.entities.${e.entityType}`, 'audit.entities.other'], { type: e.entityType });
  const d = e.details ?? {};
  const after = (d.after ?? {}) as Record<string, unknown>;
  const before = (d.before ?? {}) as Record<string, unknown>;
  // Details never hold personal identifiers (see the server's audit module), so names shown here are safe.
  const what =
    e.entityType === 'contribution_year'
      ? (e.entityId ?? undefined)
      : (str(after.name) ?? str(before.name) ?? str(d.name) ?? str(d.email));
  return what ? `${kind}: ${what}` : kind;
}

export function AuditPage() {
  const { t } = useTranslation();
  const scope = useAssociation();
  useTitle(t('audit.title'), scope.name);
  const q = useInfiniteQuery({
    queryKey: keys.audit(scope.slug),
    queryFn: ({ pageParam }) => api.audit(scope.slug, pageParam, AUDIT_PAGE_SIZE),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
  });
  const entries = q.data?.pages.flatMap((p) => p.entries) ?? [];

  return (
    <>
      <h1>{t('audit.title')}</h1>
      <p className="lead">{t('audit.intro')}</p>
      {q.isPending ? <Loading /> : null}
      {q.isError && !q.data ? <LoadError error={q.error} retry={() => void q.refetch()} /> : null}
      {q.data ? (
        entries.length === 0 ? (
          <p>{t('audit.empty')}</p>
        ) : (
          <>
            <p className="table-title" id="audit-caption">
              {t('audit.caption')}
            </p>
            <TableScroll labelledBy="audit-caption">
              <table className="table" aria-labelledby="audit-caption">
                <thead>
                  <tr>
                    <th scope="col">{t('audit.col.at')}</th>
                    <th scope="col">{t('audit.col.actor')}</th>
                    <th scope="col">{t('audit.col.action')}</th>
                    <th scope="col">{t('audit.col.entity')}</th>
                  </tr>
                </thead>
                <tbody>
                  {entries.map((e) => (
                    <tr key={e.id}>
                      <td className="nowrap">
                        <time dateTime={e.at}>{formatDateTime(e.at)}</time>
                      </td>
                      <td>{e.actor ? e.actor.name : t('audit.system')}</td>
                      <td>{t(`audit.actions.${e.action}`, { defaultValue: e.action })}</td>
                      <td>{describeEntity(t, e)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableScroll>
            <p className="muted" role="status">
              {t('audit.showing', { count: entries.length })}
            </p>
            {q.isFetchNextPageError ? <LoadError error={q.error} /> : null}
            {q.hasNextPage ? (
              <button
                type="button"
                className="button button--secondary"
                onClick={() => void q.fetchNextPage()}
                disabled={q.isFetchingNextPage}
              >
                {q.isFetchingNextPage ? t('common.loading') : t('audit.loadMore')}
              </button>
            ) : null}
          </>
        )
      ) : null}
    </>
  );
}
