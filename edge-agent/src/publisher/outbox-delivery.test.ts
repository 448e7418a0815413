import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodePayload, topics, type ConsentMessage } from '@attune/protocol';
import type { MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { startAgent, type RunningAgent } from '../agent.ts';
import type { AgentConfigInput } from '../config.ts';
import { silentLogger } from '../log.ts';
import { simulatedAgentConfig } from '../../test/agent-harness.ts';
import { connectClient, startBroker, waitFor, type TestBroker } from '../../test/mqtt-harness.ts';
import { DurableOutbox } from './durable-outbox.ts';

const deviceId = 'bed-11-agent';
const consent: ConsentMessage = {
  v: 2,
  deviceId,
  version: 1,
  stay: 'stay-9',
  modalities: { camera: false, wearable: true },
  issuedAt: '2026-01-01T00:00:00.000Z',
};

/**
 * A broker that only lets the agent in once the subscriber is ready (so a restarted in-memory
 * broker cannot drop redelivered messages before anyone subscribed) and checks credentials.
 */
async function gatedBroker(port: number, isSubscriberReady: () => boolean) {
  return startBroker(port, {
    authenticate: (client, username, password, done) => {
      if (client.id !== deviceId) return done(null, true);
      const ok = username === 'bed-11' && password?.toString() === 'secret' && isSubscriberReady();
      done(null, ok);
    },
  });
}

/** Subscriber standing in for the server: records seqs in arrival order. */
class SeqRecorder {
  readonly seqs: number[] = [];
  ready = false;
  client: MqttClient | null = null;
  async connect(url: string) {
    this.ready = false;
    this.client ??= await connectClient(url, 'test-ingest');
    this.client.removeAllListeners('message');
    this.client.on('message', (topic, payload) => {
      const d = decodePayload('scores', payload);
      if (!d.ok) throw new Error(d.errors.join('; '));
      this.seqs.push(d.value.seq);
    });
    await this.client.subscribeAsync(topics.scores(deviceId), { qos: 1 });
    await this.client.publishAsync(topics.consent(deviceId), JSON.stringify(consent), { qos: 1, retain: true });
    this.ready = true;
  }
  /** After a reconnect to a fresh broker the session is gone: subscribe and re-publish the retained consent again. */
  async resubscribe() {
    this.ready = false;
    await waitFor(() => this.client!.connected, 5000, 'subscriber reconnected');
    await this.client!.subscribeAsync(topics.scores(deviceId), { qos: 1 });
    await this.client!.publishAsync(topics.consent(deviceId), JSON.stringify(consent), { qos: 1, retain: true });
    this.ready = true;
  }
  /** First occurrence of each seq, in arrival order (QoS 1 is at-least-once; the server de-duplicates). */
  unique(): number[] {
    const seen = new Set<number>();
    return this.seqs.filter((s) => (seen.has(s) ? false : (seen.add(s), true)));
  }
}

function expectEverySeqInOrder(rec: SeqRecorder, upTo: number) {
  const unique = rec.unique();
  expect(unique).toEqual(Array.from({ length: upTo }, (_, i) => i));
  // Duplicates may only be redeliveries of messages in flight when the link broke, never a reordering of new ones.
  expect(rec.seqs.length - unique.length).toBeLessThanOrEqual(20);
}

describe('durable outbox', () => {
  it('keeps order on disk, survives reopening and drops the oldest over its bound with a counted warning', () => {
    const dir = mkdtempSync(join(tmpdir(), 'attune-outbox-'));
    try {
      const warnings: string[] = [];
      const log = { warn: (m: string) => warnings.push(m) };
      const a = DurableOutbox.open(dir, { maxMessages: 3, log });
      for (let seq = 0; seq < 5; seq++) a.append(seq, Buffer.from(`{"seq":${seq}}`));
      expect(a.pending()).toEqual([2, 3, 4]);
      expect(a.droppedCount()).toBe(2);
      expect(warnings).toHaveLength(2);
      a.remove(2);
      const b = DurableOutbox.open(dir, { maxMessages: 3, log });
      expect(b.pending()).toEqual([3, 4]);
      expect(b.read(3).toString()).toBe('{"seq":3}');
      expect(() => b.append(4, Buffer.from('x'))).toThrow(/increase/);
      expect(readdirSync(dir).every((n) => /^\d{16}\.json$/.test(n))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('agent delivery through broker outages and agent restarts', () => {
  let broker: TestBroker | null = null;
  let agent: RunningAgent | null = null;
  let recorder: SeqRecorder | null = null;
  let dataDir = '';

  afterEach(async () => {
    await agent?.stop();
    await recorder?.client?.endAsync(true);
    await broker?.stop();
    rmSync(dataDir, { recursive: true, force: true });
    agent = broker = recorder = null;
  });

  const config = (url: string): AgentConfigInput => ({
    ...simulatedAgentConfig({ deviceId, mqttUrl: url, dataDir, seed: 11 }),
    mqtt: { url, username: 'bed-11', password: 'secret', reconnectMs: 200 },
  });

  /** A recorder, a gated broker and an agent delivering through it, once `windows` windows have arrived. */
  const startDelivering = async (windows: number) => {
    dataDir = mkdtempSync(join(tmpdir(), 'attune-agent-'));
    const rec = (recorder = new SeqRecorder());
    const firstBroker = (broker = await gatedBroker(0, () => rec.ready));
    await rec.connect(firstBroker.url);
    const firstAgent = (agent = await startAgent(config(firstBroker.url), { log: silentLogger }));
    await waitFor(() => rec.seqs.length >= windows, 10_000, `${windows} windows delivered`);
    return { rec, firstBroker, firstAgent, port: firstBroker.port };
  };

  it('delivers every seq in order after the broker was down for a while', async () => {
    const { rec, firstBroker, firstAgent, port } = await startDelivering(8);

    await firstBroker.stop();
    await waitFor(() => !firstAgent.status().connected, 5000, 'agent notices the outage');
    const producedBefore = firstAgent.status().windowsProduced;
    await new Promise((r) => setTimeout(r, 1500));
    // Windows kept being measured and went to disk, not into the void.
    expect(firstAgent.status().windowsProduced).toBeGreaterThan(producedBefore + 3);
    expect(firstAgent.status().outboxPending).toBeGreaterThan(3);

    broker = await gatedBroker(port, () => rec.ready);
    await rec.resubscribe();
    await waitFor(() => firstAgent.status().connected && firstAgent.status().outboxPending === 0, 10_000, 'outbox drained');
    const seqsBeforeStop = firstAgent.status().nextSeq;
    await firstAgent.stop();
    agent = null;
    await waitFor(() => rec.unique().length >= seqsBeforeStop, 5000, 'all windows received');
    expectEverySeqInOrder(rec, seqsBeforeStop);
  });

  it('continues seq and replays the outbox after an agent restart (with the broker down in between)', async () => {
    const { rec, firstBroker, firstAgent, port } = await startDelivering(5);

    // Broker goes down; the agent buffers to disk, then is restarted while the broker is still down.
    await firstBroker.stop();
    await new Promise((r) => setTimeout(r, 1000));
    const first = firstAgent.status();
    expect(first.outboxPending).toBeGreaterThan(2);
    await firstAgent.stop();
    const pendingAfterStop = readdirSync(join(dataDir, 'outbox')).length;
    expect(pendingAfterStop).toBeGreaterThan(2);

    agent = await startAgent(config(`mqtt://127.0.0.1:${port}`), { log: silentLogger });
    expect(agent.status().nextSeq).toBe(first.nextSeq); // seq continues, never reused
    expect(agent.status().outboxPending).toBe(pendingAfterStop);

    broker = await gatedBroker(port, () => rec.ready);
    await rec.resubscribe();
    // The restarted agent replays what the previous run left, gets consent, and measures on.
    await waitFor(
      () => agent!.status().nextSeq >= first.nextSeq + 5 && agent!.status().outboxPending === 0,
      10_000,
      'replayed and producing',
    );
    const total = agent.status().nextSeq;
    await agent.stop();
    agent = null;
    await waitFor(() => rec.unique().length >= total, 5000, 'all windows received');
    expectEverySeqInOrder(rec, total);
  });
});
