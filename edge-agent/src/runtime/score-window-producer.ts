/**
 * Closes one window: scores what the consented sources measured in it, fuses the two into the
 * published numbers, and hands the window to the durable outbox under the next seq. Fails closed:
 * without a consent that allows something, nothing is measured and nothing is sent; a window whose
 * consent changed while it was being scored is dropped.
 */
import { encodePayload, type ConsentMessage, type ScoreWindow } from '@attune/protocol';
import type { ConsentSourcesController } from '../consent/consent-sources-controller.ts';
import type { FacePipeline } from '../face/face-pipeline.ts';
import { summariseFaceWindow, type FrameAnalysis } from '../face/face-window.ts';
import { fuse } from '../fusion/fuse.ts';
import type { SignPersistence } from '../fusion/sign-persistence.ts';
import type { AgentLogger } from '../log.ts';
import { scoreWindowMessage } from '../pipeline/score-window-message.ts';
import type { WearableScorer } from '../pipeline/wearable-scorer.ts';
import type { DurableOutbox } from '../publisher/durable-outbox.ts';
import type { SeqStore } from '../publisher/seq-store.ts';
import type { FrameAdmission } from '../sources/camera/frame-admission.ts';

export interface ScoreWindowProducerOptions {
  deviceId: string;
  models: Record<string, string>;
  /** The wearable model's fusion weights. */
  weights: readonly number[];
  consent: ConsentSourcesController;
  scorer: WearableScorer;
  /** The face pipeline and the frames it measured, when a camera is configured. */
  face: { pipeline: FacePipeline; frames: FrameAdmission<FrameAnalysis> } | null;
  persistence: SignPersistence;
  seqStore: SeqStore;
  outbox: DurableOutbox;
  log: AgentLogger;
  /** A window went into the outbox. */
  onProduced: (window: ScoreWindow) => void;
  /** Measuring a window ended, however it ended: the sources may have news for the status. */
  afterMeasuring: () => void;
}

export class ScoreWindowProducer {
  constructor(private readonly o: ScoreWindowProducerOptions) {}

  async produce(startMs: number, endMs: number): Promise<void> {
    const consent = this.o.consent.consent();
    if (!consent || !this.o.consent.isAnyAllowed()) return; // fail closed: nothing is measured, nothing is sent
    try {
      await this.measure(consent, startMs, endMs);
    } finally {
      this.o.afterMeasuring();
    }
  }

  private async measure(consent: ConsentMessage, startMs: number, endMs: number): Promise<void> {
    const { consent: sources, scorer, face, log } = this.o;
    const epoch = sources.epoch();
    const wearableAllowed = sources.isAllowed('wearable');
    // Consent, not hardware: a consented camera that is not attached is reported as such, not as "not consented".
    const cameraConsented = sources.isAllowed('camera');
    const cameraFace = cameraConsented ? face : null;
    const frames = face ? face.frames.takeWindow() : [];
    const faceObservation = cameraFace && frames.length > 0 ? summariseFaceWindow(frames, cameraFace.pipeline.baseline.isReady()) : null;
    const observation = wearableAllowed ? await scorer.score(startMs, endMs) : null;
    if (!sources.isCurrent(epoch)) return; // consent changed while scoring: drop this window
    if (observation?.features.onWrist) sources.noteWearableSignal();
    // The window is measured against the neutral face in force; only then may it teach that face,
    // and only if the wearable says calm and the face was steady (neutral-baseline.ts).
    if (cameraFace && frames.length > 0) {
      const baseline = cameraFace.pipeline.baseline;
      const vet = baseline.vetWindow(frames, { wearableConsented: wearableAllowed, wearable: observation });
      if (vet.outcome === 'accepted' || vet.outcome === 'replaced') {
        log.info(`neutral face baseline ${vet.outcome}`, { vettedBy: baseline.current()?.vettedBy ?? null });
      }
    }
    const fused = fuse({
      wearableConsented: wearableAllowed,
      cameraConsented,
      wearable: observation,
      weights: this.o.weights,
      face: faceObservation,
      persistence: this.o.persistence,
      windowStartMs: startMs,
      windowEndMs: endMs,
      cameraSource: sources.cameraState(),
      wearableSource: sources.wearableState(),
    });
    const window = scoreWindowMessage(fused, {
      deviceId: this.o.deviceId,
      seq: this.o.seqStore.peek(),
      windowStartMs: startMs,
      windowEndMs: endMs,
      consentVersion: consent.version,
      models: this.o.models,
    });
    // Validates against the wire schema before a seq is spent or anything is stored.
    const payload = encodePayload('scores', window);
    this.o.seqStore.take(); // persists seq + 1 before the window can leave; equals window.seq (single-threaded)
    this.o.outbox.append(window.seq, payload);
    this.o.onProduced(window);
  }
}
