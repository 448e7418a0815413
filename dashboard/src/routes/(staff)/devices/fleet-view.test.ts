import { describe, expect, it } from 'vitest';
import type { Device } from '$lib/api/types';
import { applyView, DEFAULT_VIEW, driftWords, viewFromUrl, viewToSearch } from './fleet-view';

const device = (id: string, over: Partial<Device>): Device => ({
  id,
  isActive: true,
  decommissionedAt: null,
  wardId: 'w1',
  wardName: 'Ward 7B',
  bedId: `b${id}`,
  bedLabel: `Bed ${id}`,
  state: 'online',
  lastSeenAt: '2026-12-01T10:00:00Z',
  lastScoreAt: null,
  agentVersion: '0.4.1',
  models: [],
  sources: null,
  clockOffsetMs: null,
  outboxBacklog: null,
  cpuPercent: null,
  memoryRssBytes: null,
  doctor: null,
  config: null,
  consent: { camera: false, wearable: false, version: 0 },
  outdated: false,
  erroring: false,
  problems: [],
  ...over,
});

const fleet = [
  device('10', { outboxBacklog: 3 }),
  device('2', { agentVersion: '0.4.0', outdated: true, lastSeenAt: '2026-12-01T09:00:00Z', outboxBacklog: 40 }),
  device('3', { state: 'offline', erroring: true, wardId: 'w2', wardName: 'Ward 8A' }),
  device('4', { state: 'never_seen', agentVersion: null, lastSeenAt: null }),
];
const summary = {
  agentVersions: [
    { version: '0.4.1', devices: 2 },
    { version: '0.4.0', devices: 1 },
  ],
};
const order = (search: string) => applyView(fleet, viewFromUrl(new URLSearchParams(search)), summary).map((d) => d.id);

describe('the fleet page view in the URL', () => {
  it('defaults to every device by ward and bed, and ignores what it does not know', () => {
    expect(viewFromUrl(new URLSearchParams('state=exploded&sort=chaos&outdated=1'))).toEqual(DEFAULT_VIEW);
    expect(viewToSearch(DEFAULT_VIEW)).toBe('');
    const view = { ...DEFAULT_VIEW, state: 'offline' as const, erroring: true, wardId: 'w2', sort: 'backlog' as const };
    expect(viewFromUrl(new URLSearchParams(viewToSearch(view)))).toEqual(view);
  });

  it('filters by state, flag and ward', () => {
    expect(order('state=offline')).toEqual(['3']);
    expect(order('outdated=true')).toEqual(['2']);
    expect(order('erroring=true&wardId=w2')).toEqual(['3']);
    expect(order('erroring=true&wardId=w1')).toEqual([]);
  });

  it('sorts by bed (numeric), state, last seen, version and backlog, missing values last', () => {
    expect(order('')).toEqual(['2', '4', '10', '3']);
    expect(order('sort=state')).toEqual(['3', '4', '2', '10']);
    expect(order('sort=lastSeen')).toEqual(['2', '10', '3', '4']);
    expect(order('sort=version')).toEqual(['2', '10', '3', '4']);
    expect(order('sort=backlog')).toEqual(['2', '10', '4', '3']);
  });

  it('says the version drift in a line', () => {
    expect(driftWords('Agent', summary.agentVersions)).toBe('Agent 0.4.1 on 2 devices, 0.4.0 on 1');
    expect(driftWords('Agent', [{ version: '0.4.1', devices: 1 }])).toBe('Agent 0.4.1 on 1 device');
  });
});
