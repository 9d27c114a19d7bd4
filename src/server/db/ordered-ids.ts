/**
 * Time-ordered ids (UUID version 7, RFC 9562) for bulk inserts. Random version-4 ids scatter a
 * large import over every page of each index keyed by them (the primary keys, the person index,
 * the income lines' key), and on the embedded database, whose buffer pool is small, that meant
 * writing and re-reading the same pages over and over: 1.8 GB of page writes for a 100,000-row
 * import (docs/performance.md). Ids from one generator sort in the order they were made, so every
 * such index grows at its right edge.
 *
 * The `uuid` library lays out the bits; the generator supplies the time (fixed at creation), a
 * counter that starts at a random 30-bit value (strictly increasing, so no two ids of one
 * generator are equal and their order is their creation order), and the random tail, drawn from
 * a pool filled in bulk (one call to the random source per id cost several microseconds).
 */
import { randomBytes } from 'node:crypto';
import { v7 } from 'uuid';

const POOL_IDS = 4096;

export function orderedIds(): () => string {
  const msecs = Date.now();
  let seq = randomBytes(4).readUInt32BE() >>> 2;
  let pool = randomBytes(16 * POOL_IDS);
  let next = 0;
  return () => {
    if (next === POOL_IDS) {
      pool = randomBytes(16 * POOL_IDS);
      next = 0;
    }
    const random = pool.subarray(16 * next, 16 * ++next);
    return v7({ msecs, seq: seq++, random });
  };
}
