/**
 * The Alerts page's filter, kept in the URL's query (state, kind, priority, bedId, from, to) so a
 * filtered view can be linked and reloaded. `from` and `to` are ISO times in the URL and the API,
 * local "YYYY-MM-DDTHH:mm" in the form's inputs.
 */
import type { AlertKind, AlertListQuery, AlertStateFilter, Priority } from '$lib/api/types';
import { ALERT_KIND_LABEL, formatDateTime, PRIORITY_LABEL } from '$lib/format';

export type AlertFilter = {
  state: AlertStateFilter;
  kind: AlertKind | null;
  priority: Priority | null;
  bedId: string | null;
  from: string | null;
  to: string | null;
};

export const STATE_FILTER_LABEL: Record<AlertStateFilter, string> = {
  open: 'Open',
  firing: 'Needs attention',
  acknowledged: 'Acknowledged',
  resolved: 'Resolved',
  all: 'All',
};

const oneOf = <T extends string>(labels: Record<T, string>, value: string | null): T | null =>
  value !== null && Object.hasOwn(labels, value) ? (value as T) : null;

const isoOrNull = (value: string | null): string | null => (value && !Number.isNaN(Date.parse(value)) ? value : null);

/** The filter in words: "open alerts · sustained distress · high priority · Bed 1 · opened from 2 Dec, 21:00". */
export function describeFilter(filter: AlertFilter, bedLabel: (bedId: string) => string): string {
  const parts = [filter.state === 'all' ? 'alerts in any state' : `${STATE_FILTER_LABEL[filter.state].toLowerCase()} alerts`];
  if (filter.kind) parts.push(ALERT_KIND_LABEL[filter.kind].toLowerCase());
  if (filter.priority) parts.push(`${PRIORITY_LABEL[filter.priority].toLowerCase()} priority`);
  if (filter.bedId) parts.push(bedLabel(filter.bedId));
  if (filter.from) parts.push(`opened from ${formatDateTime(filter.from)}`);
  if (filter.to) parts.push(`opened before ${formatDateTime(filter.to)}`);
  return parts.join(' · ');
}

/** The filter a URL asks for; anything unknown in it is ignored (the default: open alerts, any kind). */
export function filterFromUrl(params: URLSearchParams): AlertFilter {
  return {
    state: oneOf(STATE_FILTER_LABEL, params.get('state')) ?? 'open',
    kind: oneOf(ALERT_KIND_LABEL, params.get('kind')),
    priority: oneOf(PRIORITY_LABEL, params.get('priority')),
    bedId: params.get('bedId') || null,
    from: isoOrNull(params.get('from')),
    to: isoOrNull(params.get('to')),
  };
}

/** The URL query for a filter, without its defaults ("" for open alerts of any kind). */
export function filterToSearch(filter: AlertFilter): string {
  const q = new URLSearchParams();
  if (filter.state !== 'open') q.set('state', filter.state);
  for (const name of ['kind', 'priority', 'bedId', 'from', 'to'] as const) {
    const value = filter[name];
    if (value) q.set(name, value);
  }
  const qs = q.toString();
  return qs ? `?${qs}` : '';
}

/** The API query for a filter. */
export function filterToQuery(filter: AlertFilter): AlertListQuery {
  const query: AlertListQuery = { state: filter.state };
  if (filter.kind) query.kind = filter.kind;
  if (filter.priority) query.priority = filter.priority;
  if (filter.bedId) query.bedId = filter.bedId;
  if (filter.from) query.from = filter.from;
  if (filter.to) query.to = filter.to;
  return query;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** An ISO time as a datetime-local input's value, in the browser's time zone. */
export function toLocalInput(iso: string | null): string {
  if (!iso) return '';
  const d = new Date(iso);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A datetime-local input's value as an ISO time; null when empty or not a time. */
export function fromLocalInput(value: string): string | null {
  if (!value) return null;
  const t = new Date(value).getTime();
  return Number.isNaN(t) ? null : new Date(t).toISOString();
}
