/**
 * Fetch helpers for the Attune HTTP API (docs/api.md). Every call is relative to this origin and
 * sends the session cookie. A 401 on any call except login sends the user to /login.
 */
import { goto } from '$app/navigation';
import type {
  AdminUserAnswer,
  AdminUserList,
  Alert,
  AlertAnswer,
  AlertList,
  AlertListQuery,
  AlertQuality,
  AlertSensitivity,
  AlertSensitivitySetting,
  AlertWithHistory,
  ApiErrorBody,
  ApiErrorCode,
  AuthOptions,
  Board,
  ConsentTexts,
  ConsentVerification,
  DeviceDetail,
  DeviceList,
  DeviceListQuery,
  NewUser,
  Outcome,
  QualityPeriod,
  SetupWardAnswer,
  SetupWardList,
  Stay,
  StayAnswer,
  TabletAnswer,
  TabletConsentBody,
  TabletPairing,
  TabletState,
  TabletStopResult,
  TabletWardList,
  Timeline,
  User,
  UserAnswer,
  UserChange,
  UserWithOneTimePassword,
  WardList,
} from './types';

export class ApiError extends Error {
  readonly status: number;
  readonly code: ApiErrorCode | 'network';
  readonly fields: Record<string, string>;
  /** Seconds the server asks to wait (Retry-After of a 429), else null. */
  readonly retryAfterS: number | null;

  constructor(
    status: number,
    code: ApiErrorCode | 'network',
    message: string,
    fields: Record<string, string> = {},
    retryAfterS: number | null = null,
  ) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.fields = fields;
    this.retryAfterS = retryAfterS;
  }
}

/** Words a nurse can act on for an error; the server's message is kept where it is specific. */
export function describeError(err: unknown): string {
  if (err instanceof ApiError) {
    switch (err.code) {
      case 'network':
        return 'The Attune server could not be reached. Check the network and try again.';
      case 'conflict':
        return `Someone else has already changed this. ${err.message}`.trim();
      case 'forbidden':
        return 'Your role is not allowed to do this.';
      case 'password_change_required':
        return 'Choose a new password first: reload the page to do so.';
      case 'not_found':
        return 'This could not be found. It may have been removed.';
      case 'validation_failed': {
        const fields = Object.entries(err.fields).map(([k, v]) => `${k}: ${v}`);
        return fields.length ? `${err.message} (${fields.join('; ')})` : err.message;
      }
      default:
        return err.message;
    }
  }
  return 'Something went wrong. Please try again.';
}

let redirecting = false;

/** Send the browser to the sign-in page, remembering where it was. */
export function redirectToLogin(): void {
  if (redirecting || location.pathname === '/login') return;
  redirecting = true;
  const next = location.pathname + location.search;
  void goto(`/login?next=${encodeURIComponent(next)}`, { replaceState: true }).finally(() => {
    redirecting = false;
  });
}

type RequestOptions = {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  body?: unknown;
  redirectOn401?: boolean;
  signal?: AbortSignal;
};

/** One API call: JSON in and out, the session cookie, ApiError on failure (exported for the API modules beside this one). */
export async function request<T>(path: string, opts: RequestOptions = {}): Promise<T> {
  const { method = 'GET', body, redirectOn401 = true, signal } = opts;
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
    });
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw new ApiError(0, 'network', 'Network error');
  }
  if (res.status === 204) return undefined as T;
  let payload: unknown = null;
  const text = await res.text();
  if (text) {
    try {
      payload = JSON.parse(text);
    } catch {
      payload = null;
    }
  }
  if (!res.ok) {
    const e = (payload as ApiErrorBody | null)?.error;
    const retryAfterS = Number(res.headers.get('retry-after') ?? NaN);
    const err = new ApiError(
      res.status,
      e?.code ?? 'internal',
      e?.message ?? `Request failed (${res.status})`,
      e?.fields ?? {},
      Number.isFinite(retryAfterS) ? retryAfterS : null,
    );
    if (res.status === 401 && redirectOn401) redirectToLogin();
    throw err;
  }
  return payload as T;
}

// --- Auth ---

export const login = (username: string, password: string) =>
  request<UserAnswer>('/api/auth/login', { method: 'POST', body: { username, password }, redirectOn401: false });

/** Whether the sign-in page offers single sign-on with the hospital's directory (docs/api.md). */
export const authOptions = () => request<AuthOptions>('/api/auth/options', { redirectOn401: false });

export const logout = () => request<void>('/api/auth/logout', { method: 'POST', redirectOn401: false });

/** The signed-in user, or null when there is no session (does not redirect). */
export async function getMe(): Promise<User | null> {
  try {
    const { user } = await request<UserAnswer>('/api/auth/me', { redirectOn401: false });
    return user;
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return null;
    throw err;
  }
}

