/**
 * Bad input at the HTTP boundary: every case is a 4xx with a stable error code and the field named,
 * never a 500, and a refused request changes nothing in the database.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import {
  createAssociationFixture,
  createTestApp,
  createUserFixture,
  login,
  TEST_PASSWORD,
  type ApiClient,
  type AssociationFixture,
  type TestApp,
} from '../../tests/helpers.js';
import { expectError, expectNoChange } from '../../tests/support.js';
import { ErrorCode } from '../shared/errors.js';

const BODY_LIMIT = 2048;

let t: TestApp;
let alfa: AssociationFixture;
let sys: ApiClient;
let admin: ApiClient;
let boardUserId: string;
let adminUserId: string;

beforeAll(async () => {
  t = await createTestApp({ BODY_LIMIT_BYTES: String(BODY_LIMIT) });
  alfa = await createAssociationFixture(t, 'alfa', 2);
  await createAssociationFixture(t, 'beta', 1);
  adminUserId = await createUserFixture(t, 'admin@alfa.example', 'association_admin', alfa.id);
  boardUserId = await createUserFixture(t, 'board@alfa.example', 'board', alfa.id);
  await createUserFixture(t, 'sys@example.com', 'system_admin');
  sys = await login(t, 'sys@example.com');
  admin = await login(t, 'admin@alfa.example');
});
afterAll(() => t.close());

const json = (
  client: ApiClient,
  method: 'POST' | 'PUT',
  url: string,
  raw: string,
  contentType = 'application/json',
) => client.request({ method, url, payload: raw, headers: { 'content-type': contentType } });

describe('malformed JSON', () => {
  it('is 400 MALFORMED_JSON on every kind of endpoint, and changes nothing', async () => {
    const bodies = [
      '{',
      '{"name":',
      '{"name":"Alfa",}',
      "{'name':'Alfa'}",
      '[1,2',
      'nul',
      '{"name":"Alfa"}}',
      '',
    ];
    await expectNoChange(t, async () => {
      for (const raw of bodies) {
        expectError(await json(admin, 'PUT', '/api/associations/alfa', raw), 400, 'MALFORMED_JSON');
        expectError(await json(admin, 'POST', '/api/associations/alfa/members', raw), 400, 'MALFORMED_JSON');
        expectError(
          await json(admin, 'PUT', '/api/associations/alfa/contributions/2026', raw),
          400,
          'MALFORMED_JSON',
        );
        expectError(await json(admin, 'POST', '/api/auth/password', raw), 400, 'MALFORMED_JSON');
        const anon = await t.app.inject({
          method: 'POST',
          url: '/api/auth/login',
          payload: raw,
          headers: { 'content-type': 'application/json' },
        });
        expectError(anon, 400, 'MALFORMED_JSON');
      }
    });
  });

  it('refuses prototype-poisoning keys as malformed', async () => {
    await expectNoChange(t, async () => {
      const raw = '{"name":"Alfa","orgNumber":null,"__proto__":{"isSystemAdmin":true}}';
      expectError(await json(admin, 'PUT', '/api/associations/alfa', raw), 400, 'MALFORMED_JSON');
    });
  });

  it('refuses bodies that are not JSON: 415 for unknown media types', async () => {
    await expectNoChange(t, async () => {
      for (const type of [
        'application/x-www-form-urlencoded',
        'application/xml',
        'multipart/form-data; boundary=x',
      ]) {
        expectError(
          await json(admin, 'PUT', '/api/associations/alfa', 'name=Alfa', type),
          415,
          'UNSUPPORTED_MEDIA_TYPE',
        );
      }
      // text/plain is parsed as a string, which is not the object the endpoint wants.
      const text = await json(
        admin,
        'PUT',
        '/api/associations/alfa',
        '{"name":"Alfa","orgNumber":null}',
        'text/plain',
      );
      expectError(text, 400, 'VALIDATION');
    });
  });
});

describe('field errors', () => {
  it('an unknown field is named, at the top level and nested', async () => {
    await expectNoChange(t, async () => {
      const res = await admin.put('/api/associations/alfa', {
        name: 'Alfa',
        orgNumber: null,
        isSystemAdmin: true,
      });
      expectError(res, 400, 'VALIDATION', [{ path: 'isSystemAdmin', code: 'unknown_field' }]);
      expect(res.json().error.issues).toHaveLength(1);
      const nested = await admin.put('/api/associations/alfa/contributions/2026', {
        totalAmount: 100,
        regions: [{ memberId: alfa.members.region, percent: 100 }],
        municipalities: [
          { memberId: alfa.members.municipalities[0], percent: 50, colour: 'red' },
          { memberId: alfa.members.municipalities[1], percent: 50 },
        ],
      });
      expectError(nested, 400, 'VALIDATION', [{ path: 'municipalities.0.colour', code: 'unknown_field' }]);
      expectError(
        await admin.post('/api/associations/alfa/members', {
          type: 'region',
          name: 'Region X',
          id: randomUUID(),
        }),
        400,
        'VALIDATION',
        [{ path: 'id', code: 'unknown_field' }],
      );
      expectError(
        await admin.post('/api/associations/alfa/users', {
          email: 'x@alfa.example',
          name: 'X',
          role: 'board',
          isSystemAdmin: true,
        }),
        400,
        'VALIDATION',
        [{ path: 'isSystemAdmin', code: 'unknown_field' }],
      );
    });
  });

  it('a wrong type is named with invalid_type', async () => {
    await expectNoChange(t, async () => {
      expectError(
        await admin.put('/api/associations/alfa', { name: 42, orgNumber: null }),
        400,
        'VALIDATION',
        [{ path: 'name', code: 'invalid_type' }],
      );
      const contribution = await admin.put('/api/associations/alfa/contributions/2026', {
        totalAmount: '1000',
        regions: [{ memberId: alfa.members.region, percent: '100' }],
        municipalities: { memberId: alfa.members.municipalities[0], percent: 100 },
      });
      expectError(contribution, 400, 'VALIDATION', [
        { path: 'totalAmount', code: 'invalid_type' },
        { path: 'regions.0.percent', code: 'invalid_type' },
        { path: 'municipalities', code: 'invalid_type' },
      ]);
      expectError(
        await admin.post('/api/associations/alfa/members', { type: ['region'], name: 'Region X' }),
        400,
        'VALIDATION',
        [{ path: 'type' }],
      );
      expectError(await admin.put('/api/associations/alfa', { orgNumber: null }), 400, 'VALIDATION', [
        { path: 'name', code: 'required' },
      ]);
    });
  });

  it('an organisation number failing Luhn is named on PUT /api/associations/:slug', async () => {
    await expectNoChange(t, async () => {
      for (const orgNumber of ['202100-5522', '2021005520', '222000-1234']) {
        const res = await admin.put('/api/associations/alfa', {
          name: 'Samordningsförbundet alfa',
          orgNumber,
        });
        expectError(res, 400, 'VALIDATION', [{ path: 'orgNumber', code: 'luhn' }]);
      }
      for (const orgNumber of ['abc', '20210055', '202100-55211', '2021-005521x']) {
        const res = await admin.put('/api/associations/alfa', {
          name: 'Samordningsförbundet alfa',
          orgNumber,
        });
        expectError(res, 400, 'VALIDATION', [{ path: 'orgNumber', code: 'format' }]);
      }
    });
    // The same request with a valid number goes through, stored without the hyphen.
    const ok = await admin.put('/api/associations/alfa', {
      name: 'Samordningsförbundet alfa',
      orgNumber: ' 202100-5521 ',
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ orgNumber: '2021005521' });
  });

  it('text with a NUL character is a field error, not a database failure', async () => {
    const nul = 'Al\u0000fa';
    await expectNoChange(t, async () => {
      expectError(
        await admin.put('/api/associations/alfa', { name: nul, orgNumber: null }),
        400,
        'VALIDATION',
        [{ path: 'name', code: 'invalid_character' }],
      );
      expectError(
        await admin.post('/api/associations/alfa/members', { type: 'region', name: nul }),
        400,
        'VALIDATION',
        [{ path: 'name', code: 'invalid_character' }],
      );
      expectError(
        await admin.put(`/api/associations/alfa/members/${alfa.members.region}`, {
          type: 'region',
          name: nul,
        }),
        400,
        'VALIDATION',
        [{ path: 'name', code: 'invalid_character' }],
      );
      expectError(
        await admin.post('/api/associations/alfa/users', {
          email: 'n@alfa.example',
          name: nul,
          role: 'board',
          password: 'Ett-Bra-Losenord-1',
        }),
        400,
        'VALIDATION',
        [{ path: 'name', code: 'invalid_character' }],
      );
      expectError(
        await admin.put(`/api/associations/alfa/users/${boardUserId}`, { name: nul, role: 'board' }),
        400,
        'VALIDATION',
        [{ path: 'name', code: 'invalid_character' }],
      );
      expectError(await sys.post('/api/associations', { slug: 'nul', name: nul }), 400, 'VALIDATION', [
        { path: 'name', code: 'invalid_character' },
      ]);
      const anon = await t.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { email: 'a\u0000@alfa.example', password: 'x' },
      });
      expectError(anon, 400, 'VALIDATION', [{ path: 'email', code: 'invalid_character' }]);
      // A text field without the schema check still gets a 400 rather than a database error.
      const insats = await admin.post('/api/associations/alfa/interventions', {
        name: 'Insats',
        direction: 'individual',
        followUp: 'count',
        description: nul,
      });
      expectError(insats, 400, 'VALIDATION');
      // In the path a NUL names nothing that exists.
      expectError(await admin.get('/api/associations/al%00fa/members'), 404, 'NOT_FOUND');
      expectError(
        await admin.put('/api/associations/al%00fa', { name: 'Alfa', orgNumber: null }),
        404,
        'NOT_FOUND',
      );
    });
  });
});

describe('a body that is too large', () => {
  it('is 413 PAYLOAD_TOO_LARGE above BODY_LIMIT_BYTES, before any other check, and changes nothing', async () => {
    const big = (n: number) => JSON.stringify({ name: 'x'.repeat(n), orgNumber: null });
    expect(big(BODY_LIMIT).length).toBeGreaterThan(BODY_LIMIT);
    await expectNoChange(t, async () => {
      expectError(
        await json(admin, 'PUT', '/api/associations/alfa', big(BODY_LIMIT)),
        413,
        'PAYLOAD_TOO_LARGE',
      );
      expectError(
        await json(admin, 'POST', '/api/associations/alfa/members', big(BODY_LIMIT)),
        413,
        'PAYLOAD_TOO_LARGE',
      );
      // Even malformed, unauthenticated or aimed at another association: the size is checked first.
      expectError(
        await json(admin, 'PUT', '/api/associations/beta', `{${'x'.repeat(BODY_LIMIT)}`),
        413,
        'PAYLOAD_TOO_LARGE',
      );
      const anon = await t.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: JSON.stringify({ email: 'a@alfa.example', password: 'p'.repeat(BODY_LIMIT) }),
        headers: { 'content-type': 'application/json' },
      });
      expectError(anon, 413, 'PAYLOAD_TOO_LARGE');
      // Just under the limit the body is read and validated as usual.
      const under = await json(admin, 'PUT', '/api/associations/alfa', big(BODY_LIMIT - 100));
      expectError(under, 400, 'VALIDATION', [{ path: 'name', code: 'too_big' }]);
    });
  });
});

/** Values that are wrong for every field of every endpoint below (null is left out: some fields take it). */
const BAD_VALUES: unknown[] = [
  true,
  false,
  0.5,
  -1,
  1e308,
  -1e308,
  Number.MAX_SAFE_INTEGER + 2,
  '',
  ' ',
  'x'.repeat(1000),
  'a\u0000b',
  [],
  [1, 'a', null],
  {},
  { $gt: '' },
];

