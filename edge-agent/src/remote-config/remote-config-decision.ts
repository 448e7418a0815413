/**
 * Whether the agent takes a remote configuration (topic `config`), as a pure decision: ignore it
 * (older than or the same as the one in force), refuse it with the reason the server words for IT
 * (protocol CONFIG_REFUSALS), or apply it. A configuration is taken whole or not at all: a partial
 * application would leave the bedside in a state nobody chose (docs/architecture.md).
 */
import { decodePayload, MAX_PAYLOAD_BYTES, type DeviceConfig, type RemoteConfigResult } from '@attune/protocol';

/** What this machine has, against which a configuration is checked. */
export interface LocalCapabilities {
  deviceId: string;
  /** The models the agent loaded: name -> version. */
  models: Record<string, string>;
  /** The local file's camera kind (`none`: no camera configured). */
  cameraKind: 'none' | 'ffmpeg' | 'image-folder';
  wearableConfigured: boolean;
  /** Whether a device node exists here (fs.existsSync in production). */
  deviceExists: (path: string) => boolean;
}

/** The versions the agent has already handled. */
export interface HandledVersions {
  /** The version in force; 0 when none (the local file). */
  applied: number;
  /** The newest version refused; 0 when none. */
  refused: number;
}

export type RemoteConfigDecision =
  { kind: 'ignore'; why: 'older' | 'in_force' } | { kind: 'refuse'; result: RemoteConfigResult } | { kind: 'apply'; config: DeviceConfig };

const FIELD = /^[A-Za-z0-9.]{1,64}$/;

const refuse = (version: number, reason: RemoteConfigResult['reason'], field: string | null): RemoteConfigDecision => ({
  kind: 'refuse',
  result: { version, state: 'refused', reason, field: field !== null && FIELD.test(field) ? field : null },
});

/** Decides about raw bytes from the config topic (not empty: an empty payload is a clear, handled by the caller). */
export function decideRemoteConfig(payload: Uint8Array, handled: HandledVersions, local: LocalCapabilities): RemoteConfigDecision {
  const decoded = decodePayload('config', payload);
  if (!decoded.ok) {
    // The first offending field as the protocol names it (never payload content).
    const field = decoded.reason === 'schema' ? (decoded.errors[0]?.split(':')[0] ?? null) : null;
    return refuse(readableVersion(payload), 'invalid', field);
  }
  return decideConfig(decoded.value, handled, local);
}

export function decideConfig(config: DeviceConfig, handled: HandledVersions, local: LocalCapabilities): RemoteConfigDecision {
  if (config.deviceId !== local.deviceId) return refuse(config.version, 'wrong_device', 'deviceId');
  if (config.version < handled.applied || config.version < handled.refused) return { kind: 'ignore', why: 'older' };
  if (config.version === handled.applied) return { kind: 'ignore', why: 'in_force' };
  for (const [name, version] of Object.entries(local.models)) {
    const allowed = config.modelVersionsAllowed[name];
    if (allowed && !allowed.includes(version)) return refuse(config.version, 'model_not_allowed', 'modelVersionsAllowed');
  }
  if (config.sources.camera && local.cameraKind === 'none') return refuse(config.version, 'source_not_configured', 'sources.camera');
  if (config.sources.wearable && !local.wearableConfigured) return refuse(config.version, 'source_not_configured', 'sources.wearable');
  const device = config.camera.device;
  if (device !== null && (local.cameraKind !== 'ffmpeg' || !local.deviceExists(device)))
    return refuse(config.version, 'camera_unavailable', 'camera.device');
  return { kind: 'apply', config };
}

/** The `version` of a message too broken to validate, when one can be read; else 0. */
function readableVersion(payload: Uint8Array): number {
  if (payload.byteLength > MAX_PAYLOAD_BYTES) return 0;
  try {
    const version = (JSON.parse(new TextDecoder().decode(payload)) as { version?: unknown }).version;
    return Number.isSafeInteger(version) && (version as number) > 0 ? (version as number) : 0;
  } catch {
    return 0;
  }
}
