/**
 * The Swedish and English catalogues must hold the same keys, with no empty texts, and every key
 * the web code names literally must exist. Plain file reads: no database, no browser.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import svCore from './sv.json';
import enCore from './en.json';
import svRegister from './register.sv.json';
import enRegister from './register.en.json';
import svReports from './reports.sv.json';
import enReports from './reports.en.json';
import { IMPORT_ROW_MESSAGES } from '../../shared/import-errors.js';

// The same merge as i18n/index.ts (not imported: that module needs a browser for localStorage).
const parts = [svCore, svRegister, svReports];
const sv = Object.assign({}, ...parts);
const en = Object.assign({}, enCore, enRegister, enReports);

type Tree = { [key: string]: string | Tree };

function flatten(tree: Tree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(tree)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'string') out.set(key, v);
    else for (const [kk, vv] of flatten(v, key)) out.set(kk, vv);
  }
  return out;
}

const webRoot = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) return sourceFiles(p);
    return /\.tsx?$/.test(name) && !name.endsWith('.test.ts') ? [p] : [];
  });
}

const svKeys = flatten(sv as Tree);
const enKeys = flatten(en as Tree);

describe('i18n catalogues', () => {
  it('give each area file its own top-level keys', () => {
    const tops = parts.flatMap((p) => Object.keys(p));
    expect(tops.length).toBe(new Set(tops).size);
  });

  it('have the same keys in Swedish and English', () => {
    const onlySv = [...svKeys.keys()].filter((k) => !enKeys.has(k));
    const onlyEn = [...enKeys.keys()].filter((k) => !svKeys.has(k));
    expect({ onlySv, onlyEn }).toEqual({ onlySv: [], onlyEn: [] });
  });

  it('have no empty texts', () => {
    const empty = [...svKeys, ...enKeys].filter(([, v]) => v.trim() === '').map(([k]) => k);
    expect(empty).toEqual([]);
  });

  it('use the same interpolation variables in both languages', () => {
    const vars = (s: string) => [...s.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]).sort();
    const differing = [...svKeys.keys()].filter(
      (k) => enKeys.has(k) && vars(svKeys.get(k)!).join() !== vars(enKeys.get(k)!).join(),
    );
    expect(differing).toEqual([]);
  });

  it('contain every key the web code names literally', () => {
    const missing: string[] = [];
    for (const file of sourceFiles(webRoot)) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/\bt\(\s*\[?\s*'([a-zA-Z0-9_.]+)'/g)) {
        const key = m[1]!;
        const exists = svKeys.has(key) || svKeys.has(`${key}_one`) || svKeys.has(`${key}_other`);
        if (!exists) missing.push(`${path.relative(webRoot, file)}: ${key}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it("translate every import row error, the Swedish text being the server's own", () => {
    const prefix = 'register.import.rowErrors.';
    const inCatalogue = (m: Map<string, string>) =>
      Object.fromEntries(
        [...m].filter(([k]) => k.startsWith(prefix)).map(([k, v]) => [k.slice(prefix.length), v]),
      );
    expect(inCatalogue(svKeys)).toEqual(IMPORT_ROW_MESSAGES);
    expect(Object.keys(inCatalogue(enKeys)).sort()).toEqual(Object.keys(IMPORT_ROW_MESSAGES).sort());
  });
});
