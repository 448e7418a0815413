/**
 * Single sign-on end to end against a real OpenID Connect provider (the `oidc-provider` package,
 * test/support/oidc-directory.ts) started by the test, with its development login form driven by
 * plain fetch and a cookie jar that behaves like a browser's (cookies per host, by path, deleted by
 * Max-Age=0). Nothing is mocked:
 * Attune discovers the provider, redirects to it, redeems the code with the PKCE verifier and the
 * client secret, and checks the ID token. Runs on the embedded defaults and, when configured, on
 * PostgreSQL + Mosquitto.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSsoTestSystem, type DirectoryPerson, type SsoTestSystem, type TestDirectory } from '../support/oidc-directory.ts';
import { backends, type TestSystem } from '../support/system.ts';

/** The directory's accounts: sub -> claims. Tests change groups between sign-ins, as a directory administrator would. */
const accounts: Record<string, DirectoryPerson> = {
  nina: { name: 'Nina Nurse', preferred_username: 'nina.nurse@hospital.example', groups: ['attune-ward7b-nurses'] },
  carl: {
    name: 'Carl Charge',
    email: 'carl@hospital.example',
    groups: ['attune-ward7b-nurses', 'attune-charge-nurses', 'attune-ward9-nurses', 'attune-closed-ward-nurses'],
  },
  ivan: { name: 'Ivan IT', preferred_username: 'ivan', groups: 'attune-it' },
  vera: { name: 'Vera Visitor', preferred_username: 'vera', groups: ['all-staff', 'canteen'] },
  wes: { name: 'Wes Wardless', preferred_username: 'wes', groups: ['attune-nurses'] },
  mixed: { name: 'Max Mixed', preferred_username: 'max', groups: ['attune-it', 'attune-ward9-nurses'] },
  dora: { name: 'Dora Deactivated', preferred_username: 'dora', groups: ['attune-ward9-nurses'] },
  rita: { name: 'Rita Reassigned', preferred_username: 'rita', groups: ['attune-ward7b-nurses'] },
  lena: { name: 'Lena Leaver', preferred_username: 'lena', groups: ['attune-ward7b-nurses'] },
  // A second directory person whose preferred username collides with the first: Attune numbers it.
  nina2: { name: 'Nina Other', preferred_username: 'nina.nurse@other.example', groups: ['attune-ward9-nurses'] },
};

const ROLE_MAP = {
  'attune-ward7b-nurses': 'nurse',
  'attune-ward9-nurses': 'nurse',
  'attune-nurses': 'nurse',
  'attune-charge-nurses': 'charge_nurse',
  'attune-it': 'it_admin',
};
const WARD_MAP = {
  'attune-ward7b-nurses': 'Ward 7B',
  'attune-ward9-nurses': 'Ward 9',
  'attune-closed-ward-nurses': 'Ward that closed',
};

interface StoredCookie {
  value: string;
  path: string;
}

/** A browser's cookie jar, reduced to what these flows use: per host (not port), by path prefix. */
class CookieJar {
  private readonly cookies = new Map<string, Map<string, StoredCookie>>();

