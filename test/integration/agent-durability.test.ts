/**
 * The real bedside agent against the real server: nothing is lost or doubled across a broker
 * outage (the embedded broker goes down with the server) and an agent restart. The agent keeps
 * windows in its durable outbox while disconnected and replays them in order; the server stores
 * each (deviceId, seq) once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger, startAgent, type RunningAgent } from '@attune/edge-agent';
import { bedsideAgentConfig } from '../support/bedside-agent.ts';
import { backends, getJson, startTestSystem, waitFor, type TestSystem } from '../support/system.ts';

// The outage is the embedded broker stopping with the server, so this runs on the embedded broker
// (with PostgreSQL too when CI provides it).
const backend = backends().find((b) => !b.mqttUrl && !b.databaseUrl)!;
const withPostgres = process.env.DATABASE_URL
  ? [{ ...backend, label: 'PostgreSQL + embedded broker', databaseUrl: process.env.DATABASE_URL }]
  : [];

describe.each([backend, ...withPostgres])('agent outbox and server de-duplication on $label', (b) => {
  let sys: TestSystem;
  let agentDir: string;
  beforeAll(async () => {
    sys = await startTestSystem({ backend: b, beds: [{ consent: { camera: false, wearable: true } }] });
    agentDir = mkdtempSync(join(tmpdir(), 'attune-agent-'));
  });
  afterAll(async () => {
    await sys?.stop();
    rmSync(agentDir, { recursive: true, force: true });
  });

  const storedSeqs = async (deviceId: string) =>
    (
      await sys.server.db.query<{ seq: number }>(`select seq::int as seq from score_window where device_id = $1 order by seq`, [deviceId])
    ).map((r) => r.seq);

  it('replays everything in order after a broker outage and an agent restart, storing each window once', async () => {
    const device = sys.devices[0]!;
    const agentConfig = bedsideAgentConfig(device, { mqttUrl: sys.mqttUrl, dataDir: agentDir, windowMs: 200, baselineWindows: 3, seed: 7 });
    let agent: RunningAgent = await startAgent(agentConfig, { log: silentLogger });
    try {
      await waitFor(async () => (await storedSeqs(device.deviceId)).length >= 5, 'windows before the outage', 15_000);

      // Broker outage: windows measured meanwhile go to the agent's outbox.
      await sys.restartServer(2000);
      expect(agent.status().outboxPending).toBeGreaterThan(0);
      await waitFor(
        async () => agent.status().connected && agent.status().outboxPending === 0,
        'the outbox to drain after the outage',
        15_000,
      );

      // Agent restart with the same data folder: seq continues, pending windows replay.
      await agent.stop();
      const seqBeforeRestart = agent.status().nextSeq;
      agent = await startAgent(agentConfig, { log: silentLogger });
      await waitFor(async () => agent.status().nextSeq > seqBeforeRestart + 5, 'windows after the restart', 15_000);
    } finally {
      await agent.stop();
    }

    const produced = agent.status().nextSeq;
    await waitFor(
      async () => (await storedSeqs(device.deviceId)).length >= produced - (await storedSeqs(device.deviceId))[0]!,
      'every window to be stored',
      15_000,
    );
    const seqs = await storedSeqs(device.deviceId);
    const first = seqs[0]!;
    // Contiguous from the first to the last produced seq: none lost, none doubled (the primary key would refuse doubles; count proves it).
    expect(seqs).toEqual(Array.from({ length: produced - first }, (_, i) => first + i));
    const duplicates = await sys.server.db.query<{ n: number }>(
      `select count(*)::int - count(distinct seq)::int as n from score_window where device_id = $1`,
      [device.deviceId],
    );
    expect(duplicates[0]!.n).toBe(0);
  });

  it("measures its clock against the server's and reports the offset, which the devices page shows", async () => {
    const device = sys.devices[0]!;
    const agent = await startAgent(bedsideAgentConfig(device, { mqttUrl: sys.mqttUrl, dataDir: agentDir, windowMs: 1000, seed: 7 }), {
      log: silentLogger,
    });
    try {
      // The server publishes its clock every 10 s at QoS 0 (a message may be lost, by design): the
      // agent measures within two of them; it re-announces its status once it has measured.
      const offset = await waitFor(async () => agent.status().clockOffsetMs ?? null, 'the agent to measure its clock', 25_000);
      expect(Math.abs(offset)).toBeLessThan(1000); // same machine, same clock: only the delivery delay
      const cookie = await sys.login('demo-it');
      const row = await waitFor(
        async () =>
          (await getJson(sys.baseUrl, '/api/devices', cookie)).devices.find(
            (d: { id: string; clockOffsetMs: number | null }) => d.id === device.deviceId && d.clockOffsetMs !== null,
          ),
        'the devices page to show the offset',
      );
      expect(Math.abs(row.clockOffsetMs)).toBeLessThan(1000);
    } finally {
      await agent.stop();
    }
  });
});
