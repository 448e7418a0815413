/**
 * User administration as an IT admin does it, end to end through HTTP: create a user with a
 * one-time password, the forced password change, role and ward changes applied on the next
 * request, deactivation that ends a live session at once, a reset that lifts a sign-in lockout,
 * and the audit trail (which never holds a password). Runs on the embedded defaults and, when
 * configured, on PostgreSQL + Mosquitto.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, cookieFrom, pairTablet, type Json } from '../support/api.ts';
import { backends, startTestSystem, type TestSystem } from '../support/system.ts';

describe.each(backends())('user administration on $label', (backend) => {
  let sys: TestSystem;
  let admin: string;
  let adminId: string;
  let wardB: string;
  /** Every password this suite saw in the clear: none may reach audit_log. */
  const secrets: string[] = [];

  beforeAll(async () => {
    sys = await startTestSystem({ backend });
    admin = await sys.login('demo-it');
    adminId = (await call(sys.baseUrl, 'GET', '/api/auth/me', { cookie: admin })).body.user.id;
    wardB = await sys.server.repositories.wards.create('Ward B (user admin test)');
  });
  afterAll(async () => sys?.stop());

  const api = (method: string, path: string, opts: { cookie?: string; body?: unknown } = {}) => call(sys.baseUrl, method, path, opts);
  const signIn = async (username: string, password: string) => {
    const res = await api('POST', '/api/auth/login', { body: { username, password } });
    return { ...res, cookie: res.status === 200 ? cookieFrom(res.headers, 'attune_session') : '' };
  };
  const createUser = async (body: Json) => {
    const res = await api('POST', '/api/users', { cookie: admin, body });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    secrets.push(res.body.oneTimePassword);
    return res.body as { user: Json; oneTimePassword: string };
  };
  /** A nurse on the test system's ward. */
  const createNurse = (username: string, displayName: string) =>
    createUser({ username, displayName, role: 'nurse', wardIds: [sys.wardId] });
  const listed = async (id: string) => (await api('GET', '/api/users', { cookie: admin })).body.users.find((u: Json) => u.id === id);

  it('requires a session (401) and the it_admin role (403 for nurses, charge nurses and a tablet)', async () => {
    expect((await api('GET', '/api/users')).status).toBe(401);
    for (const username of ['demo-nurse', 'demo-charge']) {
      const cookie = await sys.login(username);
      expect((await api('GET', '/api/users', { cookie })).status, username).toBe(403);
      const create = await api('POST', '/api/users', { cookie, body: { username: 'x1', displayName: 'X', role: 'it_admin', wardIds: [] } });
      expect(create.status, username).toBe(403);
    }
    const nurse = await sys.login('demo-nurse');
    const { cookie: tablet } = await pairTablet(sys.baseUrl, nurse, sys.devices[0]!.bedId);
    expect((await api('GET', '/api/users', { cookie: tablet })).status).toBe(403);
    const list = await api('GET', '/api/users', { cookie: admin });
    expect(list.status).toBe(200);
    expect(list.body.users.map((u: Json) => u.username)).toEqual(expect.arrayContaining(['demo-nurse', 'demo-charge', 'demo-it']));
    expect(list.body.wards).toEqual(expect.arrayContaining([{ id: wardB, name: 'Ward B (user admin test)' }]));
    expect(JSON.stringify(list.body)).not.toMatch(/scrypt|passwordHash/);
  });

  it('validates a new user: username, duplicate (409), unknown ward, and the role/ward rule (400)', async () => {
    const base = { displayName: 'Val Idation', role: 'nurse', wardIds: [sys.wardId] };
    const bad = async (body: Json, field: string) => {
      const res = await api('POST', '/api/users', { cookie: admin, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(Object.keys(res.body.error.fields)).toContain(field);
    };
    await bad({ ...base, username: 'has space' }, 'username');
    await bad({ ...base, username: '-leading' }, 'username');
    await bad({ ...base, username: 'x' }, 'username');
    await bad({ ...base, username: 'ok.user', wardIds: ['00000000-0000-4000-8000-000000000000'] }, 'wardIds');
    await bad({ ...base, username: 'ok.user', wardIds: [] }, 'wardIds');
    await bad({ ...base, username: 'ok.user', role: 'it_admin' }, 'wardIds');
    await bad({ ...base, username: 'ok.user', role: 'superuser' }, 'role');
    // Case is normalised, so a duplicate in capitals is still a duplicate.
    const dup = await api('POST', '/api/users', { cookie: admin, body: { ...base, username: 'Demo-Nurse' } });
    expect(dup.status).toBe(409);
  });

  it('a new user signs in with the one-time password, can open nothing but /me, /password and /logout, then changes it', async () => {
    const { user, oneTimePassword } = await createNurse('  New.Nurse ', 'New Nurse');
    expect(user).toMatchObject({
      username: 'new.nurse',
      role: 'nurse',
      wardIds: [sys.wardId],
      isActive: true,
      mustChangePassword: true,
      lastSignInAt: null,
      signsInWith: { password: true, directory: false },
      lockedOutUntil: null,
    });
    expect(oneTimePassword).toMatch(/^[a-z0-9]{4}(-[a-z0-9]{4}){3}$/);

    const first = await signIn('new.nurse', oneTimePassword);
    expect(first.status).toBe(200);
    expect(first.body.user).toMatchObject({ username: 'new.nurse', mustChangePassword: true, wardIds: [sys.wardId] });
    const second = await signIn('new.nurse', oneTimePassword); // e.g. another browser
    expect(second.status).toBe(200);
    const cookie = first.cookie;

    for (const path of ['/api/wards', `/api/wards/${sys.wardId}/board`, '/api/alerts', '/api/devices', '/api/events', '/api/users']) {
      const res = await api('GET', path, { cookie });
      expect(res.status, path).toBe(403);
      expect(res.body.error.code, path).toBe('password_change_required');
    }
    const stop = await api('POST', `/api/stays/${sys.devices[0]!.stayId}/consent/stop`, { cookie });
    expect(stop.status).toBe(403);
    expect(stop.body.error.code).toBe('password_change_required');
    const me = await api('GET', '/api/auth/me', { cookie });
    expect(me.status).toBe(200);
    expect(me.body.user).toMatchObject({ username: 'new.nurse', mustChangePassword: true });

    const change = (body: Json) => api('POST', '/api/auth/password', { cookie, body });
    expect((await change({ currentPassword: oneTimePassword, newPassword: 'short' })).status).toBe(400);
    expect((await change({ currentPassword: oneTimePassword, newPassword: 'New.Nurse' + '' })).status).toBe(400);
    expect((await change({ currentPassword: oneTimePassword, newPassword: '  new.nurse   ' })).status).toBe(400);
    expect((await change({ currentPassword: oneTimePassword, newPassword: 'x'.repeat(201) })).status).toBe(400);
    const wrongCurrent = await change({ currentPassword: 'not-the-password', newPassword: 'a calm ward at night' });
    expect(wrongCurrent.status).toBe(400);
    expect(wrongCurrent.body.error.fields).toHaveProperty('currentPassword');

    const newPassword = 'a calm ward at night';
    secrets.push(newPassword);
    const changed = await change({ currentPassword: oneTimePassword, newPassword });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    expect(changed.body.user.mustChangePassword).toBe(false);

    // This session now opens the staff API; the other one ended; the one-time password is gone.
    expect((await api('GET', '/api/wards', { cookie })).status).toBe(200);
    expect((await api('GET', '/api/auth/me', { cookie: second.cookie })).status).toBe(401);
    expect((await signIn('new.nurse', oneTimePassword)).status).toBe(401);
    const again = await signIn('NEW.NURSE', newPassword);
    expect(again.status).toBe(200);
    expect(again.body.user.mustChangePassword).toBe(false);

    const row = await listed(user.id);
    expect(row.mustChangePassword).toBe(false);
    expect(Date.parse(row.lastSignInAt)).toBeGreaterThan(Date.parse(user.createdAt) - 1);
  });

  it('role and ward changes apply to the next request of a live session', async () => {
    const { user, oneTimePassword } = await createNurse('mover', 'Mo Ver');
    const { cookie } = await signIn('mover', oneTimePassword);
    await api('POST', '/api/auth/password', { cookie, body: { currentPassword: oneTimePassword, newPassword: 'moving between wards' } });
    secrets.push('moving between wards');

    const patch = (body: Json) => api('PATCH', `/api/users/${user.id}`, { cookie: admin, body });
    // it_admin with wards left over is refused, as is a nurse with none.
    expect((await patch({ role: 'it_admin' })).status).toBe(400);
    expect((await patch({ wardIds: [] })).status).toBe(400);
    expect((await patch({ wardIds: ['00000000-0000-4000-8000-000000000000'] })).status).toBe(400);

    const moved = await patch({ role: 'charge_nurse', wardIds: [wardB], displayName: 'Mo Ver-Moved' });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    expect(moved.body.user).toMatchObject({ role: 'charge_nurse', wardIds: [wardB], displayName: 'Mo Ver-Moved' });
    expect(moved.body.user.wards).toEqual([{ id: wardB, name: 'Ward B (user admin test)' }]);
    const me = await api('GET', '/api/auth/me', { cookie });
    expect(me.body.user).toMatchObject({ role: 'charge_nurse', wardIds: [wardB], displayName: 'Mo Ver-Moved' });

    const toAdmin = await patch({ role: 'it_admin', wardIds: [] });
    expect(toAdmin.status).toBe(200);
    expect((await api('GET', '/api/auth/me', { cookie })).body.user).toMatchObject({ role: 'it_admin', wardIds: [] });
    expect((await api('GET', '/api/users', { cookie })).status).toBe(200);
    expect((await patch({ role: 'nurse', wardIds: [sys.wardId] })).status).toBe(200);
    expect((await api('GET', '/api/users', { cookie })).status).toBe(403);
    // A role change alone keeps the wards the user has.
    const promoted = await patch({ role: 'charge_nurse' });
    expect(promoted.status, JSON.stringify(promoted.body)).toBe(200);
    expect(promoted.body.user).toMatchObject({ role: 'charge_nurse', wardIds: [sys.wardId] });

    expect((await api('PATCH', '/api/users/not-a-uuid', { cookie: admin, body: { displayName: 'x' } })).status).toBe(404);
    expect((await api('PATCH', '/api/users/00000000-0000-4000-8000-000000000000', { cookie: admin, body: {} })).status).toBe(404);
    expect((await patch({ password: 'sneaky' })).status).toBe(400);
  });

  it('deactivation ends a live session at once; reactivation lets the user sign in again', async () => {
    const cookie = await sys.login('demo-charge');
    const chargeId = (await api('GET', '/api/auth/me', { cookie })).body.user.id;
    expect((await api('GET', '/api/wards', { cookie })).status).toBe(200);

    const off = await api('POST', `/api/users/${chargeId}/deactivate`, { cookie: admin });
    expect(off.status).toBe(200);
    expect(off.body.user.isActive).toBe(false);
    expect((await api('GET', '/api/wards', { cookie })).status).toBe(401);
    expect((await api('GET', '/api/auth/me', { cookie })).status).toBe(401);
    expect((await signIn('demo-charge', 'demo-charge')).status).toBe(401);

    const on = await api('POST', `/api/users/${chargeId}/reactivate`, { cookie: admin });
    expect(on.status).toBe(200);
    expect(on.body.user.isActive).toBe(true);
    expect((await signIn('demo-charge', 'demo-charge')).status).toBe(200);
  });

  it('an admin cannot deactivate, demote or reset themselves (409)', async () => {
    const self = await api('POST', `/api/users/${adminId}/deactivate`, { cookie: admin });
    expect(self.status).toBe(409);
    // A reset ends all the user's sessions: one's own would end before the new password is read.
    const reset = await api('POST', `/api/users/${adminId}/reset-password`, { cookie: admin });
    expect(reset.status).toBe(409);
    expect(reset.body.oneTimePassword).toBeUndefined();
    const demote = await api('PATCH', `/api/users/${adminId}`, { cookie: admin, body: { role: 'nurse', wardIds: [sys.wardId] } });
    expect(demote.status).toBe(409);
    expect((await api('GET', '/api/users', { cookie: admin })).status).toBe(200);
    // Renaming oneself is fine.
    expect((await api('PATCH', `/api/users/${adminId}`, { cookie: admin, body: { displayName: 'Demo IT Admin' } })).status).toBe(200);
  });

  it('a reset lifts a sign-in lockout, ends sessions and forces a new password', async () => {
    const { user, oneTimePassword } = await createNurse('forgetful', 'For Getful');
    const { cookie: live } = await signIn('forgetful', oneTimePassword);
    for (let i = 0; i < 6; i++) expect((await signIn('forgetful', `wrong-${i}`)).status).toBe(401);
    const locked = await signIn('forgetful', oneTimePassword);
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await listed(user.id)).lockedOutUntil).not.toBeNull();

    const reset = await api('POST', `/api/users/${user.id}/reset-password`, { cookie: admin });
    expect(reset.status).toBe(200);
    expect(reset.body.oneTimePassword).not.toBe(oneTimePassword);
    secrets.push(reset.body.oneTimePassword);
    expect(reset.body.user).toMatchObject({ mustChangePassword: true, lockedOutUntil: null });
    expect((await api('GET', '/api/auth/me', { cookie: live })).status).toBe(401);

    expect((await signIn('forgetful', oneTimePassword)).status).toBe(401);
    const fresh = await signIn('forgetful', reset.body.oneTimePassword);
    expect(fresh.status).toBe(200);
    expect(fresh.body.user.mustChangePassword).toBe(true);
    expect((await api('GET', '/api/wards', { cookie: fresh.cookie })).body.error.code).toBe('password_change_required');
  });

  it('a directory-only user (no password) cannot sign in with a password: the same 401', async () => {
    await sys.server.db.query(
      `insert into app_user (username, display_name, role, password_hash, oidc_issuer, oidc_subject) values ('dir.user', 'Dir User', 'it_admin', null, 'https://idp.example', 'sub-1')`,
    );
    const res = await signIn('dir.user', 'anything-at-all');
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('invalid_credentials');
    const row = (await api('GET', '/api/users', { cookie: admin })).body.users.find((u: Json) => u.username === 'dir.user');
    expect(row.signsInWith).toEqual({ password: false, directory: true });
    // Nor can an administrator give them one: that would be a way in the directory does not control.
    const reset = await api('POST', `/api/users/${row.id}/reset-password`, { cookie: admin });
    expect(reset.status).toBe(409);
    expect(reset.body.oneTimePassword).toBeUndefined();
    const [stored] = await sys.server.db.query<{ password_hash: string | null }>(`select password_hash from app_user where id = $1`, [
      row.id,
    ]);
    expect(stored!.password_hash).toBeNull();
  });

  it('writes every action to audit_log, and never a password', async () => {
    const rows = await sys.server.db.query<{ action: string; actor_user_id: string | null; detail: unknown }>(
      `select action, actor_user_id, detail from audit_log where action like 'user.%' or action like 'auth.password%'`,
    );
    const actions = new Set(rows.map((r) => r.action));
    for (const action of [
      'user.created',
      'user.updated',
      'user.password_reset',
      'user.deactivated',
      'user.reactivated',
      'auth.password_changed',
      'auth.password_change_failed',
    ]) {
      expect(actions, action).toContain(action);
    }
    for (const r of rows.filter((r) => r.action.startsWith('user.'))) expect(r.actor_user_id).toBe(adminId);
    const all = JSON.stringify(await sys.server.db.query(`select * from audit_log`));
    expect(secrets.length).toBeGreaterThanOrEqual(5);
    for (const secret of secrets) expect(all).not.toContain(secret);
    expect(all).not.toMatch(/scrypt\$/);
  });
});
