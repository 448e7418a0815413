/**
 * What changed at each status of a device's history, in words: the state (went offline, came
 * back), each source, the agent and model versions, the remote configuration result and the doctor
 * checks that failed. Statuses come newest first, as the API pages them.
 */
import type { DeviceStatusRecord } from '$lib/api/types';
import { configRefusalWords, doctorCheckLabel } from '$lib/device-words';
import { SOURCE_STATE_LABEL } from '$lib/format';

const failed = (s: DeviceStatusRecord) =>
  (s.doctor?.checks ?? [])
    .filter((c) => c.result === 'fail')
    .map((c) => doctorCheckLabel(c.name))
    .join(', ');

/** The changes from `before` (the status received just before, or null for the oldest shown) to `s`. */
export function statusChanges(s: DeviceStatusRecord, before: DeviceStatusRecord | null): string[] {
  if (before === null) return [s.state === 'online' ? 'Online' : 'Offline'];
  const changes: string[] = [];
  if (s.state !== before.state) changes.push(s.state === 'online' ? 'Came online' : 'Went offline');
  for (const source of ['camera', 'wearable'] as const) {
    if (s.sources[source] !== before.sources[source]) {
      const name = source === 'camera' ? 'Camera' : 'Wearable';
      changes.push(`${name}: ${SOURCE_STATE_LABEL[before.sources[source]]} → ${SOURCE_STATE_LABEL[s.sources[source]]}`);
    }
  }
  if (s.agentVersion !== before.agentVersion) changes.push(`Agent ${before.agentVersion} → ${s.agentVersion}`);
  for (const [name, version] of Object.entries(s.models)) {
    const was = before.models[name];
    if (was !== version) changes.push(was === undefined ? `Model ${name} ${version} loaded` : `Model ${name} ${was} → ${version}`);
  }
  const config = s.config;
  if (config && (config.version !== before.config?.version || config.state !== before.config?.state)) {
    changes.push(
      config.state === 'applied'
        ? `Configuration ${config.version} applied`
        : `Configuration ${config.version} refused: ${configRefusalWords(config.reason)}`,
    );
  }
  const nowFailing = failed(s);
  if (nowFailing !== failed(before)) changes.push(nowFailing ? `Doctor failed: ${nowFailing}` : 'Doctor checks pass');
  return changes;
}

/** Each status with what changed since the one received before it, newest first (the oldest shown says its state). */
export function withChanges(history: readonly DeviceStatusRecord[]): { status: DeviceStatusRecord; changes: string[] }[] {
  return history.map((status, i) => ({ status, changes: statusChanges(status, history[i + 1] ?? null) }));
}
