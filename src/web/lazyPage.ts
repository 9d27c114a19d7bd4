/**
 * A route page loaded on first visit, so the first screen does not wait for every page's code:
 * `lazyPage(() => import('./EntryPage'), 'EntryPage')`. The layout shows a loading status while
 * it arrives (components/Layout.tsx).
 */
import { lazy, type ComponentType } from 'react';

export function lazyPage<K extends string>(load: () => Promise<Record<K, ComponentType>>, name: K) {
  return lazy(() => load().then((m) => ({ default: m[name] })));
}