interface Target {
  name: string;
  method: 'POST' | 'PUT' | 'DELETE';
  url: string;
  valid?: Record<string, unknown>;
  /** Fields the endpoint may go without: leaving them out is not an error. */
  optional?: string[];
  /** Sent without the session (login, logout). */
  anonymous?: boolean;
}

function targets(): Target[] {
  const m = alfa.members;
  return [
    { name: 'login', method: 'POST', url: '/api/auth/login', anonymous: true },
    { name: 'logout', method: 'POST', url: '/api/auth/logout', anonymous: true },
    {
      name: 'password',
      method: 'POST',
      url: '/api/auth/password',
      valid: { currentPassword: TEST_PASSWORD, newPassword: 'Ett-Nytt-Starkt-Losen-1' },
    },
    {
      name: 'create association',
      method: 'POST',
      url: '/api/associations',
      valid: { slug: 'fuzz', name: 'Fuzz', orgNumber: '2021005521' },
      optional: ['orgNumber'],
    },
    {
      name: 'update association',
      method: 'PUT',
      url: '/api/associations/alfa',
      valid: { name: 'Fuzz', orgNumber: '2021005521' },
    },
    {
      name: 'add member',
      method: 'POST',
      url: '/api/associations/alfa/members',
      valid: { type: 'municipality', name: 'Fuzz kommun', municipalityCode: '0999' },
    },
    {
      name: 'edit member',
      method: 'PUT',
      url: `/api/associations/alfa/members/${m.municipalities[0]}`,
      valid: { type: 'municipality', name: 'Fuzz kommun', municipalityCode: '0999' },
    },
    {
      name: 'set contributions',
      method: 'PUT',
      url: '/api/associations/alfa/contributions/2026',
      valid: {
        totalAmount: 1000,
        regions: [{ memberId: m.region, percent: 100 }],
        municipalities: [
          { memberId: m.municipalities[0], percent: 50 },
          { memberId: m.municipalities[1], percent: 50 },
        ],
      },
    },
    {
      name: 'create user',
      method: 'POST',
      url: '/api/associations/alfa/users',
      valid: { email: 'fuzz@alfa.example', name: 'Fuzz', role: 'board', password: 'Ett-Bra-Losenord-1' },
      optional: ['password'],
    },
    {
      name: 'update user',
      method: 'PUT',
      url: `/api/associations/alfa/users/${boardUserId}`,
      valid: { name: 'Fuzz', role: 'coordinator' },
    },
    // DELETE takes no body; these two are refused by the rules (FK is required, the last admin stays),
    // so any body sent along must not change that.
    { name: 'delete member', method: 'DELETE', url: `/api/associations/alfa/members/${m.fk}` },
    { name: 'remove user', method: 'DELETE', url: `/api/associations/alfa/users/${adminUserId}` },
  ];
}

