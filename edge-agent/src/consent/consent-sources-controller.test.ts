import type { WearableSample } from '@attune/models';
import type { ConsentMessage } from '@attune/protocol';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AgentLogger } from '../log.ts';
import type { CameraSource, RgbFrame } from '../sources/camera/frame.ts';
import type { SourceState } from '../sources/source-state.ts';
import type { WearableSource } from '../sources/wearable/wearable-source.ts';
import { ConsentSourcesController, WEARABLE_NO_SIGNAL_MS } from './consent-sources-controller.ts';

const deviceId = 'bed-03-agent';
const consentPayload = (version: number, modalities: ConsentMessage['modalities'], stay: string | null = 'stay-1') =>
  Buffer.from(JSON.stringify({ v: 2, deviceId, version, stay, modalities, issuedAt: new Date().toISOString() } satisfies ConsentMessage));
const both = { camera: true, wearable: true };
const wearableOnly = { camera: false, wearable: true };
const none = { camera: false, wearable: false };

class FakeWearable implements WearableSource {
  readonly description = 'fake wearable';
  current: SourceState = 'stopped';
  emit: ((samples: WearableSample[]) => void) | null = null;
  open(onSamples: (samples: WearableSample[]) => void) {
    this.current = 'streaming';
    this.emit = onSamples;
  }
  close() {
    this.current = 'stopped';
  }
  state() {
    return this.current;
  }
}

class FakeCamera implements CameraSource {
  readonly description = 'fake camera';
  current: SourceState = 'stopped';
  opened = 0;
  emit: ((frame: RgbFrame) => void) | null = null;
  /** Resolves the close in progress, as the ffmpeg child exiting would. */
  exit: () => void = () => {};
  open(onFrame: (frame: RgbFrame) => void) {
    this.current = 'streaming';
    this.opened += 1;
    this.emit = onFrame;
  }
  close() {
    this.current = 'stopped';
    return new Promise<void>((resolve) => (this.exit = resolve));
  }
  state() {
    return this.current;
  }
  lastError() {
    return null;
  }
  pid() {
    return this.current === 'streaming' ? 4242 : null;
  }
}

const sample: WearableSample = { kind: 'hr', tMs: 0, hrBpm: 70 };
const frame: RgbFrame = { width: 1, height: 1, data: new Uint8Array(3), tMs: 0 };

function setUp() {
  const wearable = new FakeWearable();
  const camera = new FakeCamera();
  const samples: WearableSample[] = [];
  const admitted: (() => boolean)[] = [];
  const frames = { held: false, forgotten: 0 };
  const logged: string[] = [];
  const record = (level: string) => (msg: string, fields?: Record<string, unknown>) =>
    logged.push(`${level} ${msg}${fields && 'reason' in fields ? ` ${String(fields.reason)}` : ''}`);
  const log: AgentLogger = { info: record('info'), warn: record('warn'), error: record('error') };
  const events: string[] = [];
  const controller = new ConsentSourcesController({
    deviceId,
    log,
    wearable: {
      source: wearable,
      samples: {
        add: (batch) => samples.push(...batch),
        bufferedCount: () => samples.length,
        discardSamples: () => void samples.splice(0),
      },
    },
    camera: {
      source: camera,
      frames: {
        admit: (_frame, stillConsented) => admitted.push(stillConsented),
        holdsMeasurements: () => frames.held,
        forget: () => {
          frames.held = false;
          frames.forgotten += 1;
        },
      },
    },
    onNewStay: () => events.push('new stay'),
    onConsentApplied: () => events.push('consent applied'),
  });
  return { controller, wearable, camera, samples, admitted, frames, logged, events };
}

/** Lets the camera's deferred open (after the last close) run. */
const flush = () => vi.advanceTimersByTimeAsync(0);

/** Set up with consent version 1 for both modalities applied and both sources open. */
async function setUpOpen() {
  const t = setUp();
  t.controller.applyPayload(consentPayload(1, both));
  await flush();
  return t;
}

type Setup = ReturnType<typeof setUp>;
/** The callbacks the sources were opened with, kept to emit through after the sources are closed. */
const lateEmitters = (t: Setup) => ({ samples: t.wearable.emit!, frame: t.camera.emit! });