/** The signed-in user replaces their password (required after an administrator set it); other sessions end. */
export const changePassword = (currentPassword: string, newPassword: string) =>
  request<UserAnswer>('/api/auth/password', { method: 'POST', body: { currentPassword, newPassword } }).then((r) => r.user);

// --- User administration (it_admin) ---

export const getUsers = () => request<AdminUserList>('/api/users');

/** Creates a user; the answer carries their one-time password, shown once. */
export const createUser = (user: NewUser) => request<UserWithOneTimePassword>('/api/users', { method: 'POST', body: user });

export const updateUser = (id: string, change: UserChange) =>
  request<AdminUserAnswer>(`/api/users/${encodeURIComponent(id)}`, { method: 'PATCH', body: change }).then((r) => r.user);

export const resetUserPassword = (id: string) =>
  request<UserWithOneTimePassword>(`/api/users/${encodeURIComponent(id)}/reset-password`, { method: 'POST' });

export const deactivateUser = (id: string) =>
  request<AdminUserAnswer>(`/api/users/${encodeURIComponent(id)}/deactivate`, { method: 'POST' }).then((r) => r.user);

export const reactivateUser = (id: string) =>
  request<AdminUserAnswer>(`/api/users/${encodeURIComponent(id)}/reactivate`, { method: 'POST' }).then((r) => r.user);

// --- Wards and board ---

export const getWards = () => request<WardList>('/api/wards').then((r) => r.wards);

// --- Ward and bed setup (it_admin); each change answers the ward as it is now ---

const wardPath = (wardId: string) => `/api/wards/${encodeURIComponent(wardId)}`;
const bedPath = (bedId: string) => `/api/beds/${encodeURIComponent(bedId)}`;
const setupChange = (path: string, method: 'POST' | 'PATCH' | 'PUT', body?: unknown) =>
  request<SetupWardAnswer>(path, { method, body }).then((r) => r.ward);

export const getSetupWards = () => request<SetupWardList>('/api/wards/setup').then((r) => r.wards);
export const createWard = (name: string) => setupChange('/api/wards', 'POST', { name });
export const renameWard = (wardId: string, name: string) => setupChange(wardPath(wardId), 'PATCH', { name });
export const retireWard = (wardId: string) => setupChange(`${wardPath(wardId)}/retire`, 'POST');
export const addBed = (wardId: string, label: string) => setupChange(`${wardPath(wardId)}/beds`, 'POST', { label });
export const orderBeds = (wardId: string, bedIds: string[]) => setupChange(`${wardPath(wardId)}/bed-order`, 'PUT', { bedIds });
export const renameBed = (bedId: string, label: string) => setupChange(bedPath(bedId), 'PATCH', { label });
export const retireBed = (bedId: string) => setupChange(`${bedPath(bedId)}/retire`, 'POST');

/** `redirectOn401: false` for a screen that must stay up when the session ends (the wall display). */
export const getBoard = (wardId: string, opts: { redirectOn401?: boolean } = {}) =>
  request<Board>(`/api/wards/${encodeURIComponent(wardId)}/board`, opts);

// --- Alerts ---

/**
 * Alerts matching a filter (docs/api.md GET /api/alerts): by state (`open` when none is given),
 * ward, kind, priority, bed, and when they opened (`from` inclusive, `to` exclusive, ISO times).
 */
export function getAlerts(filter: AlertListQuery = {}, opts: { redirectOn401?: boolean } = {}): Promise<Alert[]> {
  const q = new URLSearchParams();
  for (const [name, value] of Object.entries(filter)) if (value !== undefined && value !== '') q.set(name, String(value));
  const qs = q.toString();
  return request<AlertList>(`/api/alerts${qs ? `?${qs}` : ''}`, opts).then((r) => r.alerts);
}

export const getAlert = (id: string) => request<AlertWithHistory>(`/api/alerts/${encodeURIComponent(id)}`);

export const acknowledgeAlert = (id: string) =>
  request<AlertAnswer>(`/api/alerts/${encodeURIComponent(id)}/acknowledge`, { method: 'POST' }).then((r) => r.alert);

export function resolveAlert(id: string, outcome: Outcome, note?: string): Promise<Alert> {
  const body: { outcome: Outcome; note?: string } = { outcome };
  if (note && note.trim()) body.note = note.trim();
  return request<AlertAnswer>(`/api/alerts/${encodeURIComponent(id)}/resolve`, { method: 'POST', body }).then((r) => r.alert);
}

/** Alert quality per ward and kind over the period (charge nurses). */
export function getAlertQuality(period: QualityPeriod, wardId?: string): Promise<AlertQuality> {
  const q = new URLSearchParams({ period });
  if (wardId) q.set('wardId', wardId);
  return request<AlertQuality>(`/api/alerts/quality?${q.toString()}`);
}

