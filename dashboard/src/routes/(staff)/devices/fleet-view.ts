/**
 * The fleet page's view, kept in the URL's query so a filtered, sorted list can be linked and
 * reloaded: `state`, `outdated=true`, `erroring=true`, `wardId` and `sort`. The page filters and
 * sorts the fleet it has (the same filter as GET /api/devices), so live changes apply at once.
 */
import type { Device, FleetState, FleetSummary } from '$lib/api/types';
import { FLEET_STATE_LABEL } from '$lib/device-words';

export const SORT_LABEL = {
  bed: 'Ward and bed',
  state: 'State (offline first)',
  lastSeen: 'Last seen (longest silent first)',
  version: 'Agent version (oldest first)',
  backlog: 'Outbox backlog (largest first)',
} as const;
export type FleetSort = keyof typeof SORT_LABEL;

export type FleetView = {
  state: FleetState | null;
  outdated: boolean;
  erroring: boolean;
  wardId: string | null;
  sort: FleetSort;
};

export const DEFAULT_VIEW: FleetView = { state: null, outdated: false, erroring: false, wardId: null, sort: 'bed' };

const oneOf = <T extends string>(labels: Record<T, string>, value: string | null): T | null =>
  value !== null && Object.hasOwn(labels, value) ? (value as T) : null;

/** The view a URL asks for; anything unknown in it is ignored. */
export function viewFromUrl(params: URLSearchParams): FleetView {
  return {
    state: oneOf(FLEET_STATE_LABEL, params.get('state')),
    outdated: params.get('outdated') === 'true',
    erroring: params.get('erroring') === 'true',
    wardId: params.get('wardId') || null,
    sort: oneOf(SORT_LABEL, params.get('sort')) ?? 'bed',
  };
}

/** The URL query of a view, without its defaults ("" for the whole fleet by bed). */
export function viewToSearch(view: FleetView): string {
  const q = new URLSearchParams();
  if (view.state) q.set('state', view.state);
  if (view.outdated) q.set('outdated', 'true');
  if (view.erroring) q.set('erroring', 'true');
  if (view.wardId) q.set('wardId', view.wardId);
  if (view.sort !== 'bed') q.set('sort', view.sort);
  const qs = q.toString();
  return qs ? `?${qs}` : '';
}

export const matchesView = (d: Device, v: FleetView) =>
  (v.state === null || d.state === v.state) &&
  (!v.outdated || d.outdated) &&
  (!v.erroring || d.erroring) &&
  (v.wardId === null || d.wardId === v.wardId);

const STATE_ORDER: Record<FleetState, number> = { offline: 0, never_seen: 1, online: 2, decommissioned: 3 };

const byBed = (a: Device, b: Device) =>
  (a.wardName ?? '~').localeCompare(b.wardName ?? '~') ||
  (a.bedLabel ?? '~').localeCompare(b.bedLabel ?? '~', undefined, { numeric: true }) ||
  a.id.localeCompare(b.id);

/** Missing values (never seen, not reported) sort last whatever the order. */
const nullsLast = <T>(a: T | null, b: T | null, compare: (x: T, y: T) => number) =>
  a === null ? (b === null ? 0 : 1) : b === null ? -1 : compare(a, b);

/**
 * The devices the view shows, in its order. Versions are ordered as the server orders them in the
 * summary (newest first, see compareVersions in the API contract); one the summary does not list
 * (a decommissioned device's) sorts with the oldest.
 */
export function applyView(devices: readonly Device[], view: FleetView, summary: Pick<FleetSummary, 'agentVersions'>): Device[] {
  const age = new Map(summary.agentVersions.map((v, i) => [v.version, i]));
  const versionAge = (d: Device) => (d.agentVersion === null ? null : (age.get(d.agentVersion) ?? age.size));
  const order: Record<FleetSort, (a: Device, b: Device) => number> = {
    bed: byBed,
    state: (a, b) => STATE_ORDER[a.state] - STATE_ORDER[b.state] || byBed(a, b),
    lastSeen: (a, b) => nullsLast(a.lastSeenAt, b.lastSeenAt, (x, y) => Date.parse(x) - Date.parse(y)) || byBed(a, b),
    version: (a, b) => nullsLast(versionAge(a), versionAge(b), (x, y) => y - x) || byBed(a, b),
    backlog: (a, b) => nullsLast(a.outboxBacklog, b.outboxBacklog, (x, y) => y - x) || byBed(a, b),
  };
  return devices.filter((d) => matchesView(d, view)).toSorted(order[view.sort]);
}

/** "Agent 0.4.1 on 22 devices, 0.4.0 on 2" */
export function driftWords(what: string, versions: readonly { version: string; devices: number }[]): string {
  return `${what} ${versions.map((v, i) => `${v.version} on ${v.devices}${i === 0 ? ` ${v.devices === 1 ? 'device' : 'devices'}` : ''}`).join(', ')}`;
}