  store(url: string, res: Response): void {
    const { hostname } = new URL(url);
    const jar = this.cookies.get(hostname) ?? new Map<string, StoredCookie>();
    this.cookies.set(hostname, jar);
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';').map((p) => p.trim());
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq);
      const attr = (key: string) => attributes.find((a) => a.toLowerCase().startsWith(`${key}=`))?.slice(key.length + 1);
      const path = attr('path') ?? '/';
      const maxAge = attr('max-age');
      const expires = attr('expires');
      const gone = (maxAge !== undefined && Number(maxAge) <= 0) || (expires !== undefined && Date.parse(expires) < Date.now());
      if (gone) jar.delete(`${name};${path}`);
      else jar.set(`${name};${path}`, { value: pair!.slice(eq + 1), path });
    }
  }

  header(url: string): string {
    const { hostname, pathname } = new URL(url);
    return [...(this.cookies.get(hostname) ?? new Map<string, StoredCookie>()).entries()]
      .filter(([, c]) => pathname === c.path || pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`))
      .map(([key, c]) => `${key.split(';')[0]}=${c.value}`)
      .join('; ');
  }

  get(name: string): string | undefined {
    for (const jar of this.cookies.values()) for (const [key, c] of jar) if (key.split(';')[0] === name) return c.value;
    return undefined;
  }

  set(hostname: string, name: string, value: string, path: string): void {
    const jar = this.cookies.get(hostname) ?? new Map<string, StoredCookie>();
    this.cookies.set(hostname, jar);
    jar.set(`${name};${path}`, { value, path });
  }

  delete(name: string): void {
    for (const jar of this.cookies.values()) for (const key of [...jar.keys()]) if (key.split(';')[0] === name) jar.delete(key);
  }
}

describe.each(backends())('single sign-on (OpenID Connect) on $label', (backend) => {
  let sso: SsoTestSystem;
  let sys: TestSystem;
  let directory: TestDirectory | null = null;
  let publicUrl: string;
  let ward7bId: string;
  let ward9Id: string;

  beforeAll(async () => {
    sso = await startSsoTestSystem({ attuneHost: '127.0.0.1', roleMap: ROLE_MAP, wardMap: WARD_MAP, backend });
    ({ system: sys, publicUrl } = sso);
    ward7bId = await sys.server.repositories.wards.create('Ward 7B');
    ward9Id = await sys.server.repositories.wards.create('Ward 9');
    await sys.server.repositories.wards.addBed(ward7bId, 'Bed 1', 1);
    // The directory starts after Attune: the first test sees it down.
  });
  afterAll(async () => {
    await directory?.stop();
    await sys?.stop();
  });

  /** Starts a sign-in at Attune and drives the directory's login and consent forms up to the redirect back. */
  async function signInAtDirectory(account: string, jar: CookieJar, next?: string): Promise<{ callbackUrl: string; startRes: Response }> {
    const startUrl = `${publicUrl}/api/auth/oidc/start${next !== undefined ? `?next=${encodeURIComponent(next)}` : ''}`;
    const startRes = await fetch(startUrl, { redirect: 'manual', headers: { cookie: jar.header(startUrl) } });
    jar.store(startUrl, startRes);
    expect(startRes.status).toBe(303);
    let url = new URL(startRes.headers.get('location')!, startUrl).href;
    expect(url.startsWith(`${directory!.issuer}/`)).toBe(true);
    let form: URLSearchParams | null = null;
    for (let step = 0; step < 12; step++) {
      if (url.startsWith(`${publicUrl}/api/auth/oidc/callback`)) return { callbackUrl: url, startRes };
      const res = await fetch(url, {
        method: form ? 'POST' : 'GET',
        redirect: 'manual',
        headers: { cookie: jar.header(url), ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
        ...(form ? { body: form.toString() } : {}),
      });
      jar.store(url, res);
      if (res.status === 302 || res.status === 303) {
        url = new URL(res.headers.get('location')!, url).href;
        form = null;
        continue;
      }
      const html = await res.text();
      expect(res.status, html.slice(0, 500)).toBe(200);
      const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
      const prompt = /name="prompt" value="([^"]+)"/.exec(html)?.[1];
      expect(action, html.slice(0, 500)).toBeDefined();
      url = new URL(action!, url).href;
      form = new URLSearchParams(prompt === 'login' ? { prompt, login: account, password: 'any' } : { prompt: prompt! });
    }
    throw new Error('the directory did not send the browser back to Attune');
  }

  /** The browser arrives back at Attune's callback; returns where Attune sends it. */
  async function callback(callbackUrl: string, jar: CookieJar): Promise<{ status: number; location: string; res: Response }> {
    const res = await fetch(callbackUrl, { redirect: 'manual', headers: { cookie: jar.header(callbackUrl) } });
    jar.store(callbackUrl, res);
    return { status: res.status, location: res.headers.get('location') ?? '', res };
  }

  async function signIn(account: string, next?: string) {
    const jar = new CookieJar();
    const { callbackUrl } = await signInAtDirectory(account, jar, next);
    const result = await callback(callbackUrl, jar);
    return { ...result, jar, session: jar.get('attune_session') };
  }

  const api = (path: string, session: string | undefined) =>
    fetch(`${publicUrl}${path}`, { headers: session ? { cookie: `attune_session=${session}` } : {} });

  async function me(session: string | undefined) {
    const res = await api('/api/auth/me', session);
    return { status: res.status, user: res.status === 200 ? ((await res.json()) as { user: Record<string, unknown> }).user : null };
  }

  const audits = (action: string) =>
    sys.server.db.query<{ detail: Record<string, unknown>; subjectId: string | null }>(
      `select detail, subject_id as "subjectId" from audit_log where action = $1 order by id`,
      [action],
    );

  it('offers single sign-on on the sign-in page, and answers 503 while the directory is down (the server started anyway)', async () => {
    const options = await fetch(`${publicUrl}/api/auth/options`);
    expect(await options.json()).toEqual({ sso: { enabled: true } });

    const down = await fetch(`${publicUrl}/api/auth/oidc/start`, { redirect: 'manual' });
    expect(down.status).toBe(503);
    expect(((await down.json()) as { error: { code: string } }).error.code).toBe('directory_unavailable');
    expect(down.headers.getSetCookie()).toEqual([]);
    // A browser that clicked the button is sent back to the sign-in page with a readable reason.
    const clicked = await fetch(`${publicUrl}/api/auth/oidc/start`, {
      redirect: 'manual',
      headers: { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' },
    });
    expect(clicked.status).toBe(303);
    expect(clicked.headers.get('location')).toBe('/login?error=sso_unavailable');

    // The directory comes up; the next sign-in discovers it without a restart.
    directory = await sso.startDirectory(accounts);
    const up = await fetch(`${publicUrl}/api/auth/oidc/start`, { redirect: 'manual' });
    expect(up.status).toBe(303);
    const authorize = new URL(up.headers.get('location')!);
    expect(authorize.origin).toBe(directory.issuer);
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize.searchParams.get('redirect_uri')).toBe(`${publicUrl}/api/auth/oidc/callback`);
    // A shared ward computer: the directory asks for credentials every time (OIDC_SILENT_SIGN_IN unset).
    expect(authorize.searchParams.get('prompt')).toBe('login');
    const flowCookie = up.headers.getSetCookie().find((c) => c.startsWith('attune_oidc='))!;
    expect(flowCookie).toMatch(/HttpOnly/i);
    expect(flowCookie).toMatch(/SameSite=Lax/i);
    expect(flowCookie).toMatch(/Max-Age=600/i);
    expect(flowCookie).toMatch(/Path=\/api\/auth\/oidc/i);
  });

  it('signs a nurse of a mapped ward in end to end: her board, her role and wards, and no password', async () => {
    const { status, location, session, jar } = await signIn('nina', '/wards?x=1');
    expect(status).toBe(303);
    expect(location).toBe('/wards?x=1');
    expect(session).toBeDefined();
    expect(jar.get('attune_oidc')).toBeUndefined(); // the flow cookie is spent

    const { user } = await me(session);
    expect(user).toMatchObject({ username: 'nina.nurse', displayName: 'Nina Nurse', role: 'nurse', wardIds: [ward7bId] });
    expect((await api(`/api/wards/${ward7bId}/board`, session)).status).toBe(200);
    // Need-to-know: another ward is as if it did not exist.
    expect((await api(`/api/wards/${sys.wardId}/board`, session)).status).toBe(404);

    const [row] = await sys.server.db.query<{ passwordHash: string | null; lastSignInAt: Date | null; oidcIssuer: string }>(
      `select password_hash as "passwordHash", last_sign_in_at as "lastSignInAt", oidc_issuer as "oidcIssuer" from app_user where username = 'nina.nurse'`,
    );
    expect(row!.passwordHash).toBeNull();
    expect(row!.lastSignInAt).not.toBeNull();
    expect(row!.oidcIssuer).toBe(directory!.issuer);
    // Without a password the username cannot be used at the password sign-in.
    const password = await fetch(`${publicUrl}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'nina.nurse', password: 'any' }),
    });
    expect(password.status).toBe(401);
    const logins = await audits('auth.login');
    expect(logins.some((a) => a.subjectId === user!.id && a.detail.method === 'oidc')).toBe(true);

    // The second sign-in finds the same user by the directory identity.
    const again = await signIn('nina');
    expect(again.location).toBe('/');
    expect((await me(again.session)).user).toMatchObject({ id: user!.id });
  });

  it('picks charge_nurse over nurse, maps every known ward and ignores a ward Attune does not have', async () => {
    const { session } = await signIn('carl');
    const { user } = await me(session);
    expect(user).toMatchObject({ username: 'carl', role: 'charge_nurse' });
    expect([...(user!.wardIds as string[])].sort()).toEqual([ward7bId, ward9Id].sort());
  });

  it('signs an it_admin in without wards (a string groups claim)', async () => {
    const { session } = await signIn('ivan');
    expect((await me(session)).user).toMatchObject({ role: 'it_admin', wardIds: [] });
    expect((await api(`/api/wards/${ward7bId}/board`, session)).status).toBe(403);
  });

  it('refuses a user whose groups grant no role: no session, the reason audited', async () => {
    const { status, location, session } = await signIn('vera');
    expect(status).toBe(303);
    expect(location).toBe('/login?error=sso_no_role');
    expect(session).toBeUndefined();
    const [row] = await sys.server.db.query(`select id from app_user where username = 'vera'`);
    expect(row).toBeUndefined();
    const refused = await audits('auth.sso_refused');
    expect(refused.some((a) => a.detail.reason === 'no_role' && a.detail.subject === 'vera')).toBe(true);
  });

  it('refuses a nurse whose groups name no ward Attune has, and a mix of it_admin with a clinical role', async () => {
    expect((await signIn('wes')).location).toBe('/login?error=sso_no_ward');
    const mixed = await signIn('mixed');
    expect(mixed.location).toBe('/login?error=sso_role_conflict');
    expect(mixed.session).toBeUndefined();
  });

  it('refuses a user deactivated in Attune although the directory still lists them, and their session is over', async () => {
    const first = await signIn('dora');
    const { user } = await me(first.session);
    expect(user).toMatchObject({ role: 'nurse' });
    await sys.server.db.query(`update app_user set is_active = false where id = $1`, [user!.id]);

    const { location, session } = await signIn('dora');
    expect(location).toBe('/login?error=sso_deactivated');
    expect(session).toBeUndefined();
    expect((await me(first.session)).status).toBe(401);
    const refused = await audits('auth.sso_refused');
    expect(refused.some((a) => a.detail.reason === 'deactivated' && a.subjectId === user!.id)).toBe(true);
  });

  it('takes role and wards from the directory at each sign-in; a user the directory withdrew is refused and signed out', async () => {
    // The directory's state at the start of this test (the accounts are shared by the backends' runs).
    accounts.rita!.groups = ['attune-ward7b-nurses'];
    accounts.lena!.groups = ['attune-ward7b-nurses'];
    const first = await signIn('rita');
    expect((await me(first.session)).user).toMatchObject({ role: 'nurse', wardIds: [ward7bId] });
    accounts.rita!.groups = ['attune-ward9-nurses', 'attune-charge-nurses'];
    const moved = await signIn('rita');
    expect((await me(moved.session)).user).toMatchObject({ role: 'charge_nurse', wardIds: [ward9Id] });
    // The new wards apply to the earlier session too: it reads the user on every request.
    expect((await api(`/api/wards/${ward7bId}/board`, first.session)).status).toBe(404);
    expect((await api(`/api/wards/${ward9Id}/board`, first.session)).status).toBe(200);

    const lena = await signIn('lena');
    expect((await me(lena.session)).status).toBe(200);
    accounts.lena!.groups = ['all-staff'];
    expect((await signIn('lena')).location).toBe('/login?error=sso_no_role');
    expect((await me(lena.session)).status).toBe(401);
  });

  it('numbers a username that is taken rather than joining two people', async () => {
    const { session } = await signIn('nina2');
    expect((await me(session)).user).toMatchObject({ username: 'nina.nurse-2', displayName: 'Nina Other', wardIds: [ward9Id] });
  });

  it('refuses a callback whose state was tampered with, or that arrives without the flow cookie (PKCE verifier), or with a forged one', async () => {
    // Tampered state
    const jar = new CookieJar();
    const { callbackUrl } = await signInAtDirectory('nina', jar);
    const tampered = new URL(callbackUrl);
    tampered.searchParams.set('state', 'attacker-chosen-state');
    const res = await callback(tampered.href, jar);
    expect(res.location).toBe('/login?error=sso_failed');
    expect(jar.get('attune_session')).toBeUndefined();

    // The genuine callback without the cookie that holds the PKCE verifier, state and nonce
    const jar2 = new CookieJar();
    const second = await signInAtDirectory('nina', jar2);
    const flow = jar2.get('attune_oidc')!;
    jar2.delete('attune_oidc');
    expect((await callback(second.callbackUrl, jar2)).location).toBe('/login?error=sso_failed');
    expect(jar2.get('attune_session')).toBeUndefined();

    // ... with a forged cookie (another verifier, signed with a guessed key) ...
    const [payload] = flow.split('.');
    const decoded = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as Record<string, unknown>;
    const forged = Buffer.from(JSON.stringify({ ...decoded, codeVerifier: 'x'.repeat(43) })).toString('base64url');
    jar2.set('127.0.0.1', 'attune_oidc', `${forged}.${'A'.repeat(43)}`, '/api/auth/oidc');
    expect((await callback(second.callbackUrl, jar2)).location).toBe('/login?error=sso_failed');

    // ... or with the cookie of another sign-in (its state does not match)
    const jar3 = new CookieJar();
    await signInAtDirectory('nina', jar3);
    jar2.set('127.0.0.1', 'attune_oidc', jar3.get('attune_oidc')!, '/api/auth/oidc');
    expect((await callback(second.callbackUrl, jar2)).location).toBe('/login?error=sso_failed');

    // The genuine cookie still works with the genuine callback once; the code is not accepted twice.
    jar2.set('127.0.0.1', 'attune_oidc', flow, '/api/auth/oidc');
    expect((await callback(second.callbackUrl, jar2)).location).toBe('/');
    expect(jar2.get('attune_session')).toBeDefined();
    jar2.set('127.0.0.1', 'attune_oidc', flow, '/api/auth/oidc');
    const replay = await callback(second.callbackUrl, jar2);
    expect(replay.location).toBe('/login?error=sso_failed');
    expect(replay.res.headers.getSetCookie().some((c) => c.startsWith('attune_session='))).toBe(false);

    const failures = await audits('auth.login_failed');
    const reasons = failures.filter((a) => a.detail.method === 'oidc').map((a) => a.detail.reason);
    expect(reasons).toEqual(expect.arrayContaining(['code_exchange_failed', 'flow_cookie_missing', 'flow_cookie_invalid']));
  });

  it('does not follow a return path to another site', async () => {
    for (const next of ['//evil.example/x', 'https://evil.example/', '/\\evil.example', 'javascript:alert(1)', '/login']) {
      const { location, session } = await signIn('nina', next);
      expect(location, next).toBe('/');
      expect(session, next).toBeDefined();
    }
  });
});