/** Whole bodies that fit no endpoint: random JSON from a fixed seed, and a few chosen shapes. */
function garbageBodies(): unknown[] {
  const random = fc.sample(fc.jsonValue({ maxDepth: 3 }), { seed: 20261128, numRuns: 40 });
  return [null, 0, -1, 1e308, 'string', [], [{}], [null], true, { a: { b: { c: [] } } }, ...random];
}

/** Each field of a valid body replaced by each bad value, removed, and an unknown field added. */
function mutations(
  valid: Record<string, unknown>,
  optional: string[] = [],
): { field: string; body: unknown }[] {
  const out: { field: string; body: unknown }[] = [];
  for (const key of Object.keys(valid)) {
    for (const v of BAD_VALUES) out.push({ field: key, body: { ...valid, [key]: v } });
    const { [key]: _omitted, ...rest } = valid;
    if (!optional.includes(key)) out.push({ field: key, body: rest });
    const value = valid[key];
    // One level down in arrays of objects: the first line of a contribution split.
    if (Array.isArray(value) && typeof value[0] === 'object') {
      for (const sub of Object.keys(value[0] as object)) {
        for (const v of BAD_VALUES) {
          out.push({
            field: `${key}.0.${sub}`,
            body: { ...valid, [key]: [{ ...(value[0] as object), [sub]: v }, ...value.slice(1)] },
          });
        }
      }
      for (const v of BAD_VALUES)
        out.push({ field: `${key}.0`, body: { ...valid, [key]: [v, ...value.slice(1)] } });
    }
  }
  out.push({ field: 'zz', body: { ...valid, zz: 1 } });
  return out;
}

