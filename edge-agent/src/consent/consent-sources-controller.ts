/**
 * Turns the consent in force into open and closed sources. The consent gate decides what may be
 * measured; this opens a consented source, closes a withdrawn one and has its held measurements
 * discarded, numbers every consent change (the epoch) so work begun under an older consent can be
 * dropped, and reports each source's state as the status message words it. IT's remote
 * configuration is a second gate (`setRemoteSources`): a source it switches off stays closed
 * (`stopped`) whatever the consent, and it can swap the camera source (`replaceCamera`).
 */
import type { ConsentMessage, SourceState as WireSourceState } from '@attune/protocol';
import type { WearableSample } from '@attune/models';
import type { AgentLogger } from '../log.ts';
import type { CameraSource, RgbFrame } from '../sources/camera/frame.ts';
import type { WearableSource } from '../sources/wearable/wearable-source.ts';
import { ConsentGate, type Modality } from './consent-gate.ts';

/** A wearable open without a usable sample (none at all, or only off the wrist) for this long reports `no_signal`. */
export const WEARABLE_NO_SIGNAL_MS = 10_000;

/** What measuring code asks of the consent in force. */
export interface ConsentInForce {
  /** Allowed by the consent in force, and the agent is not shutting down. */
  mayMeasure(modality: Modality): boolean;
  /** Counts consent changes; a measurement begun at one epoch is kept only while it is current. */
  epoch(): number;
  /** No consent change since `epoch` and the agent is not shutting down. */
  isCurrent(epoch: number): boolean;
}

/** Where a consented wearable's samples go (the wearable scorer). */
export interface WearableSampleSink {
  add(samples: readonly WearableSample[]): void;
  bufferedCount(): number;
  discardSamples(): void;
}

/** What a consented camera's frames feed, and what it holds of them. */
export interface CameraFrameSink {
  /** `stillConsented` tells, when the frame has been measured, whether the measurement may be kept. */
  admit(frame: RgbFrame, stillConsented: () => boolean): void;
  /** Whether per-frame measurements of the current window are held. */
  holdsMeasurements(): boolean;
  /** The camera closed for lack of consent: forget the held measurements and any motion history. */
  forget(): void;
}

export interface WearableSide {
  source: WearableSource;
  samples: WearableSampleSink;
}

export interface CameraSide {
  source: CameraSource;
  frames: CameraFrameSink;
}

export interface ConsentSourcesOptions {
  deviceId: string;
  log: AgentLogger;
  wearable: WearableSide | null;
  camera: CameraSide | null;
  /** The stay changed: a new patient, whose baselines start afresh. */
  onNewStay: () => void;
  /** A consent change (or a change of the sources IT allows) was applied and the sources follow it. */
  onConsentApplied: () => void;
  now?: () => number;
}

export class ConsentSourcesController implements ConsentInForce {
  private readonly gate: ConsentGate;
  private consentEpoch = 0;
  private currentStay: string | null = null;
  private shutDownStarted = false;
  /** Resolves when the camera last closed has exited: a camera device is held by one ffmpeg at a time. */
  private cameraClosing: Promise<void> = Promise.resolve();
  /** When a window last had a usable wearable signal (samples from a sensor on the wrist), or consent last changed. */
  private wearableSignalAtMs: number;
  private readonly now: () => number;
  /** Which sources IT's remote configuration lets run at all (all, without one). */
  private remote: Record<Modality, boolean> = { camera: true, wearable: true };
  private camera: CameraSide | null;

  constructor(private readonly o: ConsentSourcesOptions) {
    this.gate = new ConsentGate(o.deviceId);
    this.now = o.now ?? (() => Date.now());
    this.wearableSignalAtMs = this.now();
    this.camera = o.camera;
  }

  /** The sources IT's remote configuration allows; a change starts a fresh window, as a consent change does. */
  setRemoteSources(sources: Record<Modality, boolean>): void {
    if (sources.camera === this.remote.camera && sources.wearable === this.remote.wearable) return;
    this.remote = { ...sources };
    this.consentEpoch += 1;
    this.o.log.info('sources allowed by remote config', { camera: sources.camera, wearable: sources.wearable });
    this.followConsent();
    this.o.onConsentApplied();
  }

  /**
   * Puts another camera source in place of the current one (remote configuration: device or frame
   * rate). The old one is closed and its measurements forgotten; the new one opens if allowed.
   */
  async replaceCamera(source: CameraSource): Promise<void> {
    const camera = this.camera;
    if (!camera) throw new Error('no camera is configured on this machine');
    this.closeCamera(camera, 'replaced by remote config');
    await this.cameraClosing;
    this.camera = { source, frames: camera.frames };
    this.consentEpoch += 1;
    this.followConsent();
  }

