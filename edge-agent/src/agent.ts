/**
 * The bedside agent, as a composition root: config -> models (verified, warmed up) -> seq store and
 * outbox -> sources (closed) -> consent gate -> MQTT link -> window clock -> remote configuration. Several agents can run
 * in one process (the demo runs eight): no process-global state, no process.exit.
 */
import { join } from 'node:path';
import { loadWearableWeights, MANIFEST_PATH } from '@attune/models';
import { parseConfig, readMqttCa, type AgentConfig, type AgentConfigInput } from './config.ts';
import { ConsentSourcesController } from './consent/consent-sources-controller.ts';
import { runAgentDoctor } from './doctor/doctor-report.ts';
import { FaceModels } from './face/face-models.ts';
import { FacePipeline } from './face/face-pipeline.ts';
import type { FrameAnalysis } from './face/face-window.ts';
import { SignPersistence } from './fusion/sign-persistence.ts';
import { WearableDistressModel } from './inference/wearable-distress-model.ts';
import { consoleLogger, type AgentLogger } from './log.ts';
import { WearableScorer } from './pipeline/wearable-scorer.ts';
import { ClockOffset } from './publisher/clock-offset.ts';
import { DurableOutbox } from './publisher/durable-outbox.ts';
import { MqttPublisher } from './publisher/mqtt-publisher.ts';
import { SeqStore } from './publisher/seq-store.ts';
import { RemoteConfigManager } from './remote-config/remote-config-manager.ts';
import { RemoteConfigStore } from './remote-config/remote-config-store.ts';
import { deviceNodeExists, localSettings, remoteConfigTargets } from './remote-config/remote-config-targets.ts';
import { ScoreWindowProducer } from './runtime/score-window-producer.ts';
import { WindowClock } from './runtime/window-clock.ts';
import { createCameraSource } from './sources/camera/create-camera-source.ts';
import { FrameAdmission } from './sources/camera/frame-admission.ts';
import { createWearableSource } from './sources/wearable/create-wearable-source.ts';
import { loadedModelHashes } from './status/model-hashes.ts';
import { ProcessUsage } from './status/process-usage.ts';
import { StatusReport, type AgentStatus } from './status/status-report.ts';
import { AGENT_VERSION } from './version.ts';

export type { AgentStatus };

