/**
 * Protection of personnummer at rest: AES-256-GCM for the value, HMAC-SHA256 for lookup and
 * de-duplication. Both keys are derived (HKDF) from one 32-byte master key: SECRET_KEY from the
 * environment, or a key file generated in DATA_DIR with mode 0600.
 */
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync, chmodSync } from 'node:fs';
import path from 'node:path';

export interface PnrCipher {
  encrypt(digits: string): string;
  decrypt(stored: string): string;
  /** Keyed hash scoped to one association, so the same person is not linkable across associations. */
  lookupHash(associationId: string, digits: string): string;
}

const IV_BYTES = 12;
const IV_POOL = 1024;

export function createPnrCipher(masterKey: Buffer): PnrCipher {
  if (masterKey.length !== 32) throw new Error('The secret key must be 32 bytes');
  const encKey = Buffer.from(
    hkdfSync('sha256', masterKey, Buffer.alloc(0), 'samverka pnr aes-256-gcm v1', 32),
  );
  const macKey = Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), 'samverka pnr hmac v1', 32));
  // Initialisation vectors are random, as GCM requires, drawn 12 bytes at a time from a pool that
  // is refilled in bulk: one randomBytes call per IV cost more than the encryption itself.
  let ivPool = Buffer.alloc(0);
  let ivNext = 0;
  const nextIv = () => {
    if (ivNext + IV_BYTES > ivPool.length) {
      ivPool = randomBytes(IV_BYTES * IV_POOL);
      ivNext = 0;
    }
    const iv = ivPool.subarray(ivNext, ivNext + IV_BYTES);
    ivNext += IV_BYTES;
    return iv;
  };
  return {
    encrypt(digits) {
      const iv = nextIv();
      const cipher = createCipheriv('aes-256-gcm', encKey, iv);
      const ct = Buffer.concat([cipher.update(digits, 'utf8'), cipher.final()]);
      return `v1.${Buffer.concat([iv, cipher.getAuthTag(), ct]).toString('base64')}`;
    },
    decrypt(stored) {
      const raw = Buffer.from(stored.replace(/^v1\./, ''), 'base64');
      const decipher = createDecipheriv('aes-256-gcm', encKey, raw.subarray(0, 12));
      decipher.setAuthTag(raw.subarray(12, 28));
      return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
    },
    lookupHash(associationId, digits) {
      return createHmac('sha256', macKey).update(`${associationId}:${digits}`).digest('base64url');
    },
  };
}

/** SECRET_KEY (base64 of 32 bytes) wins; otherwise DATA_DIR/secret.key, created on first use with mode 0600. */
export function loadMasterKey(secretKey: string | undefined, dataDir: string): Buffer {
  if (secretKey) return Buffer.from(secretKey, 'base64');
  const file = path.resolve(dataDir, 'secret.key');
  if (!existsSync(file)) {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o600, flag: 'wx' });
  }
  chmodSync(file, 0o600);
  return Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
}
