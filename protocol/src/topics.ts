/**
 * MQTT topic builders for protocol v2. Every device topic lives under
 * `attune/v2/devices/{deviceId}/`, so a broker ACL can confine a device to its own subtree with one
 * pattern; the server's clock is the one topic every device may read (`attune/v2/server/time`).
 */
export const TOPIC_PREFIX = 'attune/v2';

export const TOPIC_KINDS = ['scores', 'status', 'consent', 'config'] as const;
export type TopicKind = (typeof TOPIC_KINDS)[number];

/** Device ids are human-readable slugs (`bed-07-agent`); they appear in topics, logs and the board. */
export const DEVICE_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,47}$/;

export function isValidDeviceId(deviceId: string): boolean {
  return DEVICE_ID_PATTERN.test(deviceId);
}

function deviceTopic(deviceId: string, kind: TopicKind): string {
  if (!isValidDeviceId(deviceId)) throw new Error(`invalid device id for a topic: ${JSON.stringify(deviceId)}`);
  return `${TOPIC_PREFIX}/devices/${deviceId}/${kind}`;
}

export const topics = {
  /** agent -> server, QoS 1, not retained: one score window per message. */
  scores: (deviceId: string) => deviceTopic(deviceId, 'scores'),
  /** agent -> server, QoS 1, retained; the Last Will publishes `offline` here. */
  status: (deviceId: string) => deviceTopic(deviceId, 'status'),
  /** server -> agent, QoS 1, retained: the consent currently in force for the device's bed. */
  consent: (deviceId: string) => deviceTopic(deviceId, 'consent'),
  /** server -> agent, QoS 1, retained: the device's remote configuration (IT staff set it on the Devices page). */
  config: (deviceId: string) => deviceTopic(deviceId, 'config'),
  /** the device's whole subtree, for broker ACLs. */
  deviceSubtree: (deviceId: string) => `${TOPIC_PREFIX}/devices/${deviceId}/#`,
  /** server -> every agent, QoS 0, not retained: the server's clock, every SERVER_TIME_EVERY_MS. */
  serverTime: `${TOPIC_PREFIX}/server/time`,
} as const;

/** Subscription filters the server uses (one level wildcard on the device id). */
export const subscriptions = {
  allScores: `${TOPIC_PREFIX}/devices/+/scores`,
  allStatus: `${TOPIC_PREFIX}/devices/+/status`,
} as const;

export interface ParsedTopic {
  deviceId: string;
  kind: TopicKind;
}

/** Parses a concrete topic; returns null for anything that is not a v2 device topic. */
export function parseTopic(topic: string): ParsedTopic | null {
  const parts = topic.split('/');
  if (parts.length !== 5) return null;
  const [root, version, devices, deviceId, kind] = parts as [string, string, string, string, string];
  if (`${root}/${version}` !== TOPIC_PREFIX || devices !== 'devices') return null;
  if (!isValidDeviceId(deviceId)) return null;
  if (!(TOPIC_KINDS as readonly string[]).includes(kind)) return null;
  return { deviceId, kind: kind as TopicKind };
}

/**
 * Agents re-publish their retained `online` status at least this often, so a connected agent
 * that has nothing to score (e.g. no consent) is never mistaken for an offline one. The server
 * marks a device offline after DEVICE_OFFLINE_AFTER_S (default 60 s) without any message.
 */
export const STATUS_HEARTBEAT_MS = 20_000;

/** The shortest delay between two heartbeats, as a share of STATUS_HEARTBEAT_MS. */
export const HEARTBEAT_MIN_SHARE = 0.8;

/**
 * ms until an agent's next status: drawn anew each time between 80 % and 100 % of
 * STATUS_HEARTBEAT_MS, so agents that started together (a ward's power cut, a deployment to every
 * bed) drift apart within a few beats instead of reaching the server as one wave every 20 s for as
 * long as they run. `random` in [0, 1).
 */
export function nextHeartbeatDelayMs(random: () => number = Math.random): number {
  return Math.round(STATUS_HEARTBEAT_MS * (HEARTBEAT_MIN_SHARE + (1 - HEARTBEAT_MIN_SHARE) * random()));
}

/**
 * The server publishes its clock this often. Agents measure their clock offset from it and report
 * it in their status; a retained copy would be stale, so it is not retained.
 */
export const SERVER_TIME_EVERY_MS = 10_000;
