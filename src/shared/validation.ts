import type { FieldIssue } from './errors.js';

/** The parts of a zod issue we read; fastify-type-provider-zod passes the same fields in `params`. */
export interface ZodishIssue {
  code: string;
  path: (string | number | symbol)[];
  message?: string | undefined;
  keys?: string[];
  format?: string;
  params?: { code?: string };
}

/** zod issues → field issues with a dotted path and a stable reason code the client translates. */
export function toFieldIssues(issues: ZodishIssue[]): FieldIssue[] {
  const out: FieldIssue[] = [];
  for (const i of issues) {
    const base = i.path.map(String).join('.');
    if (i.code === 'unrecognized_keys') {
      for (const key of i.keys ?? [])
        out.push({
          path: base ? `${base}.${key}` : key,
          code: 'unknown_field',
          message: `Unknown field ${key}`,
        });
      continue;
    }
    let code = i.code;
    if (i.code === 'custom') code = i.params?.code ?? 'invalid';
    if (i.code === 'invalid_format') code = i.format === 'email' ? 'email' : 'format';
    if (i.code === 'invalid_type' && /received undefined/.test(i.message ?? '')) code = 'required';
    out.push({ path: base, code, message: i.message ?? code });
  }
  return out;
}
