import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../tests/helpers.js';
import { expectedDatabaseKind, expectError } from '../../tests/support.js';
import { VERSION } from './version.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

describe('GET /api/health', () => {
  it('reports ok, the backend in use and the version, without a session', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/health' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    // createTestApp passes version 'test'; the backend is the one this project runs on.
    expect(res.json()).toEqual({ status: 'ok', database: expectedDatabaseKind(), version: 'test' });
  });

  it('the version main.ts serves is the package version', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    expect(VERSION).toBe(pkg.version);
    expect(VERSION).toMatch(/^\d+\.\d+\.\d+/);
  });
});

describe('GET /api/openapi.json', () => {
  it('is an OpenAPI 3 document listing every association endpoint with its method', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json() as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(doc.openapi).toMatch(/^3\./);
    const operations = Object.entries(doc.paths).flatMap(([p, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`),
    );
    expect(operations).toEqual(
      expect.arrayContaining([
        'GET /api/health',
        'POST /api/auth/login',
        'POST /api/auth/logout',
        'POST /api/auth/password',
        'GET /api/session',
        'GET /api/associations',
        'POST /api/associations',
        'PUT /api/associations/{slug}',
        'GET /api/associations/{slug}/overview',
        'GET /api/associations/{slug}/members',
        'POST /api/associations/{slug}/members',
        'PUT /api/associations/{slug}/members/{memberId}',
        'DELETE /api/associations/{slug}/members/{memberId}',
        'GET /api/associations/{slug}/contributions/{year}',
        'PUT /api/associations/{slug}/contributions/{year}',
        'GET /api/associations/{slug}/users',
        'POST /api/associations/{slug}/users',
        'PUT /api/associations/{slug}/users/{userId}',
        'DELETE /api/associations/{slug}/users/{userId}',
        'GET /api/associations/{slug}/audit',
      ]),
    );
  });

  it('derives request bodies from the zod schemas, strict objects included', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    const body =
      doc.paths['/api/associations/{slug}/contributions/{year}'].put.requestBody.content['application/json']
        .schema;
    expect(body).toMatchObject({
      type: 'object',
      required: expect.arrayContaining(['totalAmount', 'regions', 'municipalities']),
      additionalProperties: false,
      properties: { municipalities: { type: 'array', items: { additionalProperties: false } } },
    });
    const year = doc.paths['/api/associations/{slug}/contributions/{year}'].put.parameters.find(
      (p: { name: string }) => p.name === 'year',
    );
    expect(year).toMatchObject({ in: 'path', required: true, schema: { minimum: 2004, maximum: 2200 } });
  });
});

describe('unknown API routes', () => {
  it('answer 404 NOT_FOUND in the error format, for any method', async () => {
    for (const method of ['GET', 'POST', 'PUT', 'DELETE'] as const) {
      const res = await t.app.inject({ method, url: '/api/does-not-exist' });
      expectError(res, 404, 'NOT_FOUND');
    }
  });
});