  /** Raw bytes from the consent topic. Never logs the payload itself: only why it was ignored. */
  applyPayload(payload: Buffer): void {
    const result = this.gate.applyPayload(payload);
    if (!result.applied) {
      if (result.reason !== 'same_version')
        this.o.log.warn('consent message ignored', { reason: result.reason, bytes: payload.byteLength });
      return;
    }
    this.consentEpoch += 1;
    const c = result.change.current;
    // A new stay is a new patient: their neutral face and running signs start afresh.
    const stay = c?.stay ?? null;
    if (stay !== this.currentStay) {
      this.o.onNewStay();
      this.currentStay = stay;
    }
    this.o.log.info('consent applied', {
      version: c?.version ?? null,
      stay: c?.stay ? 'active' : 'none',
      camera: this.gate.isAllowed('camera'),
      wearable: this.gate.isAllowed('wearable'),
    });
    this.followConsent();
    this.wearableSignalAtMs = this.now(); // judged afresh under the new consent
    this.o.onConsentApplied();
  }

  consent(): ConsentMessage | null {
    return this.gate.consent();
  }

  /** What the consent in force allows, whatever the hardware. */
  isAllowed(modality: Modality): boolean {
    return this.gate.isAllowed(modality);
  }

  isAnyAllowed(): boolean {
    return this.gate.isAnyAllowed();
  }

  mayMeasure(modality: Modality): boolean {
    return this.mayRun(modality) && !this.shutDownStarted;
  }

  epoch(): number {
    return this.consentEpoch;
  }

  isCurrent(epoch: number): boolean {
    return epoch === this.consentEpoch && !this.shutDownStarted;
  }

  /** A window had samples from a sensor on the wrist. */
  noteWearableSignal(): void {
    this.wearableSignalAtMs = this.now();
  }

  wearableState(): WireSourceState {
    const wearable = this.o.wearable;
    if (!wearable) return 'not_configured';
    if (!this.gate.isAllowed('wearable')) return 'no_consent';
    if (!this.remote.wearable) return 'stopped';
    const state = wearable.source.state();
    // Open, but nothing usable for a while (off the wrist, or silent): the server raises "signal lost".
    return state === 'streaming' && this.now() - this.wearableSignalAtMs > WEARABLE_NO_SIGNAL_MS ? 'no_signal' : state;
  }

  cameraState(): WireSourceState {
    const camera = this.camera;
    if (!camera) return 'not_configured';
    if (!this.gate.isAllowed('camera')) return 'no_consent';
    if (!this.remote.camera) return 'stopped';
    return camera.source.state();
  }

  cameraPid(): number | null {
    return this.camera?.source.pid() ?? null;
  }

  /** Closes both sources for good and drops their samples; resolves when any camera process has exited. */
  async shutDown(): Promise<void> {
    this.shutDownStarted = true;
    this.o.wearable?.source.close();
    this.o.wearable?.samples.discardSamples();
    await Promise.all([this.cameraClosing, this.camera?.source.close()]);
  }

  /** Consent allows it and IT's remote configuration lets it run. */
  private mayRun(modality: Modality): boolean {
    return this.gate.isAllowed(modality) && this.remote[modality];
  }

  /** Opens what the consent in force (and the remote configuration) allows and closes the rest. */
  private followConsent(): void {
    const { camera } = this;
    const { wearable } = this.o;
    if (camera) {
      if (this.mayRun('camera')) this.openCamera(camera);
      else this.closeCamera(camera, this.gate.isAllowed('camera') ? 'switched off by remote config' : 'no consent');
    }
    if (wearable) {
      if (this.mayRun('wearable')) this.openWearable(wearable);
      else this.closeWearable(wearable);
    }
  }

  private openWearable({ source, samples }: WearableSide): void {
    if (source.state() === 'streaming') return;
    source.open((batch) => {
      // Belt and braces: a sample arriving after withdrawal is dropped, not buffered.
      if (this.mayMeasure('wearable')) samples.add(batch);
    });
    this.o.log.info('wearable opened (consented)', { source: source.description });
  }

  private closeWearable({ source, samples }: WearableSide): void {
    if (source.state() !== 'streaming' && samples.bufferedCount() === 0) return;
    source.close();
    samples.discardSamples();
    this.o.log.info(
      `wearable closed and buffered samples discarded (${this.gate.isAllowed('wearable') ? 'switched off by remote config' : 'no consent'})`,
    );
  }

  private openCamera({ source, frames }: CameraSide): void {
    if (source.state() === 'streaming') return;
    // A camera device is held by one ffmpeg at a time: open only once the last one has exited.
    void this.cameraClosing.then(() => {
      // Not if consent went meanwhile, it is open already, or another source replaced it.
      if (!this.mayMeasure('camera') || source.state() === 'streaming' || this.camera?.source !== source) return;
      source.open((frame) => {
        // Belt and braces: a frame arriving after withdrawal is dropped unseen.
        if (!this.mayMeasure('camera')) return;
        const epoch = this.consentEpoch;
        frames.admit(frame, () => this.isCurrent(epoch) && this.mayMeasure('camera'));
      });
      this.o.log.info('camera opened (consented)', { source: source.description });
    });
  }

  private closeCamera({ source, frames }: CameraSide, why: string): void {
    if (source.state() === 'stopped' && source.pid() === null && !frames.holdsMeasurements()) return;
    this.cameraClosing = source.close();
    frames.forget();
    this.o.log.info(`camera closed and frame measurements discarded (${why})`);
  }
}
