/**
 * The bedside agent, as a composition root: config -> models (verified, warmed up) -> seq store and
 * outbox -> sources (closed) -> consent gate -> MQTT link -> window clock. Several agents can run
 * in one process (the demo runs eight): no process-global state, no process.exit.
 */
import { join } from 'node:path';
import {
  encodePayload,
  PROTOCOL_VERSION,
  type ConsentMessage,
  type ScoreWindow,
  type SourceState as WireSourceState,
} from '@attune/protocol';
import { loadWearableWeights } from '@attune/models';
import { parseConfig, readMqttCa, type AgentConfig, type AgentConfigInput } from './config.ts';
import { ConsentGate } from './consent/consent-gate.ts';
import { fuse } from './fusion/fuse.ts';
import { WearableDistressModel } from './inference/wearable-distress-model.ts';
import { FaceModels } from './face/face-models.ts';
import { FacePipeline } from './face/face-pipeline.ts';
import { summariseFaceWindow, type FrameAnalysis } from './face/face-window.ts';
import { SignPersistence } from './fusion/sign-persistence.ts';
import { consoleLogger, type AgentLogger } from './log.ts';
import { ClockOffset } from './publisher/clock-offset.ts';
import { DurableOutbox } from './publisher/durable-outbox.ts';
import { MqttPublisher } from './publisher/mqtt-publisher.ts';
import { SeqStore } from './publisher/seq-store.ts';
import { WearableScorer } from './pipeline/wearable-scorer.ts';
import { createCameraSource } from './sources/camera/create-camera-source.ts';
import { createWearableSource } from './sources/wearable/create-wearable-source.ts';
import type { RgbFrame } from './sources/camera/frame.ts';
import { AGENT_VERSION } from './version.ts';

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
}

export interface RunningAgent {
  readonly deviceId: string;
  status(): AgentStatus;
  /** Stops the clock, closes sources, waits briefly for in-flight acks, announces offline. Idempotent. */
  stop(): Promise<void>;
}

/** A wearable open without a usable sample (none at all, or only off the wrist) for this long reports `no_signal`. */
const WEARABLE_NO_SIGNAL_MS = 10_000;

export interface StartAgentOptions {
  log?: AgentLogger;
}

