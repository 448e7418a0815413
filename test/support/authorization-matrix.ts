/**
 * The authorization matrix's entries: for every route of the HTTP app, the request each kind of
 * caller sends and the status it must get (test/integration/authorization-matrix.test.ts runs it).
 */
import { randomUUID } from 'node:crypto';
import { fleetEntries } from './authorization-matrix-fleet.ts';
import { wardSetupEntries } from './authorization-matrix-setup.ts';
export const CALLERS = ['anonymous', 'nurseA', 'chargeA', 'nurseB', 'chargeB', 'itAdmin', 'tablet'] as const;
export type Caller = (typeof CALLERS)[number];

/** What one caller's copy of ward A holds. */
export interface WardFixture {
  wardId: string;
  /** Consented stay with a clinical alert, a technical alert on its device, and the caller's tablet. */
  mainStayId: string;
  mainBedId: string;
  /** The bedside device on the main bed. */
  mainDeviceId: string;
  transferStayId: string;
  dischargeStayId: string;
  stopStayId: string;
  freeBedId: string;
  freeBed2Id: string;
  clinicalAlertId: string;
  technicalAlertId: string;
  /** A nurse account on ward A that user administration acts on. */
  targetUserId: string;
  consentTextHash: string;
}

export interface MatrixRequest {
  method: string;
  path: string;
  body?: unknown;
  /** Server-sent events: read the status, then hang up. */
  stream?: boolean;
}

/** Expected status per caller; a list where either answer is right (e.g. 200 or 409 for the second acknowledgement). */
export type Expected = Record<Caller, number | readonly number[]>;

export const staff = (e: Omit<Expected, 'anonymous' | 'tablet'>): Expected => ({ anonymous: 401, tablet: 403, ...e });
/** Every caller gets the same answer: the route is public (or about the caller's own session). */
export const everyone = (status: number | readonly number[]): Expected =>
  Object.fromEntries(CALLERS.map((caller) => [caller, status])) as Expected;
/** Only the bedside tablet's session opens it; a staff cookie is not a tablet session. */
export const tabletOnly = (status: number): Expected => ({ ...everyone(401), tablet: status });
export const CLINICAL_OF_WARD_A = (okNurse: number | readonly number[], okCharge = okNurse) =>
  staff({ nurseA: okNurse, chargeA: okCharge, nurseB: 404, chargeB: 404, itAdmin: 403 });
export const CHARGE_OF_WARD_A = (ok: number | readonly number[]) =>
  staff({ nurseA: 403, chargeA: ok, nurseB: 403, chargeB: 404, itAdmin: 403 });
export const IT_ONLY = (ok: number | readonly number[]) => staff({ nurseA: 403, chargeA: 403, nurseB: 403, chargeB: 403, itAdmin: ok });

export interface MatrixEntry {
  request: (f: WardFixture) => MatrixRequest;
  expected: Expected;
  why: string;
}

/**
 * Keyed by `METHOD path` exactly as the route table names it. Entries run in this order for each
 * caller, so routes that end a session or a stay come last.
 */
