/**
 * The web door, probed as an outsider would: cross-origin and same-site forgeries, non-JSON bodies,
 * oversized bodies, credential guessing, caching of patient data, and the script policy (prototype
 * keys are probed with a paired tablet in consent-tablet.test.ts). Runs on the embedded defaults and, when configured, on PostgreSQL + Mosquitto.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDashboardBuilt } from '../support/dashboard-build.ts';
import { backends, startTestSystem, type TestSystem } from '../support/system.ts';

describe.each(backends())('the web door on $label', (backend) => {
  let sys: TestSystem;
  let cookie: string;

  beforeAll(async () => {
    await ensureDashboardBuilt();
    sys = await startTestSystem({ backend });
    cookie = await sys.login('demo-charge');
  });
  afterAll(async () => sys?.stop());

  const post = (path: string, headers: Record<string, string>, body?: string) =>
    fetch(`${sys.baseUrl}${path}`, { method: 'POST', headers: { cookie, ...headers }, ...(body !== undefined ? { body } : {}) });
  const json = { 'content-type': 'application/json' };
  const alertPath = '/api/alerts/00000000-0000-4000-8000-000000000000/resolve';

  it('refuses a state change from another origin, even another port of the same host (403)', async () => {
    const origin = new URL(sys.baseUrl);
    const otherPort = `${origin.protocol}//${origin.hostname}:8099`;
    const body = JSON.stringify({ outcome: 'false_alarm' });
    for (const headers of <Record<string, string>[]>[
      { origin: otherPort },
      { origin: 'http://attacker.example' },
      { 'sec-fetch-site': 'same-site' },
      { 'sec-fetch-site': 'cross-site' },
      { origin: 'null' },
    ]) {
      const res = await post(alertPath, { ...json, ...headers }, body);
      expect(res.status, JSON.stringify(headers)).toBe(403);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('cross_origin');
    }
    // The dashboard's own origin passes the door (and reaches the route: no such alert).
    const own = await post(alertPath, { ...json, origin: origin.origin, 'sec-fetch-site': 'same-origin' }, body);
    expect(own.status).toBe(404);
  });

  it('refuses bodies that are not JSON: text/plain and form posts need no preflight (415)', async () => {
    const body = JSON.stringify({ outcome: 'false_alarm' });
    expect((await post(alertPath, { 'content-type': 'text/plain' }, body)).status).toBe(415);
    expect((await post(alertPath, { 'content-type': 'application/x-www-form-urlencoded' }, 'outcome=false_alarm')).status).toBe(415);
    expect((await post(alertPath, { 'content-type': 'multipart/form-data; boundary=x' }, '--x--')).status).toBe(415);
    expect((await post(alertPath, json, body)).status).toBe(404);
  });

  it('refuses a body over 64 KiB with 413 before parsing it, and keeps serving', async () => {
    const big = JSON.stringify({ username: 'demo-nurse', password: 'x'.repeat(200 * 1024) });
    const res = await fetch(`${sys.baseUrl}/api/auth/login`, { method: 'POST', headers: json, body: big });
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('payload_too_large');
    const health = await fetch(`${sys.baseUrl}/healthz`);
    expect(health.status).toBe(200);
  });

  it('throttles password guessing per username with growing delays and Retry-After, even for the right password', async () => {
    const login = (password: string) =>
      fetch(`${sys.baseUrl}/api/auth/login`, { method: 'POST', headers: json, body: JSON.stringify({ username: 'demo-it', password }) });
    for (let i = 0; i < 6; i++) expect((await login(`wrong-${i}`)).status).toBe(401);
    const locked = await login('demo-it');
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(((await locked.json()) as { error: { code: string } }).error.code).toBe('too_many_attempts');
    // Another user is not locked out by it.
    const other = await fetch(`${sys.baseUrl}/api/auth/login`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ username: 'demo-nurse', password: 'demo-nurse' }),
    });
    expect(other.status).toBe(200);
  });

  it('marks every API response no-store, errors included', async () => {
    for (const path of ['/api/wards', '/api/auth/me', '/api/no-such-thing', '/api/tablet/texts/en']) {
      const res = await fetch(`${sys.baseUrl}${path}`, { headers: { cookie } });
      expect(res.headers.get('cache-control'), path).toBe('no-store');
    }
  });

  it("allows scripts by hash, never 'unsafe-inline'", async () => {
    const res = await fetch(`${sys.baseUrl}/`);
    const html = await res.text();
    const csp = res.headers.get('content-security-policy')!;
    const scriptSrc = csp.split(';').find((d) => d.trim().startsWith('script-src'))!;
    expect(scriptSrc).not.toContain('unsafe-inline');
    const inline = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]!);
    expect(inline.length).toBeGreaterThan(0);
    for (const s of inline) expect(scriptSrc).toContain(`'sha256-${createHash('sha256').update(s, 'utf8').digest('base64')}'`);
  });
});
