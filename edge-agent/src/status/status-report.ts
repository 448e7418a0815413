/**
 * What the agent says about itself: the status message it publishes (retained, re-announced as
 * soon as its sources or clock change) and the fuller AgentStatus its owner can read at any time.
 */
import {
  PROTOCOL_VERSION,
  type ConsentMessage,
  type DeviceStatus,
  type DoctorReport,
  type RemoteConfigResult,
  type ScoreWindow,
  type SourceState as WireSourceState,
} from '@attune/protocol';
import { AGENT_VERSION } from '../version.ts';

export interface AgentStatus {
  deviceId: string;
  agentVersion: string;
  connected: boolean;
  /** The consent in force, or null before the first valid message (everything off). */
  consent: ConsentMessage | null;
  sources: { camera: WireSourceState; wearable: WireSourceState };
  models: Record<string, string>;
  /** The seq the next window will get. */
  nextSeq: number;
  windowsProduced: number;
  outboxPending: number;
  outboxDropped: number;
  baselineReady: boolean;
  /** Wearable samples held in memory for the current window and trailing context (0 without consent). */
  bufferedWearableSamples: number;
  /** Camera frames analysed / dropped (pipeline busy) since start; frames are never kept. */
  framesAnalysed: number;
  framesDropped: number;
  /** Calm frames learned towards this patient's neutral face, and whether it is ready. */
  faceBaseline: { frames: number; ready: boolean } | null;
  /** Process id of the camera's ffmpeg child while one runs. */
  cameraPid: number | null;
  /** This agent's clock minus the server's, ms, from the server's time messages; null until one arrived. */
  clockOffsetMs: number | null;
  lastWindow: ScoreWindow | null;
  /** The last remote configuration handled (applied or refused); undefined with none (the local file). */
  config: RemoteConfigResult | undefined;
  /** The doctor checklist run at start; undefined until it has finished. */
  doctor: DoctorReport | undefined;
  /** Length of the window being measured now, ms (the local file's, or the remote configuration's). */
  windowMs: number;
}

/** Where each figure comes from; each is read when a status is asked for. */
export interface StatusSources {
  deviceId: string;
  models: Record<string, string>;
  consent: {
    consent(): ConsentMessage | null;
    cameraState(): WireSourceState;
    wearableState(): WireSourceState;
    cameraPid(): number | null;
  };
  clock: { offsetMs(): number | null };
  link: { isConnected(): boolean };
  seq: { peek(): number };
  outbox: { size(): number; droppedCount(): number };
  wearable: { isBaselineReady(): boolean; bufferedCount(): number };
  frames: { framesAnalysed(): number; framesDropped(): number } | null;
  face: { baseline: { progress(): number; isReady(): boolean } } | null;
  /** sha256 of each loaded model file, by name (the manifest's, which the loader verified). */
  modelSha256: Record<string, string>;
  usage: { cpuPercent(): number; memoryRssBytes(): number };
  remoteConfig: { result(): RemoteConfigResult | undefined };
  window: { currentWindowMs(): number };
}

export class StatusReport {
  private windowsProduced = 0;
  private lastWindow: ScoreWindow | null = null;
  /** What the last status message said about sources and clock, to re-announce as soon as it changes. */
  private announcedKey = '';
  private doctorReport: DoctorReport | undefined;

  constructor(private readonly s: StatusSources) {}

  /** The doctor checklist finished (news for the server: its key changes). */
  doctorRan(report: DoctorReport): void {
    this.doctorReport = report;
  }

  /** The status message's body; what it says about sources and clock is then the announced state. */
  message(): Omit<DeviceStatus, 'state' | 'at'> {
    this.announcedKey = this.key();
    return {
      v: PROTOCOL_VERSION,
      deviceId: this.s.deviceId,
      agentVersion: AGENT_VERSION,
      models: this.s.models,
      sources: { camera: this.s.consent.cameraState(), wearable: this.s.consent.wearableState() },
      clockOffsetMs: this.s.clock.offsetMs(),
      // Fleet health: read at each status, so the figures are as of this message.
      outboxBacklog: this.s.outbox.size(),
      cpuPercent: this.s.usage.cpuPercent(),
      memoryRssBytes: this.s.usage.memoryRssBytes(),
      modelSha256: this.s.modelSha256,
      ...optional('config', this.s.remoteConfig.result()),
      ...optional('doctor', this.doctorReport),
    };
  }

  /** Sources or the clock changed since the last status message: news for the server now rather than at the next heartbeat. */
  changedSinceAnnounced(): boolean {
    return this.key() !== this.announcedKey;
  }

  windowProduced(window: ScoreWindow): void {
    this.windowsProduced += 1;
    this.lastWindow = window;
  }

  snapshot(): AgentStatus {
    const s = this.s;
    return {
      deviceId: s.deviceId,
      agentVersion: AGENT_VERSION,
      connected: s.link.isConnected(),
      consent: s.consent.consent(),
      // Read through message(), so what a snapshot reports also counts as announced.
      sources: this.message().sources,
      models: s.models,
      nextSeq: s.seq.peek(),
      windowsProduced: this.windowsProduced,
      outboxPending: s.outbox.size(),
      outboxDropped: s.outbox.droppedCount(),
      baselineReady: s.wearable.isBaselineReady(),
      bufferedWearableSamples: s.wearable.bufferedCount(),
      framesAnalysed: s.frames?.framesAnalysed() ?? 0,
      framesDropped: s.frames?.framesDropped() ?? 0,
      faceBaseline: s.face ? { frames: s.face.baseline.progress(), ready: s.face.baseline.isReady() } : null,
      cameraPid: s.consent.cameraPid(),
      clockOffsetMs: s.clock.offsetMs(),
      lastWindow: this.lastWindow,
      config: s.remoteConfig.result(),
      doctor: this.doctorReport,
      windowMs: s.window.currentWindowMs(),
    };
  }

  // The clock to the second: a first measurement, or a change of a second or more, is news for the
  // server; so is a remote configuration handled and the doctor checklist done.
  private key(): string {
    const offsetMs = this.s.clock.offsetMs();
    return JSON.stringify([
      this.s.consent.cameraState(),
      this.s.consent.wearableState(),
      offsetMs === null ? null : Math.round(offsetMs / 1000),
      this.s.remoteConfig.result() ?? null,
      this.doctorReport?.at ?? null,
    ]);
  }
}

/** `{ [key]: value }` when there is a value, else nothing (an absent optional field, not `undefined`, under exactOptionalPropertyTypes). */
function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return value === undefined ? {} : ({ [key]: value } as { [P in K]: V });
}
