/**
 * Fleet health rules, without I/O: which state each device is in, whether it is `outdated` or
 * `erroring` and why, and the fleet's summary with its version drift (docs/api.md "Devices").
 *
 * Outdated means older than the newest version running on a device in service, for the agent and
 * for each model by name. The fleet itself is the reference, so there is nothing to configure
 * and nothing to forget to update after a rollout: while an upgrade is under way the devices not
 * yet upgraded show as outdated, and once every device runs the new version none does. A
 * decommissioned device neither sets the reference nor gets flagged.
 */
import { compareVersions, type FleetProblem, type FleetState, type FleetSummary } from '@attune/protocol/api';
import type { DeviceHealth } from '../mappers/device.mapper.ts';
import type { DeviceListRow } from '../repositories/device.repository.ts';
import { CLOCK_WARN_MS } from './monitoring.service.ts';

/** An outbox backlog is growing when it rose at each of this many statuses in a row (one every 20 s). */
export const BACKLOG_GROWING_STATUSES = 3;

export interface NewestVersions {
  agent: string | null;
  models: Map<string, string>;
}

const ERRORING = new Set<FleetProblem['code']>(['source_error', 'doctor_fail', 'config_refused', 'clock_off', 'outbox_growing']);

export function fleetState(d: Pick<DeviceListRow, 'decommissionedAt' | 'state'>): FleetState {
  return d.decommissionedAt !== null ? 'decommissioned' : d.state;
}

/** Backlogs of consecutive statuses, oldest first: growing when it went up at every one of the last few. */
export function isBacklogGrowing(backlogs: readonly number[]): boolean {
  if (backlogs.length < BACKLOG_GROWING_STATUSES) return false;
  const last = backlogs.slice(-BACKLOG_GROWING_STATUSES);
  return last.every((b, i) => i === 0 || b > last[i - 1]!);
}

const newer = (a: string | undefined | null, b: string) => (a == null || compareVersions(b, a) > 0 ? b : a);

/** The newest agent version and the newest version of each model among devices in service. */
export function newestVersions(rows: readonly DeviceListRow[]): NewestVersions {
  const newest: NewestVersions = { agent: null, models: new Map() };
  for (const d of rows) {
    if (d.decommissionedAt !== null) continue;
    if (d.agentVersion !== null) newest.agent = newer(newest.agent, d.agentVersion);
    for (const [name, version] of Object.entries(d.models)) newest.models.set(name, newer(newest.models.get(name), version));
  }
  return newest;
}

/** One device's state, flags and the problems behind them. `backlogs`: its recent outbox backlogs, oldest first. */
export function assessDevice(d: DeviceListRow, newest: NewestVersions, backlogs: readonly number[]): DeviceHealth {
  const state = fleetState(d);
  if (state === 'decommissioned') return { state, outdated: false, erroring: false, problems: [] };
  const problems: FleetProblem[] = [];
  for (const source of ['camera', 'wearable'] as const) {
    if (d.sources?.[source] === 'error') problems.push({ code: 'source_error', subject: source });
  }
  for (const check of d.lastStatus?.doctor?.checks ?? []) {
    if (check.result === 'fail') problems.push({ code: 'doctor_fail', subject: check.name });
  }
  const config = d.lastStatus?.config;
  if (config?.state === 'refused') problems.push({ code: 'config_refused', subject: config.reason });
  if (d.clockOffsetMs !== null && Math.abs(d.clockOffsetMs) > CLOCK_WARN_MS) problems.push({ code: 'clock_off', subject: null });
  if (isBacklogGrowing(backlogs)) problems.push({ code: 'outbox_growing', subject: null });
  if (d.agentVersion !== null && newest.agent !== null && compareVersions(d.agentVersion, newest.agent) < 0) {
    problems.push({ code: 'agent_outdated', subject: null });
  }
  for (const [name, version] of Object.entries(d.models)) {
    const latest = newest.models.get(name);
    if (latest !== undefined && compareVersions(version, latest) < 0) problems.push({ code: 'model_outdated', subject: name });
  }
  return {
    state,
    outdated: problems.some((p) => !ERRORING.has(p.code)),
    erroring: problems.some((p) => ERRORING.has(p.code)),
    problems,
  };
}

const countBy = <K>(keys: K[]) => {
  const counts = new Map<K, number>();
  for (const k of keys) counts.set(k, (counts.get(k) ?? 0) + 1);
  return counts;
};
const newestFirst = (a: { version: string }, b: { version: string }) => compareVersions(b.version, a.version);

/** Devices per state, flagged devices, and the versions running on devices in service with their counts. */
export function summarizeFleet(devices: readonly { row: DeviceListRow; health: DeviceHealth }[]): FleetSummary {
  const states = { online: 0, offline: 0, never_seen: 0, decommissioned: 0 };
  for (const { health } of devices) states[health.state]++;
  const inService = devices.filter((d) => d.health.state !== 'decommissioned').map((d) => d.row);
  const agents = countBy(inService.flatMap((d) => (d.agentVersion === null ? [] : [d.agentVersion])));
  const models = countBy(inService.flatMap((d) => Object.entries(d.models).map(([name, version]) => `${name}\u0000${version}`)));
  return {
    total: devices.length,
    states,
    erroring: devices.filter((d) => d.health.erroring).length,
    outdated: devices.filter((d) => d.health.outdated).length,
    agentVersions: [...agents].map(([version, n]) => ({ version, devices: n })).sort(newestFirst),
    modelVersions: [...models]
      .map(([key, n]) => {
        const [name = '', version = ''] = key.split('\u0000');
        return { name, version, devices: n };
      })
      .sort((a, b) => a.name.localeCompare(b.name) || newestFirst(a, b)),
  };
}
