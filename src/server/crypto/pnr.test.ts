import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createPnrCipher, loadMasterKey } from './pnr.js';
import { personnummerCheckDigit } from '../../shared/personnummer.js';

const cipher = createPnrCipher(Buffer.alloc(32, 7));
const otherKey = createPnrCipher(Buffer.alloc(32, 8));

/** A valid synthetic number: real date 1930–2010, serial 980–999 (kept for test numbers). */
const number = fc
  .tuple(fc.integer({ min: 0, max: 29_000 }), fc.integer({ min: 980, max: 999 }), fc.boolean())
  .map(([days, serial, coordination]) => {
    const d = new Date(Date.UTC(1930, 0, 1) + days * 86_400_000);
    const day = d.getUTCDate() + (coordination ? 60 : 0);
    const first11 = `${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}${String(day).padStart(2, '0')}${serial}`;
    return first11 + personnummerCheckDigit(first11);
  });

describe('AES-256-GCM encryption of personnummer', () => {
  it('round-trips every number, with a fresh IV each time, and the ciphertext never contains the digits', () => {
    fc.assert(
      fc.property(number, (digits) => {
        const a = cipher.encrypt(digits);
        const b = cipher.encrypt(digits);
        expect(a).toMatch(/^v1\.[A-Za-z0-9+/]+=*$/);
        expect(a).not.toBe(b);
        expect(cipher.decrypt(a)).toBe(digits);
        expect(cipher.decrypt(b)).toBe(digits);
        for (const text of [a, Buffer.from(a.slice(3), 'base64').toString('latin1')]) {
          expect(text).not.toContain(digits);
          expect(text).not.toContain(digits.slice(2));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('never reuses an IV, also across refills of the pooled random bytes', () => {
    // 3,000 encryptions span three refills of the 1,024-IV pool.
    const fresh = createPnrCipher(Buffer.alloc(32, 9));
    const ivs = new Set<string>();
    for (let i = 0; i < 3000; i++) {
      const raw = Buffer.from(fresh.encrypt('199001012384').slice(3), 'base64');
      ivs.add(raw.subarray(0, 12).toString('hex'));
    }
    expect(ivs.size).toBe(3000);
  });

  it('refuses a tampered ciphertext and a ciphertext made under another key', () => {
    const digits = fc.sample(number, 1)[0]!;
    const stored = cipher.encrypt(digits);
    const raw = Buffer.from(stored.slice(3), 'base64');
    raw[raw.length - 1] = raw[raw.length - 1]! ^ 1;
    expect(() => cipher.decrypt(`v1.${raw.toString('base64')}`)).toThrow();
    expect(() => otherKey.decrypt(stored)).toThrow();
  });

  it('refuses a master key that is not 32 bytes', () => {
    expect(() => createPnrCipher(Buffer.alloc(16))).toThrow(/32 bytes/);
    expect(() => createPnrCipher(Buffer.alloc(33))).toThrow(/32 bytes/);
  });
});

describe('HMAC lookup hash', () => {
  const alfa = randomUUID();
  const beta = randomUUID();

  it('is stable per association, differs across associations, numbers and keys, and hides the digits', () => {
    fc.assert(
      fc.property(number, number, (digits, other) => {
        const h = cipher.lookupHash(alfa, digits);
        expect(h).toMatch(/^[A-Za-z0-9_-]{43}$/);
        expect(cipher.lookupHash(alfa, digits)).toBe(h);
        expect(createPnrCipher(Buffer.alloc(32, 7)).lookupHash(alfa, digits)).toBe(h);
        expect(cipher.lookupHash(beta, digits)).not.toBe(h);
        expect(otherKey.lookupHash(alfa, digits)).not.toBe(h);
        if (other !== digits) expect(cipher.lookupHash(alfa, other)).not.toBe(h);
        expect(h).not.toContain(digits.slice(2));
      }),
      { numRuns: 300 },
    );
  });
});

describe('master key', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'samverka-key-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('generates a 32-byte key file with mode 0600 in DATA_DIR once, and reuses it', () => {
    const first = loadMasterKey(undefined, dir);
    const file = path.join(dir, 'secret.key');
    expect(first).toHaveLength(32);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(loadMasterKey(undefined, dir).equals(first)).toBe(true);
    expect(Buffer.from(readFileSync(file, 'utf8').trim(), 'base64').equals(first)).toBe(true);
  });

  it('prefers SECRET_KEY over the key file', () => {
    const secret = Buffer.alloc(32, 3);
    expect(loadMasterKey(secret.toString('base64'), dir).equals(secret)).toBe(true);
  });
});
