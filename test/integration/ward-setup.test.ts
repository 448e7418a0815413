/**
 * Ward and bed setup as an IT admin does it, end to end through HTTP: create, rename, reorder and
 * retire wards and beds; a bed with a patient or a device in it, and a ward with beds in use, is
 * not retired and the refusal says why; names are unique and safe; nurses and charge nurses are
 * refused; a retired bed or ward leaves the board, admission, the tablet's ward list and users'
 * ward choices while its history stays readable; every change is in audit_log. Runs on the
 * embedded defaults and, when configured, on PostgreSQL + Mosquitto.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, type Json } from '../support/api.ts';
import { backends, startTestSystem, type TestSystem } from '../support/system.ts';

describe.each(backends())('ward and bed setup on $label', (backend) => {
  let sys: TestSystem;
  let admin: string;
  let nurse: string;
  let charge: string;

  beforeAll(async () => {
    sys = await startTestSystem({ backend });
    admin = await sys.login('demo-it');
    nurse = await sys.login('demo-nurse');
    charge = await sys.login('demo-charge');
  });
  afterAll(async () => sys?.stop());

  const api = (method: string, path: string, opts: { cookie?: string; body?: unknown } = {}) => call(sys.baseUrl, method, path, opts);
  /** A setup call as the IT admin that must answer `status`; its ward. */
  const setup = async (method: string, path: string, body: unknown, status: number) => {
    const res = await api(method, path, { cookie: admin, body });
    expect(res.status, `${method} ${path}: ${JSON.stringify(res.body)}`).toBe(status);
    return res.body.ward as Json;
  };
  const createWard = (name: string) => setup('POST', '/api/wards', { name }, 201);
  const addBed = (wardId: string, label: string) => setup('POST', `/api/wards/${wardId}/beds`, { label }, 201);
  const refusal = async (method: string, path: string, status: number, body?: unknown) => {
    const res = await api(method, path, { cookie: admin, body });
    expect(res.status, JSON.stringify(res.body)).toBe(status);
    return res.body.error as { code: string; message: string; fields?: Record<string, string> };
  };
  const labels = (ward: Json) => ward.beds.filter((b: Json) => !b.retiredAt).map((b: Json) => b.label);
  const boardLabels = async (wardId: string) => {
    const res = await api('GET', `/api/wards/${wardId}/board`, { cookie: nurse });
    expect(res.status).toBe(200);
    return res.body.beds.map((b: Json) => b.label);
  };

  it('requires a session (401) and the it_admin role (403 for nurses and charge nurses)', async () => {
    const bedId = sys.devices[0]!.bedId;
    const routes: [string, string, unknown][] = [
      ['GET', '/api/wards/setup', undefined],
      ['POST', '/api/wards', { name: 'Ward Nope' }],
      ['PATCH', `/api/wards/${sys.wardId}`, { name: 'Ward Nope' }],
      ['POST', `/api/wards/${sys.wardId}/retire`, undefined],
      ['POST', `/api/wards/${sys.wardId}/beds`, { label: 'Bed Nope' }],
      ['PUT', `/api/wards/${sys.wardId}/bed-order`, { bedIds: [bedId] }],
      ['PATCH', `/api/beds/${bedId}`, { label: 'Bed Nope' }],
      ['POST', `/api/beds/${bedId}/retire`, undefined],
    ];
    for (const [method, path, body] of routes) {
      expect((await api(method, path, { body })).status, `${method} ${path} anonymous`).toBe(401);
      for (const cookie of [nurse, charge]) expect((await api(method, path, { cookie, body })).status, `${method} ${path}`).toBe(403);
    }
    expect((await api('GET', '/api/wards/setup', { cookie: admin })).status).toBe(200);
  });

  it('creates a ward with beds at the end of the board, renames and reorders them, never showing a patient', async () => {
    const ward = await createWard('  Ward Setup One  ');
    expect(ward).toMatchObject({ name: 'Ward Setup One', retiredAt: null, beds: [] });
    await addBed(ward.id, 'Bed 1');
    const two = await addBed(ward.id, 'Bed 2');
    expect(two.beds.map((b: Json) => [b.label, b.position, b.device])).toEqual([
      ['Bed 1', 1, null],
      ['Bed 2', 2, null],
    ]);
    const renamed = await setup('PATCH', `/api/wards/${ward.id}`, { name: 'Ward Setup 1' }, 200);
    expect(renamed.name).toBe('Ward Setup 1');
    const [bed1, bed2] = two.beds as Json[];
    expect(labels(await setup('PATCH', `/api/beds/${bed2.id}`, { label: 'Window bed' }, 200))).toEqual(['Bed 1', 'Window bed']);
    expect(labels(await setup('PUT', `/api/wards/${ward.id}/bed-order`, { bedIds: [bed2.id, bed1.id] }, 200))).toEqual([
      'Window bed',
      'Bed 1',
    ]);
    const order = await refusal('PUT', `/api/wards/${ward.id}/bed-order`, 400, { bedIds: [bed1.id] });
    expect(order.fields?.bedIds).toMatch(/each of the ward's 2 beds in use exactly once/);

    // The seeded ward's beds show their devices; the list holds no patient.
    const list = await api('GET', '/api/wards/setup', { cookie: admin });
    const seeded = list.body.wards.find((w: Json) => w.id === sys.wardId);
    expect(seeded.beds[0].device).toEqual({ id: sys.devices[0]!.deviceId, state: expect.any(String) });
    expect(JSON.stringify(list.body)).not.toMatch(/Patient \d/);
    expect(list.body.wards.map((w: Json) => w.name)).toEqual(expect.arrayContaining(['Ward Setup 1']));
  });

  it('refuses duplicate ward names (retired wards too, case ignored) and duplicate labels among active beds', async () => {
    const ward = await createWard('Ward Dup');
    for (const name of ['Ward Dup', 'ward dup', ' WARD DUP ']) {
      const error = await refusal('POST', '/api/wards', 409, { name });
      expect(error.message).toBe(`A ward named “${name.trim()}” already exists (a retired ward keeps its name): choose another name.`);
      expect(error.fields).toEqual({ name: 'taken' });
    }
    const other = await createWard('Ward Dup Two');
    expect((await refusal('PATCH', `/api/wards/${other.id}`, 409, { name: 'Ward Dup' })).message).toMatch(/already exists/);

    const bed = (await addBed(ward.id, 'Bed A')).beds[0];
    const dup = await refusal('POST', `/api/wards/${ward.id}/beds`, 409, { label: 'bed a' });
    expect(dup.message).toBe('Ward Dup already has a bed labelled “bed a”: choose another label.');
    const second = (await addBed(ward.id, 'Bed B')).beds[1];
    expect((await refusal('PATCH', `/api/beds/${second.id}`, 409, { label: 'Bed A' })).fields).toEqual({ label: 'taken' });
    // Two IT admins adding the same label at once: the ward's lock lets exactly one in.
    const racing = await Promise.all(
      [1, 2].map(() => api('POST', `/api/wards/${other.id}/beds`, { cookie: admin, body: { label: 'Bed Race' } })),
    );
    expect(racing.map((r) => r.status).sort()).toEqual([201, 409]);
    // A bed in another ward may have the label; a retired bed's label may be used again.
    await addBed(other.id, 'Bed A');
    await setup('POST', `/api/beds/${bed.id}/retire`, undefined, 200);
    const reused = await addBed(ward.id, 'Bed A');
    expect(labels(reused)).toEqual(['Bed B', 'Bed A']);
    expect(reused.beds.map((b: Json) => b.position)).toEqual([2, 3, 1]);

    // A retired ward keeps its name.
    for (const b of reused.beds.filter((x: Json) => !x.retiredAt)) await setup('POST', `/api/beds/${b.id}/retire`, undefined, 200);
    await setup('POST', `/api/wards/${ward.id}/retire`, undefined, 200);
    expect((await refusal('POST', '/api/wards', 409, { name: 'Ward Dup' })).message).toMatch(/a retired ward keeps its name/);
  });

  it('refuses unsafe, empty, overlong and extra fields with the field named (400)', async () => {
    const bedId = sys.devices[0]!.bedId;
    const hostile: unknown[] = ['', '   ', 'a\u0000b', '\u001b[31mred', 'Ward\nTwo', 'x\ud800', '\ufdd0', 'x'.repeat(61), 42, null];
    for (const name of hostile) {
      const error = await refusal('POST', '/api/wards', 400, { name });
      expect(Object.keys(error.fields ?? {}), JSON.stringify(name)).toEqual(['name']);
      expect((await refusal('POST', `/api/wards/${sys.wardId}/beds`, 400, { label: name })).fields).toHaveProperty('label');
      expect((await refusal('PATCH', `/api/beds/${bedId}`, 400, { label: name })).fields).toHaveProperty('label');
    }
    expect((await refusal('POST', '/api/wards', 400, { name: 'Ward x', id: randomUUID() })).code).toBe('validation_failed');
    expect((await refusal('POST', '/api/wards', 400, { name: 'a\u0000b' })).fields?.name).toContain('U+0000');
    expect((await refusal('PATCH', `/api/wards/not-a-uuid`, 404, { name: 'Ward x' })).code).toBe('not_found');
    expect((await refusal('POST', `/api/beds/${randomUUID()}/retire`, 404)).message).toBe('No such bed');
    const names = (await api('GET', '/api/wards/setup', { cookie: admin })).body.wards.map((w: Json) => w.name);
    expect(names.filter((n: string) => [...n].some((ch) => ch.charCodeAt(0) < 0x20))).toEqual([]);
  });

  it('refuses to retire a bed with a patient in it, then retires it after the discharge; its history stays readable', async () => {
    const ward = await addBed(sys.wardId, 'Bed Occupied');
    const bed = ward.beds.find((b: Json) => b.label === 'Bed Occupied');
    const admitted = await api('POST', '/api/stays', { cookie: charge, body: { bedId: bed.id, displayName: 'Retire Test Patient' } });
    expect(admitted.status, JSON.stringify(admitted.body)).toBe(201);
    const stayId = admitted.body.stay.id;

    const error = await refusal('POST', `/api/beds/${bed.id}/retire`, 409);
    expect(error.code).toBe('bed_has_active_stay');
    expect(error.message).toMatch(
      /^Bed Occupied on Test ward .+ has a patient in it: a charge nurse must discharge or transfer the patient/,
    );
    expect(error.message).not.toContain('Retire Test Patient');
    expect(await boardLabels(sys.wardId)).toContain('Bed Occupied');

    expect((await api('POST', `/api/stays/${stayId}/discharge`, { cookie: charge })).status).toBe(200);
    const retired = await setup('POST', `/api/beds/${bed.id}/retire`, undefined, 200);
    expect(retired.beds.find((b: Json) => b.id === bed.id).retiredAt).toEqual(expect.any(String));
    // Retiring twice changes nothing; a retired bed is not renamed.
    await setup('POST', `/api/beds/${bed.id}/retire`, undefined, 200);
    expect((await refusal('PATCH', `/api/beds/${bed.id}`, 409, { label: 'Bed Back' })).message).toMatch(/is retired: it cannot be renamed/);

    expect(await boardLabels(sys.wardId)).not.toContain('Bed Occupied');
    const readmit = await api('POST', '/api/stays', { cookie: charge, body: { bedId: bed.id, displayName: 'Late Patient' } });
    expect(readmit.status).toBe(404);
    const history = await api('GET', `/api/stays/${stayId}`, { cookie: charge });
    expect(history.status).toBe(200);
    expect(history.body.stay).toMatchObject({ bedLabel: 'Bed Occupied', patientName: 'Retire Test Patient' });
  });

  it('lets an admission and a retirement of the same bed take turns: never a patient in a retired bed', async () => {
    const labels = ['Race 1', 'Race 2', 'Race 3', 'Race 4'];
    for (const label of labels) await addBed(sys.wardId, label);
    const setupWard = (await api('GET', '/api/wards/setup', { cookie: admin })).body.wards.find((w: Json) => w.id === sys.wardId);
    for (const label of labels) {
      const bed = setupWard.beds.find((b: Json) => b.label === label);
      const [admit, retire] = await Promise.all([
        api('POST', '/api/stays', { cookie: charge, body: { bedId: bed.id, displayName: `Racer ${label}` } }),
        api('POST', `/api/beds/${bed.id}/retire`, { cookie: admin }),
      ]);
      if (admit.status === 201) expect([retire.status, retire.body.error?.code]).toEqual([409, 'bed_has_active_stay']);
      else
        expect([retire.status, admit.status], JSON.stringify(admit.body)).toEqual([
          200,
          expect.toSatisfy((s: number) => s === 404 || s === 409),
        ]);
    }
    const [both] = await sys.server.db.query<{ n: number }>(
      `select count(*)::int as n from stay join bed on bed.id = stay.bed_id where stay.discharged_at is null and bed.retired_at is not null`,
    );
    expect(both!.n).toBe(0);
  });

  it('refuses to retire a bed a device still serves, and says to decommission or move the device', async () => {
    const free = sys.devices[3]!;
    expect(free.stayId).toBeNull();
    const error = await refusal('POST', `/api/beds/${free.bedId}/retire`, 409);
    expect(error.code).toBe('bed_has_device');
    expect(error.message).toContain(`still has device ${free.deviceId} on it: decommission the device or move it to another bed first`);
    expect(await boardLabels(sys.wardId)).toContain('Bed 4');
  });

  it('refuses to retire a ward with beds in use; a retired ward leaves ward lists, the tablet and user choices', async () => {
    const ward = await createWard('Ward Closing');
    await addBed(ward.id, 'Bed 1');
    await addBed(ward.id, 'Bed 2');
    const error = await refusal('POST', `/api/wards/${ward.id}/retire`, 409);
    expect(error).toMatchObject({ code: 'ward_has_active_beds' });
    expect(error.message).toBe('Ward Closing still has 2 beds in use (Bed 1, Bed 2): retire every bed of the ward first, then the ward.');
    const itWards = async () => (await api('GET', '/api/wards', { cookie: admin })).body.wards.map((w: Json) => w.name);
    expect(await itWards()).toContain('Ward Closing');

    const current = (await api('GET', '/api/wards/setup', { cookie: admin })).body.wards.find((w: Json) => w.id === ward.id);
    for (const b of current.beds) await setup('POST', `/api/beds/${b.id}/retire`, undefined, 200);
    const retired = await setup('POST', `/api/wards/${ward.id}/retire`, undefined, 200);
    expect(retired.retiredAt).toEqual(expect.any(String));
    expect((await refusal('POST', `/api/wards/${ward.id}/beds`, 409, { label: 'Bed 3' })).message).toBe(
      'Ward Closing is retired: beds cannot be added to it.',
    );

    expect(await itWards()).not.toContain('Ward Closing');
    const tabletWards = await api('GET', '/api/tablet/wards');
    expect(tabletWards.body.wards.map((w: Json) => w.id)).not.toContain(ward.id);
    const users = await api('GET', '/api/users', { cookie: admin });
    expect(users.body.wards.map((w: Json) => w.id)).not.toContain(ward.id);
    const create = await api('POST', '/api/users', {
      cookie: admin,
      body: { username: 'closing-nurse', displayName: 'Closing Nurse', role: 'nurse', wardIds: [ward.id] },
    });
    expect(create.status).toBe(400);
    // Setup still lists it, after the wards in use.
    const list = (await api('GET', '/api/wards/setup', { cookie: admin })).body.wards as Json[];
    const index = list.findIndex((w) => w.id === ward.id);
    expect(list.slice(index).every((w) => w.retiredAt !== null)).toBe(true);
  });

  it('writes every change to audit_log with the IT admin as actor', async () => {
    const me = (await api('GET', '/api/auth/me', { cookie: admin })).body.user.id;
    const rows = await sys.server.db.query<{ action: string; actor_user_id: string; subject_type: string; detail: Json }>(
      `select action, actor_user_id, subject_type, detail from audit_log where action like 'ward.%' or action like 'bed.%'`,
    );
    const actions = new Set(rows.map((r) => r.action));
    for (const action of ['ward.created', 'ward.renamed', 'ward.retired', 'bed.created', 'bed.renamed', 'bed.reordered', 'bed.retired']) {
      expect(actions, action).toContain(action);
    }
    expect(rows.every((r) => r.actor_user_id === me)).toBe(true);
    expect(rows.find((r) => r.action === 'ward.renamed')?.detail).toEqual({ from: 'Ward Setup One', to: 'Ward Setup 1' });
    // Refusals and repeats write nothing: one retirement per bed retired.
    const retiredBeds = await sys.server.db.query<{ n: number }>(`select count(*)::int as n from bed where retired_at is not null`);
    expect(rows.filter((r) => r.action === 'bed.retired')).toHaveLength(retiredBeds[0]!.n);
  });
});
