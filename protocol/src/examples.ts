/** One complete valid example per message; used by tests, docs and simulators. */
import type { ConsentMessage, DeviceConfig, DeviceStatus, ScoreWindow, ServerTime } from './schemas.ts';

export const exampleScoreWindow: ScoreWindow = {
  v: 2,
  deviceId: 'bed-03-agent',
  seq: 1842,
  windowStart: '2026-11-25T10:00:00.000Z',
  windowEnd: '2026-11-25T10:00:05.000Z',
  consentVersion: 4,
  fused: {
    distress: 0.78,
    confidence: 0.81,
    drivers: [
      { code: 'heart_rate_high', value: 96, unit: 'bpm', baseline: 72, durationS: 240 },
      { code: 'brow_lowered_eyes_tightened', value: 0.7, unit: 'fraction' },
    ],
  },
  face: {
    framesAnalysed: 10,
    faceVisibleFraction: 0.9,
    negativeAffect: 0.62,
    negativeAffectAboveBaseline: 0.31,
    expression: { neutral: 0.2, happy: 0.02, sad: 0.31, angry: 0.12, fearful: 0.14, disgusted: 0.05, surprised: 0.16 },
    pspi: 5.5,
    painadFace: 2,
    painadFaceBasis: { code: 'grimacing', fraction: 0.7, pspi: 5.5 },
    actionUnits: {
      au4BrowLowering: 2.1,
      au6au7OrbitalTightening: 2.4,
      au9au10NoseWrinkleLipRaise: 1.0,
      au43EyeClosure: 0,
      au20au25au27MouthStretchOpen: 0.8,
    },
  },
  wearable: {
    hrBpm: 96,
    hrBaselineBpm: 72,
    sdnnMs: 28,
    rmssdMs: 19,
    sclUs: 6.4,
    scrPerMin: 7,
    tempC: 33.1,
    activityG: 0.04,
    distress: 0.74,
    baselineReady: true,
    onWrist: true,
  },
  quality: { wearableCoverage: 0.98, faceCoverage: 0.9, unobserved: [] },
  models: { 'wearable-distress': '1.0.0' },
};

export const exampleDeviceStatus: DeviceStatus = {
  v: 2,
  deviceId: 'bed-03-agent',
  state: 'online',
  at: '2026-11-25T09:58:12.000Z',
  agentVersion: '0.1.0',
  models: { 'wearable-distress': '1.0.0' },
  sources: { camera: 'streaming', wearable: 'streaming' },
  clockOffsetMs: -12,
  outboxBacklog: 0,
  cpuPercent: 14.2,
  memoryRssBytes: 187_203_584,
  modelSha256: { 'wearable-distress': 'dd5385a0a0763de10b31eeefcf90e000c3bcb0b4019752beb9b148486b61cf53' },
  config: { version: 3, state: 'applied', reason: null, field: null },
  doctor: {
    at: '2026-11-25T09:58:10.000Z',
    checks: [
      { name: 'config', result: 'ok', code: null },
      { name: 'models', result: 'ok', code: null },
      { name: 'data_dir', result: 'ok', code: null },
      { name: 'ffmpeg', result: 'ok', code: null },
      { name: 'camera', result: 'ok', code: null },
      { name: 'wearable', result: 'ok', code: null },
      { name: 'broker', result: 'skipped', code: 'in_use_by_agent' },
      { name: 'clock', result: 'skipped', code: 'no_server_url' },
    ],
  },
};

export const exampleConsentMessage: ConsentMessage = {
  v: 2,
  deviceId: 'bed-03-agent',
  version: 4,
  stay: '7f3c2a9e-5d1b-4c8e-9a0f-2b6d4e8c1a37',
  modalities: { camera: true, wearable: true },
  issuedAt: '2026-11-25T09:40:00.000Z',
};

export const exampleDeviceConfig: DeviceConfig = {
  v: 2,
  deviceId: 'bed-03-agent',
  version: 3,
  issuedAt: '2026-11-25T10:02:00.000Z',
  windowMs: 10_000,
  sources: { camera: true, wearable: true },
  camera: { device: '/dev/video2', fps: 2 },
  modelVersionsAllowed: { 'wearable-distress': ['1.0.0', '1.1.0'] },
};

export const exampleServerTime: ServerTime = {
  v: 2,
  serverTime: '2026-11-25T10:00:10.000Z',
};