export const MATRIX: Record<string, MatrixEntry[]> = {
  'GET /healthz': [{ request: () => ({ method: 'GET', path: '/healthz' }), expected: everyone(200), why: 'liveness for the orchestrator' }],
  'GET /readyz': [
    { request: () => ({ method: 'GET', path: '/readyz' }), expected: everyone([200, 503]), why: 'readiness for the orchestrator' },
  ],
  'GET /metrics': [
    {
      request: () => ({ method: 'GET', path: '/metrics' }),
      expected: everyone(200),
      why: 'Prometheus scrape; counters and device ids only, no patient data',
    },
  ],
  'GET /api/auth/me': [
    { request: () => ({ method: 'GET', path: '/api/auth/me' }), expected: staff(everyStaff(200)), why: 'who is signed in' },
  ],
  'GET /api/auth/options': [
    {
      request: () => ({ method: 'GET', path: '/api/auth/options' }),
      expected: everyone(200),
      why: 'public: whether the sign-in page offers single sign-on (the SSO flow routes exist only when it is configured)',
    },
  ],
  // Single sign-on is configured with a directory that does not answer: the routes exist and refuse
  // the same way for everyone (the flow is tested end to end in oidc.test.ts).
  'GET /api/auth/oidc/start': [
    {
      request: () => ({ method: 'GET', path: '/api/auth/oidc/start' }),
      expected: everyone(503),
      why: 'public: starts a directory sign-in (here the directory is down)',
    },
  ],
  'GET /api/auth/oidc/callback': [
    {
      request: () => ({ method: 'GET', path: '/api/auth/oidc/callback?code=forged&state=forged' }),
      expected: everyone(303),
      why: 'public: without the browser’s own flow cookie, back to the sign-in page with a reason',
    },
  ],
  'POST /api/auth/login': [
    {
      // A different unknown name per caller: the sign-in throttle would lock one name after 5 failures.
      request: (f) => ({
        method: 'POST',
        path: '/api/auth/login',
        body: { username: `nobody-${f.wardId.slice(0, 8)}`, password: 'wrong password' },
      }),
      expected: everyone(401),
      why: 'public: the credentials decide',
    },
  ],
  'GET /api/tablet/wards': [
    {
      request: () => ({ method: 'GET', path: '/api/tablet/wards' }),
      expected: everyone(200),
      why: 'public: ward names for a tablet typing a pairing code (no patient data)',
    },
  ],
  'GET /api/tablet/texts/:lang': [
    {
      request: () => ({ method: 'GET', path: '/api/tablet/texts/en' }),
      expected: tabletOnly(200),
      why: 'the consent text the tablet shows',
    },
  ],
  'GET /api/tablet/state': [
    { request: () => ({ method: 'GET', path: '/api/tablet/state' }), expected: tabletOnly(200), why: 'the tablet reads its own stay' },
  ],
  'POST /api/tablet/consent': [
    {
      request: (f) => ({
        method: 'POST',
        path: '/api/tablet/consent',
        body: { camera: false, wearable: true, actor: 'patient', typedName: 'Patient 1', language: 'en', textHash: f.consentTextHash },
      }),
      expected: tabletOnly(200),
      why: 'the patient records a choice on the paired tablet only',
    },
  ],
  'GET /api/wards': [
    {
      request: () => ({ method: 'GET', path: '/api/wards' }),
      expected: staff(everyStaff(200)),
      why: 'own wards for nurses, every ward (names only) for it_admin',
    },
  ],
  'GET /api/wards/:wardId/board': [
    {
      request: (f) => ({ method: 'GET', path: `/api/wards/${f.wardId}/board` }),
      expected: CLINICAL_OF_WARD_A(200),
      why: 'names and scores: the ward’s own nurses only',
    },
    {
      request: () => ({ method: 'GET', path: `/api/wards/${randomUUID()}/board` }),
      expected: staff({ nurseA: 404, chargeA: 404, nurseB: 404, chargeB: 404, itAdmin: 403 }),
      why: 'an unknown ward answers like another ward',
    },
  ],
  // Ward and bed setup: it_admin only. Run before any stay on ward A ends, so the refusals hold.
  ...wardSetupEntries(IT_ONLY),
  'GET /api/alerts': [
    {
      request: () => ({ method: 'GET', path: '/api/alerts' }),
      expected: staff(everyStaff(200)),
      why: 'own wards’ alerts; technical alerts only for it_admin',
    },
  ],
  'GET /api/alerts/quality': [
    {
      request: (f) => ({ method: 'GET', path: `/api/alerts/quality?wardId=${f.wardId}` }),
      expected: CHARGE_OF_WARD_A(200),
      why: 'alarm-fatigue review for the ward’s charge nurse',
    },
  ],
  'GET /api/alerts/:id': [
    {
      request: (f) => ({ method: 'GET', path: `/api/alerts/${f.clinicalAlertId}` }),
      expected: staff({ nurseA: 200, chargeA: 200, nurseB: 404, chargeB: 404, itAdmin: 404 }),
      why: 'a clinical alert: the ward’s nurses only; to technical staff it does not exist',
    },
    {
      request: (f) => ({ method: 'GET', path: `/api/alerts/${f.technicalAlertId}` }),
      expected: staff({ nurseA: 200, chargeA: 200, nurseB: 404, chargeB: 404, itAdmin: 200 }),
      why: 'a technical alert: the ward’s nurses and technical staff',
    },
  ],
  'POST /api/alerts/:id/acknowledge': [
    {
      request: (f) => ({ method: 'POST', path: `/api/alerts/${f.clinicalAlertId}/acknowledge` }),
      expected: staff({ nurseA: 200, chargeA: 200, nurseB: 404, chargeB: 404, itAdmin: 404 }),
      why: 'technical staff cannot act on clinical alerts',
    },
    {
      request: (f) => ({ method: 'POST', path: `/api/alerts/${f.technicalAlertId}/acknowledge` }),
      expected: staff({ nurseA: 200, chargeA: 200, nurseB: 404, chargeB: 404, itAdmin: 200 }),
      why: 'technical alerts: the ward’s nurses and technical staff',
    },
  ],
  'POST /api/alerts/:id/resolve': [
    {
      request: (f) => ({ method: 'POST', path: `/api/alerts/${f.clinicalAlertId}/resolve`, body: { outcome: 'comforted' } }),
      expected: staff({ nurseA: 200, chargeA: 200, nurseB: 404, chargeB: 404, itAdmin: 404 }),
      why: 'technical staff cannot act on clinical alerts',
    },
    {
      request: (f) => ({ method: 'POST', path: `/api/alerts/${f.technicalAlertId}/resolve`, body: { outcome: 'no_action_needed' } }),
      expected: staff({ nurseA: 200, chargeA: 200, nurseB: 404, chargeB: 404, itAdmin: 200 }),
      why: 'technical alerts: the ward’s nurses and technical staff',
    },
  ],
  'GET /api/stays/:stayId': [
    {
      request: (f) => ({ method: 'GET', path: `/api/stays/${f.mainStayId}` }),
      expected: CLINICAL_OF_WARD_A(200),
      why: 'a patient’s stay',
    },
  ],
  'GET /api/stays/:stayId/timeline': [
    {
      request: (f) => ({ method: 'GET', path: `/api/stays/${f.mainStayId}/timeline` }),
      expected: CLINICAL_OF_WARD_A(200),
      why: 'scores and alerts of one patient',
    },
  ],
  'GET /api/stays/:stayId/sensitivity': [
    {
      request: (f) => ({ method: 'GET', path: `/api/stays/${f.mainStayId}/sensitivity` }),
      expected: CLINICAL_OF_WARD_A(200),
      why: 'the stay’s alert sensitivity',
    },
  ],
  'PUT /api/stays/:stayId/sensitivity': [
    {
      request: (f) => ({
        method: 'PUT',
        path: `/api/stays/${f.mainStayId}/sensitivity`,
        body: { sensitivity: 'higher', reason: 'post-operative night' },
      }),
      expected: CHARGE_OF_WARD_A(200),
      why: 'the ward’s charge nurse changes alerting for a patient',
    },
  ],
  'GET /api/stays/:stayId/consent/verify': [
    {
      request: (f) => ({ method: 'GET', path: `/api/stays/${f.mainStayId}/consent/verify` }),
      expected: CLINICAL_OF_WARD_A(200),
      why: 'the consent record',
    },
  ],
  'GET /api/stays/:stayId/consent/fhir': [
    {
      request: (f) => ({ method: 'GET', path: `/api/stays/${f.mainStayId}/consent/fhir` }),
      expected: CLINICAL_OF_WARD_A(200),
      why: 'the consent record as FHIR',
    },
  ],
  'POST /api/stays': [
    {
      request: (f) => ({ method: 'POST', path: '/api/stays', body: { bedId: f.freeBedId, displayName: 'New Patient' } }),
      expected: CHARGE_OF_WARD_A(201),
      why: 'the ward’s charge nurse admits to a bed of the ward',
    },
  ],
  'POST /api/stays/:stayId/transfer': [
    {
      request: (f) => ({ method: 'POST', path: `/api/stays/${f.transferStayId}/transfer`, body: { bedId: f.freeBed2Id } }),
      expected: CHARGE_OF_WARD_A(200),
      why: 'the ward’s charge nurse moves a patient within the ward',
    },
  ],
  'POST /api/stays/:stayId/discharge': [
    {
      request: (f) => ({ method: 'POST', path: `/api/stays/${f.dischargeStayId}/discharge` }),
      expected: CHARGE_OF_WARD_A(200),
      why: 'the ward’s charge nurse ends a stay',
    },
  ],
  'POST /api/stays/:stayId/consent/stop': [
    {
      request: (f) => ({ method: 'POST', path: `/api/stays/${f.stopStayId}/consent/stop` }),
      expected: CLINICAL_OF_WARD_A(200),
      why: '“the patient asked to stop”, from the ward’s board',
    },
  ],
  'POST /api/beds/:bedId/tablet-pairing': [
    {
      request: (f) => ({ method: 'POST', path: `/api/beds/${f.mainBedId}/tablet-pairing` }),
      expected: CLINICAL_OF_WARD_A(201),
      why: 'a pairing code for a bed of the ward',
    },
  ],
  ...fleetEntries(IT_ONLY, everyone),
  'GET /api/events': [
    {
      request: () => ({ method: 'GET', path: '/api/events', stream: true }),
      expected: staff(everyStaff(200)),
      why: 'live events, filtered per user on the server',
    },
  ],
  'GET /api/users': [{ request: () => ({ method: 'GET', path: '/api/users' }), expected: IT_ONLY(200), why: 'user administration' }],
  'POST /api/users': [
    {
      request: () => ({
        method: 'POST',
        path: '/api/users',
        body: { username: `new-${randomUUID().slice(0, 8)}`, displayName: 'New Starter', role: 'it_admin', wardIds: [] },
      }),
      expected: IT_ONLY(201),
      why: 'user administration',
    },
  ],
  'PATCH /api/users/:id': [
    {
      request: (f) => ({ method: 'PATCH', path: `/api/users/${f.targetUserId}`, body: { displayName: 'Renamed Nurse' } }),
      expected: IT_ONLY(200),
      why: 'user administration',
    },
  ],
  'POST /api/users/:id/reset-password': [
    {
      request: (f) => ({ method: 'POST', path: `/api/users/${f.targetUserId}/reset-password` }),
      expected: IT_ONLY(200),
      why: 'user administration',
    },
  ],
  'POST /api/users/:id/deactivate': [
    {
      request: (f) => ({ method: 'POST', path: `/api/users/${f.targetUserId}/deactivate` }),
      expected: IT_ONLY(200),
      why: 'user administration',
    },
  ],
  'POST /api/users/:id/reactivate': [
    {
      request: (f) => ({ method: 'POST', path: `/api/users/${f.targetUserId}/reactivate` }),
      expected: IT_ONLY(200),
      why: 'user administration',
    },
  ],
  'POST /api/tablet/pair': [
    {
      request: (f) => ({ method: 'POST', path: '/api/tablet/pair', body: { wardId: f.wardId, code: '000000' } }),
      expected: everyone([400, 401, 404]),
      why: 'public and rate-limited: a wrong code is refused for everyone',
    },
  ],
  'POST /api/tablet/stop': [
    {
      request: () => ({ method: 'POST', path: '/api/tablet/stop', body: { alsoDelete: false } }),
      expected: tabletOnly(200),
      why: 'the patient stops monitoring from the tablet',
    },
  ],
  'POST /api/auth/password': [
    {
      request: () => ({
        method: 'POST',
        path: '/api/auth/password',
        body: { currentPassword: 'not the password', newPassword: 'a new long passphrase 1' },
      }),
      expected: staff(everyStaff([400, 401, 403])),
      why: 'a signed-in user changes their own password (the current one must be right)',
    },
  ],
  // The main bed's device: rotated, then decommissioned, after every other entry that uses it.
  'POST /api/devices/:deviceId/rotate': [
    {
      request: (f) => ({ method: 'POST', path: `/api/devices/${f.mainDeviceId}/rotate` }),
      expected: IT_ONLY(201),
      why: 'rotating a device’s secret is technical staff’s',
    },
  ],
  'POST /api/devices/:deviceId/decommission': [
    {
      request: (f) => ({ method: 'POST', path: `/api/devices/${f.mainDeviceId}/decommission` }),
      expected: IT_ONLY(200),
      why: 'decommissioning a device is technical staff’s',
    },
  ],
  'POST /api/tablet/unpair': [
    { request: () => ({ method: 'POST', path: '/api/tablet/unpair' }), expected: tabletOnly(204), why: 'the tablet forgets itself' },
  ],
  'POST /api/auth/logout': [
    { request: () => ({ method: 'POST', path: '/api/auth/logout' }), expected: everyone(204), why: 'anyone may end their own session' },
  ],
  // The built dashboard (a single-page app) or, without a build, a line saying how to build it.
  'GET /*': [
    { request: () => ({ method: 'GET', path: '/wards/anything' }), expected: everyone(200), why: 'the dashboard’s pages hold no data' },
  ],
  'GET /': [{ request: () => ({ method: 'GET', path: '/' }), expected: everyone(200), why: 'the dashboard’s pages hold no data' }],
};
/** Routes only present in some configurations (dashboard built or not). */
export const CONDITIONAL_ROUTES = new Set(['GET /*', 'GET /']);

export function everyStaff(status: number | readonly number[]) {
  return { nurseA: status, chargeA: status, nurseB: status, chargeB: status, itAdmin: status };
}