let ip = 0;
async function send(target: Target, payload: unknown, urlOverride?: string): Promise<LightMyRequestResponse> {
  const opts: InjectOptions = {
    method: target.method,
    url: urlOverride ?? target.url,
    ...(payload === undefined
      ? {}
      : { payload: JSON.stringify(payload), headers: { 'content-type': 'application/json' } }),
    // Spread over addresses so the per-IP login limit is not what answers.
    remoteAddress: `10.2.${Math.floor(++ip / 250) % 250}.${ip % 250}`,
  };
  return target.anonymous ? t.app.inject(opts) : sys.request(opts);
}

const KNOWN_CODES = new Set<string>(Object.values(ErrorCode));

function expectRefused(res: LightMyRequestResponse, what: string): void {
  expect(res.statusCode, `${what} → ${res.statusCode} ${res.body.slice(0, 300)}`).toBeGreaterThanOrEqual(400);
  expect(res.statusCode, `${what} → ${res.statusCode} ${res.body.slice(0, 300)}`).toBeLessThan(500);
  const code = (res.json() as { error?: { code?: string } }).error?.code;
  expect(KNOWN_CODES.has(code ?? ''), `${what}: error code ${code}`).toBe(true);
}

describe('garbage never causes a 500', () => {
  it('random and mutated bodies at every mutating endpoint are refused with a 4xx, and nothing changes', async () => {
    await expectNoChange(t, async () => {
      for (const target of targets()) {
        for (const body of garbageBodies()) {
          const res = await send(target, body);
          // Logout takes no body and always succeeds; it must not fail on one either.
          if (target.name === 'logout') expect(res.statusCode).toBe(204);
          else expectRefused(res, `${target.name} ${JSON.stringify(body)}`);
        }
        if (!target.valid) continue;
        for (const { field, body } of mutations(target.valid, target.optional)) {
          const res = await send(target, body);
          const what = `${target.name} ${field}=${JSON.stringify((body as Record<string, unknown>)[field.split('.')[0]!])?.slice(0, 60)}`;
          expectRefused(res, what);
          const err = res.json().error as { code: string; issues?: { path: string }[] };
          if (err.code === 'VALIDATION') {
            // The field that was broken is the one named.
            const paths = (err.issues ?? []).map((i) => i.path);
            const top = field.split('.')[0]!;
            expect(
              paths.some(
                (p) => p === field || p.startsWith(`${field}.`) || p === top || field.startsWith(`${p}.`),
              ),
              `${what}: issues ${JSON.stringify(paths)}`,
            ).toBe(true);
          }
        }
      }
    });
  });

  it('almost-right login bodies are refused before any account is looked up', async () => {
    // Login bodies that are almost right, each with one field of the wrong type.
    await expectNoChange(t, async () => {
      for (const v of BAD_VALUES.filter((x) => typeof x !== 'string')) {
        expectRefused(
          await send(targets()[0]!, { email: v, password: TEST_PASSWORD }),
          `login email=${JSON.stringify(v)}`,
        );
        expectRefused(
          await send(targets()[0]!, { email: 'sys@example.com', password: v }),
          `login password=${JSON.stringify(v)}`,
        );
      }
    });
  });

  it('bad ids, slugs and years in the path are 404, never a 500', async () => {
    const ids = [
      'abc',
      '1',
      '-1',
      'null',
      '00000000-0000-0000-0000-00000000000g',
      randomUUID().toUpperCase(),
      randomUUID(),
      `${randomUUID()}x`,
      "1' OR '1'='1",
      '%00',
      // A broken %-encoding and an over-long segment are refused by the router itself.
      '%E0%A4%A',
      'x'.repeat(300),
      '%F0%9F%99%82',
    ];
    const slugs = ['%00', "alfa' OR '1'='1", 'ALFA', 'x'.repeat(100), '%2e%2e', 'alfa%20', '-alfa'];
    const years = [
      '-1',
      '0',
      '2003',
      '2201',
      'abc',
      '99999999999999999999',
      '2026.5',
      'NaN',
      'Infinity',
      '%00',
      "2026'",
    ];
    const memberBody = { type: 'region', name: 'Region Fuzz' };
    const userBody = { name: 'Fuzz', role: 'board' };
    const contributionBody = targets().find((x) => x.name === 'set contributions')!.valid!;
    await expectNoChange(t, async () => {
      for (const id of ids) {
        for (const [method, url, body] of [
          ['PUT', `/api/associations/alfa/members/${id}`, memberBody],
          ['DELETE', `/api/associations/alfa/members/${id}`, undefined],
          ['PUT', `/api/associations/alfa/users/${id}`, userBody],
          ['DELETE', `/api/associations/alfa/users/${id}`, undefined],
        ] as const) {
          const res = await sys.request({ method, url, ...(body ? { payload: body } : {}) });
          expect({ url, status: res.statusCode }).toEqual({ url, status: 404 });
        }
      }
      for (const slug of slugs) {
        for (const [method, url, body] of [
          ['GET', `/api/associations/${slug}/overview`, undefined],
          ['PUT', `/api/associations/${slug}`, { name: 'Fuzz', orgNumber: null }],
          ['POST', `/api/associations/${slug}/members`, memberBody],
          ['GET', `/api/associations/${slug}/audit`, undefined],
        ] as const) {
          const res = await sys.request({ method, url, ...(body ? { payload: body } : {}) });
          expect({ url, status: res.statusCode }).toEqual({ url, status: 404 });
        }
      }
      for (const year of years) {
        for (const method of ['GET', 'PUT'] as const) {
          const url = `/api/associations/alfa/contributions/${year}`;
          const res = await sys.request({
            method,
            url,
            ...(method === 'PUT' ? { payload: contributionBody } : {}),
          });
          expect({ url, status: res.statusCode }).toEqual({ url, status: 404 });
        }
      }
    });
  });

  it('bad query strings are 400 with the parameter named', async () => {
    for (const q of ['year=abc', 'year=1', 'year=99999', 'year=2026&year=2027', 'year=%00']) {
      const res = await sys.get(`/api/associations/alfa/overview?${q}`);
      expectError(res, 400, 'VALIDATION', [{ path: 'year' }]);
    }
    for (const q of [
      'limit=-1',
      'limit=1e9',
      'limit=abc',
      'before=1e3',
      'before=%00',
      'before=9999999999999999999',
    ]) {
      const res = await sys.get(`/api/associations/alfa/audit?${q}`);
      expectRefused(res, q);
      expect(res.statusCode).toBe(400);
    }
  });
});
