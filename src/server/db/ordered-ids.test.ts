import { describe, expect, it } from 'vitest';
import { orderedIds } from './ordered-ids.js';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('orderedIds', () => {
  it('makes distinct version-7 UUIDs that sort in the order they were made, across pool refills', () => {
    const next = orderedIds();
    const ids = Array.from({ length: 10_000 }, () => next());
    for (const id of ids) expect(id).toMatch(UUID_V7);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
  });

  it('starts each generator at its creation time, so a later batch sorts after an earlier one', async () => {
    const first = orderedIds()();
    await new Promise((r) => setTimeout(r, 5));
    const later = orderedIds()();
    expect(later > first).toBe(true);
    // The first 48 bits are the creation time in milliseconds.
    const ms = parseInt(later.replace(/-/g, '').slice(0, 12), 16);
    expect(Math.abs(ms - Date.now())).toBeLessThan(60_000);
  });
});