// --- Stays ---

/** A charge nurse sets the stay's alert sensitivity, with a reason, for 24 h. */
export const setAlertSensitivity = (stayId: string, sensitivity: AlertSensitivity, reason: string) =>
  request<{ alertSensitivity: AlertSensitivitySetting }>(`/api/stays/${encodeURIComponent(stayId)}/sensitivity`, {
    method: 'PUT',
    body: { sensitivity, reason: reason.trim() },
  }).then((r) => r.alertSensitivity);

export const getTimeline = (stayId: string, hours: number) =>
  request<Timeline>(`/api/stays/${encodeURIComponent(stayId)}/timeline?hours=${hours}`);

export const getStay = (stayId: string) => request<StayAnswer>(`/api/stays/${encodeURIComponent(stayId)}`).then((r) => r.stay);

export function admitPatient(input: { bedId: string; displayName: string; externalId?: string }): Promise<Stay> {
  const body: { bedId: string; displayName: string; externalId?: string } = { bedId: input.bedId, displayName: input.displayName.trim() };
  if (input.externalId && input.externalId.trim()) body.externalId = input.externalId.trim();
  return request<StayAnswer>('/api/stays', { method: 'POST', body }).then((r) => r.stay);
}

export const transferStay = (stayId: string, bedId: string) =>
  request<StayAnswer>(`/api/stays/${encodeURIComponent(stayId)}/transfer`, { method: 'POST', body: { bedId } }).then((r) => r.stay);

export const dischargeStay = (stayId: string) =>
  request<StayAnswer>(`/api/stays/${encodeURIComponent(stayId)}/discharge`, { method: 'POST' }).then((r) => r.stay);

/** Records "patient asked to stop" for the stay: all monitoring off, by staff. */
export const recordPatientAskedToStop = (stayId: string) =>
  request<unknown>(`/api/stays/${encodeURIComponent(stayId)}/consent/stop`, { method: 'POST' });

export const verifyConsent = (stayId: string) => request<ConsentVerification>(`/api/stays/${encodeURIComponent(stayId)}/consent/verify`);

/** The stay's consent as a FHIR R4 Consent resource (JSON). */
export const getConsentFhir = (stayId: string) => request<Record<string, unknown>>(`/api/stays/${encodeURIComponent(stayId)}/consent/fhir`);

export const createTabletPairing = (bedId: string) =>
  request<TabletPairing>(`/api/beds/${encodeURIComponent(bedId)}/tablet-pairing`, { method: 'POST' });

// --- Bedside tablet (cookie attune_tablet; never redirects to the staff sign-in) ---

/** The wards a tablet can be on (public: names only). */
export const getTabletWards = () => request<TabletWardList>('/api/tablet/wards', { redirectOn401: false }).then((r) => r.wards);

/** A code pairs only on the ward it was shown for. */
export const pairTablet = (wardId: string, code: string) =>
  request<TabletAnswer>('/api/tablet/pair', { method: 'POST', body: { wardId, code }, redirectOn401: false }).then((r) => r.tablet);

/** The contract answers TabletState itself; a `{ tablet }` wrapper (as the other tablet routes use) is accepted too. */
export const getTabletState = () =>
  request<TabletState | { tablet: TabletState }>('/api/tablet/state', { redirectOn401: false }).then((r) => ('tablet' in r ? r.tablet : r));

export const getTabletTexts = (lang: string) =>
  request<ConsentTexts>(`/api/tablet/texts/${encodeURIComponent(lang)}`, { redirectOn401: false });

export const submitTabletConsent = (body: TabletConsentBody) =>
  request<TabletAnswer>('/api/tablet/consent', { method: 'POST', body, redirectOn401: false }).then((r) => r.tablet);

export const stopFromTablet = (alsoDelete: boolean) =>
  request<TabletStopResult>('/api/tablet/stop', { method: 'POST', body: { alsoDelete }, redirectOn401: false });

// --- Devices ---

export const getDevices = () => request<DeviceList>('/api/devices').then((r) => r.devices);

/** `?name=value&…` of the values given (undefined left out), or "". */
function toQuery(params: Record<string, string | number | boolean | undefined>): string {
  const q = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) if (value !== undefined) q.set(name, String(value));
  const qs = q.toString();
  return qs ? `?${qs}` : '';
}

/** The fleet page: the devices a filter asks for and the whole fleet's summary. */
export const getFleet = (query: DeviceListQuery = {}) => request<DeviceList>(`/api/devices${toQuery(query)}`);

/** One device's health and a page of its status history, newest first. */
export const getDevice = (deviceId: string, page: { limit?: number; before?: number } = {}) =>
  request<DeviceDetail>(`/api/devices/${encodeURIComponent(deviceId)}${toQuery(page)}`);
