/**
 * A device's remote configuration in words for IT staff: what the agent last did with it ("Applied
 * version 3 at 10:02", "Refused version 4: camera /dev/video2 not found on this machine"), and the
 * form's values to and from the API's shape.
 */
import type { DeviceConfigAnswer, DeviceConfigBody, DeviceConfigReport, RemoteDeviceConfig } from '$lib/api/device-config';
import { formatTime } from './format';

/** Why a configuration was refused, in words; the desired configuration fills in what it named. */
export function refusalWords(report: DeviceConfigReport, desired: RemoteDeviceConfig | null): string {
  const same = desired !== null && desired.version === report.version ? desired : null;
  switch (report.reason) {
    case 'camera_unavailable':
      return same?.camera.device
        ? `camera ${same.camera.device} not found on this machine, or its camera cannot be switched to a device`
        : 'the camera device was not found on this machine, or its camera cannot be switched to a device';
    case 'model_not_allowed':
      return 'the model version this machine runs is not in the allowed list';
    case 'source_not_configured':
      return report.field === 'sources.wearable'
        ? 'no wristband is set up on this machine: switch the wristband off here, or set one up on the machine'
        : 'no camera is set up on this machine: switch the camera off here, or set one up on the machine';
    case 'wrong_device':
      return 'it named another device';
    case 'apply_failed':
      return 'the camera could not be restarted with the new settings; the previous settings stay';
    case 'invalid':
    default:
      return report.field ? `the agent could not read it (${report.field})` : 'the agent could not read it';
  }
}

/** The agent's last report in one sentence; null before it has said anything. */
export function reportWords(answer: DeviceConfigAnswer): string | null {
  const { reported, desired } = answer;
  if (!reported) return null;
  const at = formatTime(reported.at);
  if (reported.state === 'applied') return `Applied version ${reported.version} at ${at}.`;
  const still = ' The previous settings stay in force.';
  return `Refused version ${reported.version} at ${at}: ${refusalWords(reported, desired)}.${reported.reason === 'apply_failed' ? '' : still}`;
}

/** A saved configuration the agent has not reported on yet. */
export function isWaitingForAgent(answer: DeviceConfigAnswer): boolean {
  return answer.desired !== null && (answer.reported === null || answer.reported.version < answer.desired.version);
}

export interface ConfigForm {
  windowS: string;
  camera: boolean;
  wearable: boolean;
  /** Blank: the machine's own camera setting. */
  cameraDevice: string;
  fps: string;
  /** Per model, allowed versions separated by commas; blank: any version. */
  versions: Record<string, string>;
}

export function formFrom(answer: DeviceConfigAnswer): ConfigForm {
  const d = answer.desired;
  const names = [...new Set([...Object.keys(answer.models), ...Object.keys(d?.modelVersionsAllowed ?? {})])].sort();
  return {
    windowS: String((d?.windowMs ?? 5000) / 1000),
    camera: d?.sources.camera ?? true,
    wearable: d?.sources.wearable ?? true,
    cameraDevice: d?.camera.device ?? '',
    fps: String(d?.camera.fps ?? 2),
    versions: Object.fromEntries(names.map((n) => [n, (d?.modelVersionsAllowed[n] ?? []).join(', ')])),
  };
}

/** The API body; the server checks every bound and answers 400 naming the field. */
export function bodyFrom(form: ConfigForm): DeviceConfigBody {
  const modelVersionsAllowed: Record<string, string[]> = {};
  for (const [name, text] of Object.entries(form.versions)) {
    const versions = String(text)
      .split(',')
      .map((v) => v.trim())
      .filter(Boolean);
    if (versions.length > 0) modelVersionsAllowed[name] = versions;
  }
  return {
    windowMs: Math.round(Number(form.windowS) * 1000),
    sources: { camera: form.camera, wearable: form.wearable },
    camera: { device: String(form.cameraDevice).trim() || null, fps: Number(form.fps) },
    modelVersionsAllowed,
  };
}

/** A field the server refused, in the form's words. */
export const FIELD_LABEL: Record<string, string> = {
  windowMs: 'Window length',
  'camera.device': 'Camera device',
  'camera.fps': 'Frames per second',
  modelVersionsAllowed: 'Allowed model versions',
};
