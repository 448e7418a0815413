/**
 * The fleet's codes in words, for IT staff, in one place: device states, doctor checks and what
 * they found, why an agent refused a remote configuration, and the problems behind the outdated and
 * erroring flags. Codes the agent may add later are humanised rather than hidden.
 */
import type { ConfigRefusal, DoctorCheckName, FleetProblem, FleetProblemCode, FleetState } from './api/types';
import { formatClockOffset, formatDuration } from './format';

export const FLEET_STATE_LABEL: Record<FleetState, string> = {
  online: 'Online',
  offline: 'Offline',
  never_seen: 'Never seen',
  decommissioned: 'Decommissioned',
};

export const DOCTOR_CHECK_LABEL: Record<DoctorCheckName, string> = {
  config: 'Configuration file',
  models: 'Model files',
  data_dir: 'Data folder',
  ffmpeg: 'ffmpeg',
  camera: 'Camera',
  wearable: 'Wearable',
  broker: 'Broker connection',
  clock: 'Clock',
};

export const DOCTOR_RESULT_LABEL = { ok: 'OK', warn: 'Warning', fail: 'Failed', skipped: 'Skipped' } as const;

/** What `attune-agent doctor` found, with what to do (docs/deploy.md has the full checklist). */
const DOCTOR_CODE_WORDS: Record<string, string> = {
  model_hash_mismatch: 'a model file differs from the manifest: reinstall the models',
  model_missing: 'a model file is missing: install the models',
  not_writable: 'the data folder is missing or not writable by the agent',
  ffmpeg_missing: 'ffmpeg is not installed',
  ffmpeg_broken: 'ffmpeg does not run on this machine',
  device_missing: 'the camera is not there (unplugged, wrong device or address)',
  permission_denied: 'the agent may not open the camera (video group)',
  no_frames: 'the camera opens but sends no pictures',
  ble_missing: 'the Bluetooth software is not installed',
  bluetooth_off: 'Bluetooth is switched off',
  no_signal: 'no signal from the wearable (not worn, not charged or out of range)',
  not_authorized: 'the broker refused the device’s credentials',
  tls_untrusted: 'the broker’s certificate is not trusted',
  unreachable: 'the broker cannot be reached',
  server_unreachable: 'the server cannot be reached to check the clock',
  clock_offset: 'the clock is off: enable time synchronisation',
  no_server_url: 'no server address is configured to check the clock',
  not_configured: 'not set up on this machine',
  needs_ffmpeg: 'needs ffmpeg first',
  in_use_by_agent: 'in use by the running agent (not checked)',
};

export const CONFIG_REFUSAL_LABEL: Record<ConfigRefusal, string> = {
  invalid: 'the configuration was not valid',
  wrong_device: 'the configuration names another device',
  model_not_allowed: 'a model the agent runs is not in the allowed versions',
  camera_unavailable: 'the camera device does not exist on this machine',
  source_not_configured: 'a source is switched on that this machine has no local setup for',
  apply_failed: 'applying it failed (a source could not be restarted)',
};

const humanise = (code: string) => {
  const words = code.replace(/_+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
};

/** A doctor check's finding in words; null when there is nothing to say. */
export function doctorCodeWords(code: string | null): string | null {
  if (code === null) return null;
  return DOCTOR_CODE_WORDS[code] ?? humanise(code).toLowerCase();
}

export const doctorCheckLabel = (name: string) => DOCTOR_CHECK_LABEL[name as DoctorCheckName] ?? humanise(name);

export const configRefusalWords = (reason: ConfigRefusal | null) => (reason ? CONFIG_REFUSAL_LABEL[reason] : 'no reason given');

/** The flag a problem raises. */
export const PROBLEM_FLAG: Record<FleetProblemCode, 'erroring' | 'outdated'> = {
  source_error: 'erroring',
  doctor_fail: 'erroring',
  config_refused: 'erroring',
  clock_off: 'erroring',
  outbox_growing: 'erroring',
  agent_outdated: 'outdated',
  model_outdated: 'outdated',
};

/** One problem in a line: "Camera in error", "Doctor: Camera failed", "Outbox growing". */
export function problemWords(p: FleetProblem): string {
  switch (p.code) {
    case 'source_error':
      return `${humanise(p.subject ?? 'source')} in error`;
    case 'doctor_fail':
      return `Doctor: ${doctorCheckLabel(p.subject ?? 'check')} failed`;
    case 'config_refused':
      return `Configuration refused: ${configRefusalWords(p.subject as ConfigRefusal | null)}`;
    case 'clock_off':
      return 'Clock off by more than 10 s';
    case 'outbox_growing':
      return 'Outbox growing: readings are not getting through';
    case 'agent_outdated':
      return 'Agent older than the newest in the fleet';
    case 'model_outdated':
      return `Model ${p.subject ?? ''} older than the newest in the fleet`;
  }
}

/** 157286400 -> "150 MB" */
export function formatBytes(bytes: number | null): string {
  if (bytes === null) return '—';
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} kB`;
  const mb = bytes / (1024 * 1024);
  return mb < 1024 ? `${Math.round(mb)} MB` : `${(mb / 1024).toFixed(1)} GB`;
}

/** 12.345 -> "12%" (of one core; two busy cores are 200%). */
export const formatCpu = (percent: number | null) => (percent === null ? '—' : `${Math.round(percent)}%`);

/** A clock offset in words: "Not measured", "In time (20 ms)", "12 s behind". */
export function clockWords(offsetMs: number | null): string {
  if (offsetMs === null) return 'Not measured';
  if (Math.abs(offsetMs) <= 10_000)
    return `In time (${Math.abs(offsetMs) < 1000 ? `${offsetMs} ms` : formatDuration(Math.abs(offsetMs) / 1000)})`;
  return formatClockOffset(offsetMs);
}

/** "12 waiting", "none waiting", "—" */
export const backlogWords = (n: number | null) => (n === null ? '—' : n === 0 ? 'none waiting' : `${n} waiting`);

/** The consent message number, explained: what the agent obeys. */
export const consentVersionWords = (v: number) =>
  v === 0
    ? 'No consent message sent to this device yet.'
    : `Consent message no. ${v}: the server numbers every consent change it sends this device; the agent obeys the highest number it has received.`;
