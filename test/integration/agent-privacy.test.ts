/**
 * Privacy, proven: the real agent watches a camera (ffmpeg reading a synthetic face video made at
 * test time) and wears a simulated wristband, against a real MQTT broker. Every byte it publishes
 * is captured at the broker and checked: schema-valid for its topic, at most 4 KiB, no base64 run
 * longer than 64 characters, no image or video magic bytes. Withdrawing camera consent ends the
 * ffmpeg process within 5 s, and afterwards the agent's data folder holds only its outbox and state.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodePayload, MAX_PAYLOAD_BYTES, topics, type ConsentMessage, type ScoreWindow } from '@attune/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, silentLogger, type RunningAgent } from '@attune/edge-agent';
import {
  auditPayload,
  connectClient,
  isProcessAlive,
  makeSyntheticFaceVideo,
  startBroker,
  waitFor,
  type TestBroker,
} from '@attune/edge-agent/testing';

const deviceId = 'bed-11-agent';
const consent = (version: number, camera: boolean): ConsentMessage => ({
  v: 2,
  deviceId,
  version,
  stay: 'stay-privacy-1',
  modalities: { camera, wearable: true },
  issuedAt: new Date().toISOString(),
});

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path).map((p) => join(name, p)) : [name];
  });
}

describe('agent privacy (real ffmpeg camera, real broker)', () => {
  let broker: TestBroker;
  let agent: RunningAgent | null = null;
  let mediaDir = '';
  let dataDir = '';
  const published: { topic: string; payload: Buffer }[] = [];

  beforeAll(async () => {
    mediaDir = mkdtempSync(join(tmpdir(), 'attune-privacy-media-'));
    dataDir = mkdtempSync(join(tmpdir(), 'attune-privacy-data-'));
    broker = await startBroker();
    // Capture at the broker: every publish by the agent's client, including its Last Will.
    broker.broker.on('publish', (packet, client) => {
      if (client?.id === deviceId) published.push({ topic: packet.topic, payload: Buffer.from(packet.payload) });
    });
  });

  afterAll(async () => {
    await agent?.stop();
    await broker?.stop();
    rmSync(mediaDir, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('publishes only small schema-valid numbers, stops the camera on withdrawal and leaves no media behind', async () => {
    const video = await makeSyntheticFaceVideo(mediaDir, { frames: 8, fps: 4 });
    const server = await connectClient(broker.url, 'test-server');
    await server.publishAsync(topics.consent(deviceId), JSON.stringify(consent(1, true)), { qos: 1, retain: true });

    agent = await startAgent(
      {
        deviceId,
        mqtt: { url: broker.url, reconnectMs: 200 },
        dataDir,
        windowMs: 1000,
        baselineWindows: 2,
        wearable: { kind: 'simulator', seed: 5, episodes: [] },
        camera: { kind: 'ffmpeg', input: video, fps: 4, width: 640, height: 480, loop: true, baselineFrames: 4 },
      },
      { log: silentLogger },
    );
    await waitFor(() => (agent!.status().cameraPid ?? 0) > 0, 10_000, 'camera opened');
    const withFace = () =>
      published
        .filter((p) => p.topic === topics.scores(deviceId))
        .filter((p) => (JSON.parse(p.payload.toString()) as ScoreWindow).face !== undefined);
    await waitFor(() => withFace().length >= 4, 40_000, 'four windows with a face block');

    const last = JSON.parse(withFace().at(-1)!.payload.toString()) as ScoreWindow;
    expect(last.face!.framesAnalysed).toBeGreaterThan(0);
    expect(last.face!.faceVisibleFraction).toBeGreaterThan(0.5);
    expect(last.models).toHaveProperty('face-expression');
    expect(agent.status().sources.camera).toBe('streaming');

    // Withdraw camera consent (wearable stays on): ffmpeg must be gone within 5 s.
    const pid = agent.status().cameraPid!;
    expect(isProcessAlive(pid)).toBe(true);
    const t0 = Date.now();
    await server.publishAsync(topics.consent(deviceId), JSON.stringify(consent(2, false)), { qos: 1, retain: true });
    await waitFor(() => !isProcessAlive(pid), 5000, 'ffmpeg process gone');
    expect(Date.now() - t0).toBeLessThan(5000);
    const withdrawnAt = Date.now();
    await new Promise((r) => setTimeout(r, 2500));
    const afterWithdrawal = published
      .filter((p) => p.topic === topics.scores(deviceId))
      .map((p) => JSON.parse(p.payload.toString()) as ScoreWindow)
      .filter((w) => Date.parse(w.windowStart) >= withdrawnAt);
    expect(afterWithdrawal.length).toBeGreaterThan(0);
    for (const w of afterWithdrawal) expect(w.face).toBeUndefined();
    expect(agent.status().sources.camera).toBe('no_consent');

    await agent.stop();
    agent = null;
    await server.endAsync(true);

    // Every payload the agent ever published.
    expect(published.length).toBeGreaterThan(6);
    for (const { topic, payload } of published) {
      expect(payload.byteLength, topic).toBeLessThanOrEqual(MAX_PAYLOAD_BYTES);
      expect(auditPayload(payload), `${topic}: ${payload.toString().slice(0, 200)}`).toEqual([]);
      const kind = topic === topics.scores(deviceId) ? 'scores' : topic === topics.status(deviceId) ? 'status' : null;
      expect(kind, `unexpected topic ${topic}`).not.toBeNull();
      const decoded = decodePayload(kind!, payload);
      expect(decoded.ok, `${topic}: ${decoded.ok ? '' : decoded.errors.join('; ')}`).toBe(true);
    }

    // The data folder holds the outbox and the persisted seq, nothing else, and no media in them.
    const files = filesUnder(dataDir);
    for (const f of files) {
      expect(f === 'seq.json' || f.startsWith('outbox'), `unexpected file ${f}`).toBe(true);
      expect(auditPayload(readFileSync(join(dataDir, f)), 1 << 20)).toEqual([]);
    }
  }, 150_000);
});