/** Both sources are closed, and what they still emit through their old callbacks is neither buffered nor admitted. */
function expectClosedAndLateOutputDropped(t: Setup, late: ReturnType<typeof lateEmitters>) {
  expect(t.wearable.state()).toBe('stopped');
  expect(t.camera.state()).toBe('stopped');
  late.samples([sample]);
  late.frame(frame);
  expect(t.samples).toEqual([]);
  expect(t.admitted).toEqual([]);
}

describe('ConsentSourcesController', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('opens nothing before a valid consent, and says why a message was ignored without logging it', async () => {
    const t = setUp();
    t.controller.applyPayload(Buffer.from('{"v":1,"secret":"patient name"}'));
    t.controller.applyPayload(Buffer.alloc(0)); // nothing to clear yet: the same as no consent
    await flush();
    expect(t.wearable.state()).toBe('stopped');
    expect(t.camera.opened).toBe(0);
    expect(t.controller.wearableState()).toBe('no_consent');
    expect(t.controller.cameraState()).toBe('no_consent');
    expect(t.controller.mayMeasure('wearable')).toBe(false);
    expect(t.controller.epoch()).toBe(0);
    expect(t.logged).toEqual(['warn consent message ignored invalid']);
    expect(t.events).toEqual([]);
  });

  it('opens exactly the consented sources and passes on what they deliver while consent lasts', async () => {
    const t = setUp();
    t.controller.applyPayload(consentPayload(1, wearableOnly));
    await flush();
    expect(t.wearable.state()).toBe('streaming');
    expect(t.camera.opened).toBe(0);
    expect(t.controller.wearableState()).toBe('streaming');
    expect(t.controller.cameraState()).toBe('no_consent');
    t.wearable.emit!([sample]);
    expect(t.samples).toEqual([sample]);
    expect(t.events).toEqual(['new stay', 'consent applied']);

    t.controller.applyPayload(consentPayload(2, both));
    await flush();
    expect(t.camera.opened).toBe(1);
    expect(t.controller.cameraState()).toBe('streaming');
    expect(t.logged.filter((l) => l.includes('opened'))).toEqual(['info wearable opened (consented)', 'info camera opened (consented)']);
    expect(t.events).toEqual(['new stay', 'consent applied', 'consent applied']); // same stay: no new patient
  });

  it('on withdrawal closes the sources, discards what they held and drops anything arriving late', async () => {
    const t = await setUpOpen();
    const late = lateEmitters(t);
    t.wearable.emit!([sample, sample]);
    t.frames.held = true;

    t.controller.applyPayload(consentPayload(2, none));
    expect(t.samples).toEqual([]);
    expect(t.frames).toEqual({ held: false, forgotten: 1 });
    expect(t.logged).toContain('info wearable closed and buffered samples discarded (no consent)');
    expect(t.logged).toContain('info camera closed and frame measurements discarded (no consent)');
    expectClosedAndLateOutputDropped(t, late);
  });

  it('reopens a camera only once the last one has exited, and not at all if consent went meanwhile', async () => {
    const t = await setUpOpen();
    t.controller.applyPayload(consentPayload(2, wearableOnly));
    t.controller.applyPayload(consentPayload(3, both));
    await flush();
    expect(t.camera.opened).toBe(1); // the first ffmpeg still holds the device
    t.camera.exit();
    await flush();
    expect(t.camera.opened).toBe(2);

    t.controller.applyPayload(consentPayload(4, wearableOnly));
    t.controller.applyPayload(consentPayload(5, both));
    t.controller.applyPayload(consentPayload(6, wearableOnly));
    t.camera.exit();
    await flush();
    expect(t.camera.opened).toBe(2);
    expect(t.controller.cameraState()).toBe('no_consent');
  });

  it('keeps a frame measurement only under the consent it was begun under', async () => {
    const t = await setUpOpen();
    t.camera.emit!(frame);
    t.camera.emit!(frame);
    const [first, second] = t.admitted;
    expect(first!()).toBe(true);
    t.controller.applyPayload(consentPayload(2, both)); // a new version, camera still allowed
    expect(first!()).toBe(false);
    expect(second!()).toBe(false);
    t.camera.emit!(frame);
    expect(t.admitted[2]!()).toBe(true);
    expect(t.controller.isCurrent(t.controller.epoch())).toBe(true);
    expect(t.controller.isCurrent(t.controller.epoch() - 1)).toBe(false);
  });

  it('treats a new stay as a new patient, and an empty retained message as withdrawal of everything', async () => {
    const t = setUp();
    t.controller.applyPayload(consentPayload(1, both, 'stay-1'));
    t.controller.applyPayload(consentPayload(2, both, 'stay-2'));
    t.controller.applyPayload(consentPayload(3, both, 'stay-2'));
    expect(t.events.filter((e) => e === 'new stay')).toHaveLength(2);
    t.controller.applyPayload(Buffer.alloc(0));
    expect(t.controller.consent()).toBeNull();
    expect(t.controller.isAnyAllowed()).toBe(false);
    expect(t.events.filter((e) => e === 'new stay')).toHaveLength(3); // no stay is a change of stay too
    expect(t.wearable.state()).toBe('stopped');
  });

  it('reports a streaming wearable without a usable signal for too long as no_signal', async () => {
    const t = setUp();
    t.controller.applyPayload(consentPayload(1, wearableOnly));
    await vi.advanceTimersByTimeAsync(WEARABLE_NO_SIGNAL_MS);
    expect(t.controller.wearableState()).toBe('streaming');
    await vi.advanceTimersByTimeAsync(1);
    expect(t.controller.wearableState()).toBe('no_signal');
    t.controller.noteWearableSignal();
    expect(t.controller.wearableState()).toBe('streaming');
  });

  it('reports a modality without a source as not_configured, whatever the consent', () => {
    const controller = new ConsentSourcesController({
      deviceId,
      log: { info: () => {}, warn: () => {}, error: () => {} },
      wearable: null,
      camera: null,
      onNewStay: () => {},
      onConsentApplied: () => {},
    });
    controller.applyPayload(consentPayload(1, both));
    expect(controller.isAllowed('camera')).toBe(true);
    expect(controller.cameraState()).toBe('not_configured');
    expect(controller.wearableState()).toBe('not_configured');
    expect(controller.cameraPid()).toBeNull();
  });

  it('after shutDown measures nothing more, even under a consent that allows it', async () => {
    const t = await setUpOpen();
    const late = lateEmitters(t);
    const epoch = t.controller.epoch();
    const shutDown = t.controller.shutDown();
    t.camera.exit();
    await shutDown;
    expect(t.controller.mayMeasure('wearable')).toBe(false);
    expect(t.controller.isCurrent(epoch)).toBe(false);
    expectClosedAndLateOutputDropped(t, late);
  });
  it('keeps a source IT switched off closed whatever the consent, and opens it again when allowed', async () => {
    const t = await setUpOpen();
    const epoch = t.controller.epoch();
    t.controller.setRemoteSources({ camera: false, wearable: true });
    t.camera.exit();
    await flush();
    expect(t.camera.state()).toBe('stopped');
    expect(t.frames.forgotten).toBe(1);
    expect(t.controller.cameraState()).toBe('stopped');
    expect(t.controller.mayMeasure('camera')).toBe(false);
    expect(t.controller.isCurrent(epoch)).toBe(false); // a window begun with the camera is not kept
    expect(t.events.at(-1)).toBe('consent applied');
    // A new consent allowing the camera does not open it while IT keeps it off.
    t.controller.applyPayload(consentPayload(2, both));
    await flush();
    expect(t.camera.opened).toBe(1);
    t.controller.setRemoteSources({ camera: true, wearable: true });
    await flush();
    expect(t.camera.opened).toBe(2);
    expect(t.controller.cameraState()).toBe('streaming');
    // Consent still gates: IT allowing a source opens nothing without consent.
    t.controller.applyPayload(consentPayload(3, none));
    t.camera.exit();
    t.controller.setRemoteSources({ camera: true, wearable: false });
    t.controller.setRemoteSources({ camera: true, wearable: true });
    await flush();
    expect(t.wearable.state()).toBe('stopped');
    expect(t.controller.wearableState()).toBe('no_consent');
  });

  it('replaces the camera source (remote device or frame rate): the old one closes first, the new one opens if consented', async () => {
    const t = await setUpOpen();
    const next = new FakeCamera();
    const replaced = t.controller.replaceCamera(next);
    await flush();
    expect(t.camera.state()).toBe('stopped');
    expect(next.opened).toBe(0); // the device is held by one ffmpeg at a time
    t.camera.exit();
    await replaced;
    await flush();
    expect(next.opened).toBe(1);
    expect(t.controller.cameraPid()).toBe(4242);
    next.emit!(frame);
    expect(t.admitted).toHaveLength(1);
  });
});