export interface RunningAgent {
  readonly deviceId: string;
  status(): AgentStatus;
  /** Stops the clock, closes sources, waits briefly for in-flight acks, announces offline. Idempotent. */
  stop(): Promise<void>;
}

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
  const persistence = new SignPersistence(config.windowMs * 3);
  const scorer = new WearableScorer(model, config.baselineWindows);
  /** Frames into the face pipeline one at a time; the current window's per-frame numbers (no pixels). */
  const faceFrames = facePipeline
    ? new FrameAdmission<FrameAnalysis>({
        analyse: (frame) => facePipeline.analyse(frame),
        forgetMotion: () => facePipeline.forgetMotion(),
        log,
      })
    : null;

  // 4. Consent decides which sources are open; a change starts a fresh window.
  const sources = new ConsentSourcesController({
    deviceId: config.deviceId,
    log,
    wearable: wearableSource ? { source: wearableSource, samples: scorer } : null,
    camera: cameraSource && faceFrames ? { source: cameraSource, frames: faceFrames } : null,
    onNewStay: () => {
      scorer.resetPatient();
      facePipeline?.resetPatient();
      persistence.clear();
    },
    onConsentApplied: () => {
      // A window is measured under exactly one consent version: start a fresh one now.
      scorer.discardSamples();
      faceFrames?.discard();
      clock.restartWindow();
      publisher.announce();
    },
  });

  // 5. Status and the MQTT link.
  const clockOffset = new ClockOffset();
  const status = new StatusReport({
    deviceId: config.deviceId,
    models,
    consent: sources,
    clock: clockOffset,
    link: { isConnected: (): boolean => publisher.isConnected() },
    seq: seqStore,
    outbox,
    wearable: scorer,
    frames: faceFrames,
    face: facePipeline,
    modelSha256: loadedModelHashes(config.modelsManifest, Object.keys(models)),
    usage: new ProcessUsage(),
    remoteConfig: { result: () => remoteConfig.result() },
    window: { currentWindowMs: () => clock.currentWindowMs() },
  });
  const announceIfChanged = () => {
    if (status.changedSinceAnnounced()) publisher.announce();
  };
  const publisher = new MqttPublisher({
    deviceId: config.deviceId,
    url: config.mqtt.url,
    username: config.mqtt.username,
    password: config.mqtt.password,
    ca: mqttCa,
    reconnectMs: config.mqtt.reconnectMs,
    outbox,
    status: () => status.message(),
    onConsentPayload: (payload) => sources.applyPayload(payload),
    onConfigPayload: (payload) => void remoteConfig.handlePayload(payload),
    onConfigSubscribing: () => remoteConfig.subscribing(),
    onConfigSubscribed: () => remoteConfig.subscribed(),
    onServerTime: (payload) => {
      if (!clockOffset.observe(payload)) log.warn('server time message ignored', { bytes: payload.byteLength });
      announceIfChanged();
    },
    log,
  });

  // 6. The window clock: each window measured, fused and put in the outbox.
  const producer = new ScoreWindowProducer({
    deviceId: config.deviceId,
    models,
    weights,
    consent: sources,
    scorer,
    face: facePipeline && faceFrames ? { pipeline: facePipeline, frames: faceFrames } : null,
    persistence,
    seqStore,
    outbox,
    log,
    onProduced: (window) => {
      status.windowProduced(window);
      publisher.pump();
    },
    afterMeasuring: announceIfChanged,
  });
  const clock = new WindowClock({
    windowMs: config.windowMs,
    closeWindow: (startMs, endMs) => producer.produce(startMs, endMs),
    onError: (err) => log.error('window failed', { error: (err as Error).message }),
  });

  // 7. Remote configuration (IT, topic `config`): checked, applied without a restart or refused;
  // the last one applied is kept in the data folder and in force from here, before the broker answers.
  const remoteConfig = new RemoteConfigManager({
    local: {
      deviceId: config.deviceId,
      models,
      cameraKind: config.camera.kind,
      wearableConfigured: wearableSource !== null,
      deviceExists: deviceNodeExists,
    },
    defaults: localSettings(config),
    targets: remoteConfigTargets({ localCamera: config.camera, clock, sources, createCamera: (c) => createCameraSource(c, log) }),
    store: new RemoteConfigStore(config.dataDir),
    log,
    onResult: announceIfChanged,
  });
  await remoteConfig.start();

  publisher.start();
  clock.start();
  // The doctor's non-intrusive checks (the agent holds the camera, sensor and broker session itself), reported once done.
  void runAgentDoctor(config, config.modelsManifest ?? MANIFEST_PATH).then(
    (report) => {
      status.doctorRan(report);
      announceIfChanged();
    },
    (err: unknown) => log.warn('doctor checks failed to run', { error: (err as Error).message }),
  );
  log.info('agent started', {
    agentVersion: AGENT_VERSION,
    model: `${model.info.name}@${model.info.version}`,
    pendingInOutbox: outbox.size(),
    nextSeq: seqStore.peek(),
  });

  let stopping: Promise<void> | null = null;
  return {
    deviceId: config.deviceId,
    status: () => status.snapshot(),
    stop: () => {
      stopping ??= (async () => {
        await remoteConfig.stop();
        const lastWindow = clock.stop();
        await sources.shutDown();
        faceFrames?.discard();
        await lastWindow;
        await faceFrames?.idle();
        await publisher.stop();
        await model.release();
        await facePipeline?.release();
        log.info('agent stopped', { pendingInOutbox: outbox.size() });
      })();
      return stopping;
    },
  };
}