export async function startAgent(configInput: AgentConfig | AgentConfigInput, options: StartAgentOptions = {}): Promise<RunningAgent> {
  const config = parseConfig(configInput);
  const log = options.log ?? consoleLogger(config.deviceId);
  const mqttCa = readMqttCa(config.mqtt);

  // 1. Model: refuses to start on a hash mismatch.
  const model = await WearableDistressModel.load(config.modelsManifest);
  const weights = loadWearableWeights().weights.map((w) => w.weight);
  // Face models only when a camera is configured; a hash mismatch stops the agent here too.
  const faceModels =
    config.camera.kind === 'none'
      ? null
      : await FaceModels.load({ manifestPath: config.modelsManifest, threads: config.camera.inferenceThreads });
  const models = { [model.info.name]: model.info.version, ...(faceModels?.versions() ?? {}) };

  // 2. Durable state: outbox first, so the seq floor covers anything still pending.
  const outbox = DurableOutbox.open(join(config.dataDir, 'outbox'), { maxMessages: config.maxOutboxMessages, log });
  const seqStore = SeqStore.open(config.dataDir, (outbox.highestSeq() ?? -1) + 1);

  // 3. Sources, closed until consent opens them.
  const wearableSource = createWearableSource(config.wearable, log);
  const cameraSource = createCameraSource(config.camera, log);
  const facePipeline =
    faceModels && config.camera.kind !== 'none'
      ? new FacePipeline(faceModels, { bedRegion: config.camera.bedRegion, baselineFrames: config.camera.baselineFrames })
      : null;
  /** Per-frame numbers of the current window (no pixels). */
  let faceFrames: FrameAnalysis[] = [];
  let analysing = false;
  let framesAnalysed = 0;
  let framesDropped = 0;
  let cameraClosing: Promise<void> = Promise.resolve();
  let currentStay: string | null = null;
  const persistence = new SignPersistence(config.windowMs * 3);
  const scorer = new WearableScorer(model, config.baselineWindows);
  const gate = new ConsentGate(config.deviceId);

  let windowsProduced = 0;
  let lastWindow: ScoreWindow | null = null;
  /** When a window last had a usable wearable signal (samples from a sensor on the wrist), or the source was last opened. */
  let wearableSignalAtMs = Date.now();
  const clock = new ClockOffset();
  /** What the last published status said about sources and clock, to re-announce as soon as it changes. */
  let announcedKey = '';
  /** Bumped on every consent change so a window measured under an older consent is never published. */
  let consentEpoch = 0;
  let windowStartMs = Date.now();
  let timer: NodeJS.Timeout | null = null;
  let tickInProgress: Promise<void> | null = null;
  let stopped = false;

  const wearableState = (): WireSourceState => {
    if (!wearableSource) return 'not_configured';
    if (!gate.isAllowed('wearable')) return 'no_consent';
    const state = wearableSource.state();
    // Open, but nothing usable for a while (off the wrist, or silent): the server raises "signal lost".
    return state === 'streaming' && Date.now() - wearableSignalAtMs > WEARABLE_NO_SIGNAL_MS ? 'no_signal' : state;
  };
  const cameraState = (): WireSourceState => {
    if (!cameraSource) return 'not_configured';
    if (!gate.isAllowed('camera')) return 'no_consent';
    return cameraSource.state();
  };
  // The clock to the second: a first measurement, or a change of a second or more, is news for the server.
  const statusKey = () => {
    const offsetMs = clock.offsetMs();
    return JSON.stringify([cameraState(), wearableState(), offsetMs === null ? null : Math.round(offsetMs / 1000)]);
  };
  const statusBody = () => {
    announcedKey = statusKey();
    return {
      v: PROTOCOL_VERSION,
      deviceId: config.deviceId,
      agentVersion: AGENT_VERSION,
      models,
      sources: { camera: cameraState(), wearable: wearableState() },
      clockOffsetMs: clock.offsetMs(),
    };
  };
  /** Sources or the clock changed since the last status: tell the server now rather than at the next heartbeat. */
  const announceIfChanged = () => {
    if (statusKey() !== announcedKey) publisher.announce();
  };

  const onFrame = (frame: RgbFrame) => {
    // Belt and braces: a frame arriving after withdrawal is dropped unseen.
    if (!facePipeline || !gate.isAllowed('camera') || stopped) return;
    if (analysing) {
      framesDropped += 1; // keep up with the camera rather than queue frames in memory
      return;
    }
    analysing = true;
    const epoch = consentEpoch;
    facePipeline
      .analyse(frame)
      .then((analysis) => {
        if (epoch === consentEpoch && gate.isAllowed('camera') && !stopped) {
          faceFrames.push(analysis);
          framesAnalysed += 1;
        }
      })
      .catch((err: unknown) => log.error('face analysis failed', { error: (err as Error).message }))
      .finally(() => (analysing = false));
  };

  const applyConsentToSources = () => {
    applyConsentToCamera();
    if (!wearableSource) return;
    if (gate.isAllowed('wearable')) {
      if (wearableSource.state() !== 'streaming') {
        wearableSource.open((samples) => {
          // Belt and braces: a sample arriving after withdrawal is dropped, not buffered.
          if (gate.isAllowed('wearable') && !stopped) scorer.add(samples);
        });
        log.info('wearable opened (consented)', { source: wearableSource.description });
      }
    } else if (wearableSource.state() === 'streaming' || scorer.bufferedCount() > 0) {
      wearableSource.close();
      scorer.discardSamples();
      log.info('wearable closed and buffered samples discarded (no consent)');
    }
  };

  const applyConsentToCamera = () => {
    if (!cameraSource) return;
    if (gate.isAllowed('camera')) {
      if (cameraSource.state() !== 'streaming') {
        // A camera device is held by one ffmpeg at a time: open only once the last one has exited.
        void cameraClosing.then(() => {
          if (stopped || !gate.isAllowed('camera') || cameraSource.state() === 'streaming') return;
          cameraSource.open(onFrame);
          log.info('camera opened (consented)', { source: cameraSource.description });
        });
      }
    } else if (cameraSource.state() !== 'stopped' || cameraSource.pid() !== null || faceFrames.length > 0) {
      cameraClosing = cameraSource.close();
      faceFrames = [];
      facePipeline?.forgetMotion();
      log.info('camera closed and frame measurements discarded (no consent)');
    }
  };

  const onConsentPayload = (payload: Buffer) => {
    const result = gate.applyPayload(payload);
    if (!result.applied) {
      // Never log the payload itself: only why it was ignored.
      if (result.reason !== 'same_version') log.warn('consent message ignored', { reason: result.reason, bytes: payload.byteLength });
      return;
    }
    consentEpoch += 1;
    const c = result.change.current;
    // A new stay is a new patient: their neutral face and running signs start afresh.
    const stay = c?.stay ?? null;
    if (stay !== currentStay) {
      scorer.resetPatient();
      facePipeline?.resetPatient();
      persistence.clear();
      currentStay = stay;
    }
    log.info('consent applied', {
      version: c?.version ?? null,
      stay: c?.stay ? 'active' : 'none',
      camera: gate.isAllowed('camera'),
      wearable: gate.isAllowed('wearable'),
    });
    applyConsentToSources();
    wearableSignalAtMs = Date.now(); // judged afresh under the new consent
    // A window is measured under exactly one consent version: start a fresh one now.
    scorer.discardSamples();
    faceFrames = [];
    windowStartMs = Date.now();
    publisher.announce();
  };

  const publisher = new MqttPublisher({
    deviceId: config.deviceId,
    url: config.mqtt.url,
    username: config.mqtt.username,
    password: config.mqtt.password,
    ca: mqttCa,
    reconnectMs: config.mqtt.reconnectMs,
    outbox,
    status: statusBody,
    onConsentPayload,
    onServerTime: (payload) => {
      if (!clock.observe(payload)) log.warn('server time message ignored', { bytes: payload.byteLength });
      announceIfChanged();
    },
    log,
  });

  const closeWindow = async (startMs: number, endMs: number) => {
    const consent = gate.consent();
    if (!consent || !gate.isAnyAllowed()) return; // fail closed: nothing is measured, nothing is sent
    try {
      await measureWindow(consent, startMs, endMs);
    } finally {
      announceIfChanged();
    }
  };

  const measureWindow = async (consent: ConsentMessage, startMs: number, endMs: number) => {
    const epoch = consentEpoch;
    const wearableAllowed = gate.isAllowed('wearable');
    // Consent, not hardware: a consented camera that is not attached is reported as such, not as "not consented".
    const cameraConsented = gate.isAllowed('camera');
    const cameraAllowed = cameraConsented && facePipeline !== null;
    const frames = faceFrames;
    faceFrames = [];
    const faceObservation = cameraAllowed && frames.length > 0 ? summariseFaceWindow(frames, facePipeline.baseline.isReady()) : null;
    const observation = wearableAllowed ? await scorer.score(startMs, endMs) : null;
    if (epoch !== consentEpoch || stopped) return; // consent changed while scoring: drop this window
    if (observation?.features.onWrist) wearableSignalAtMs = Date.now();
    // The window is measured against the neutral face in force; only then may it teach that face,
    // and only if the wearable says calm and the face was steady (neutral-baseline.ts).
    if (cameraAllowed && frames.length > 0) {
      const vet = facePipeline.baseline.vetWindow(frames, { wearableConsented: wearableAllowed, wearable: observation });
      if (vet.outcome === 'accepted' || vet.outcome === 'replaced') {
        log.info(`neutral face baseline ${vet.outcome}`, { vettedBy: facePipeline.baseline.current()?.vettedBy ?? null });
      }
    }
    const fused = fuse({
      wearableConsented: wearableAllowed,
      cameraConsented,
      wearable: observation,
      weights,
      face: faceObservation,
      persistence,
      windowStartMs: startMs,
      windowEndMs: endMs,
      cameraSource: cameraState(),
      wearableSource: wearableState(),
    });
    const window: ScoreWindow = {
      v: PROTOCOL_VERSION,
      deviceId: config.deviceId,
      seq: seqStore.peek(),
      windowStart: new Date(startMs).toISOString(),
      windowEnd: new Date(endMs).toISOString(),
      consentVersion: consent.version,
      fused: fused.fused,
      ...(fused.face ? { face: fused.face } : {}),
      ...(fused.wearable ? { wearable: fused.wearable } : {}),
      quality: fused.quality,
      models,
    };
    // Validates against the wire schema before a seq is spent or anything is stored.
    const payload = encodePayload('scores', window);
    seqStore.take(); // persists seq + 1 before the window can leave; equals window.seq (single-threaded)
    outbox.append(window.seq, payload);
    windowsProduced += 1;
    lastWindow = window;
    publisher.pump();
  };

  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(
      () => {
        const now = Date.now();
        let endMs = windowStartMs + config.windowMs;
        // After a stall (suspended VM, blocked loop) do not emit a burst of stale windows: start afresh.
        if (now - endMs > config.windowMs) {
          windowStartMs = now - config.windowMs;
          endMs = now;
        }
        const startMs = windowStartMs;
        windowStartMs = endMs;
        tickInProgress = closeWindow(startMs, endMs)
          .catch((err: unknown) => log.error('window failed', { error: (err as Error).message }))
          .finally(() => {
            tickInProgress = null;
            schedule();
          });
      },
      Math.max(0, windowStartMs + config.windowMs - Date.now()),
    );
  };

  publisher.start();
  schedule();
  log.info('agent started', {
    agentVersion: AGENT_VERSION,
    model: `${model.info.name}@${model.info.version}`,
    pendingInOutbox: outbox.size(),
    nextSeq: seqStore.peek(),
  });

  let stopping: Promise<void> | null = null;
  return {
    deviceId: config.deviceId,
    status: () => ({
      deviceId: config.deviceId,
      agentVersion: AGENT_VERSION,
      connected: publisher.isConnected(),
      consent: gate.consent(),
      sources: statusBody().sources,
      models,
      nextSeq: seqStore.peek(),
      windowsProduced,
      outboxPending: outbox.size(),
      outboxDropped: outbox.droppedCount(),
      baselineReady: scorer.isBaselineReady(),
      bufferedWearableSamples: scorer.bufferedCount(),
      framesAnalysed,
      framesDropped,
      faceBaseline: facePipeline ? { frames: facePipeline.baseline.progress(), ready: facePipeline.baseline.isReady() } : null,
      cameraPid: cameraSource?.pid() ?? null,
      clockOffsetMs: clock.offsetMs(),
      lastWindow,
    }),
    stop: () => {
      stopping ??= (async () => {
        stopped = true;
        if (timer) clearTimeout(timer);
        wearableSource?.close();
        scorer.discardSamples();
        await Promise.all([cameraClosing, cameraSource?.close()]);
        faceFrames = [];
        await tickInProgress;
        while (analysing) await new Promise((r) => setTimeout(r, 10));
        await publisher.stop();
        await model.release();
        await facePipeline?.release();
        log.info('agent stopped', { pendingInOutbox: outbox.size() });
      })();
      return stopping;
    },
  };
}
