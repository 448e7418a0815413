/**
 * Agent enrolment in one step, and revocation and rotation that take effect at the broker at once,
 * on both brokers: IT creates a token for a bed, the real `attune-agent enroll` exchanges it and
 * writes the config and its secret (mode 0600), the real agent started with that config puts
 * windows on the bed's stay. Bad tokens write nothing; decommissioning disconnects the device and
 * refuses it; rotation refuses the old secret and re-enrolment keeps the device's history.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call } from '../support/api.ts';
import { deviceConnectOptions } from '../support/broker.ts';
import { selfSignedCertificate, type TestCertificate } from '../support/mqtt-tls.ts';
import { bedWithoutDevice, createEnrolmentToken, runAgentCli, startAgentProcess, stopAgentProcess } from '../support/enrolment.ts';
import { backends, getJson, startTestSystem, waitFor, type TestSystem } from '../support/system.ts';

const mode = (path: string) => statSync(path).mode & 0o777;

for (const backend of backends()) {
  describe(`agent enrolment on ${backend.label}`, () => {
    let sys: TestSystem;
    let it_: string;
    let nurse: string;
    let dir: string;
    let agent: ReturnType<typeof startAgentProcess> | null = null;
    let bed: { bedId: string; stayId: string };
    let deviceId = '';
    let usedToken = '';

    beforeAll(async () => {
      sys = await startTestSystem({ backend, beds: [{ consent: { camera: false, wearable: true } }] });
      it_ = await sys.login('demo-it');
      nurse = await sys.login('demo-nurse');
      dir = mkdtempSync(join(tmpdir(), 'attune-enrol-'));
      bed = await bedWithoutDevice(sys, 'Bed 7', 7);
    });
    afterAll(async () => {
      if (agent) await stopAgentProcess(agent);
      await sys?.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    const windowsOf = async (id: string) =>
      (
        await sys.server.db.query<{ seq: number; stay_id: string }>(
          'select seq::int as seq, stay_id from score_window where device_id = $1 order by seq',
          [id],
        )
      ).map((r) => ({ seq: r.seq, stayId: r.stay_id }));
    const deviceCount = async () => (await sys.server.db.query<{ n: number }>('select count(*)::int as n from device'))[0]!.n;

    it('enrols a bedside machine with one command, and its agent’s windows reach the bed on the board', async () => {
      const issued = await createEnrolmentToken(sys, it_, bed.bedId);
      expect(issued.token).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$/);
      expect(issued.qrSvg).toMatch(/^<svg/);
      expect(issued.command).toBe(`attune-agent enroll --server ${new URL(sys.baseUrl).origin} --token ${issued.token}`);
      // Stored as sha256 only.
      const [row] = await sys.server.db.query<{ token_hash: string }>('select token_hash from enrolment_token where id = $1', [
        issued.summary.id,
      ]);
      expect(row!.token_hash).toBe(createHash('sha256').update(issued.token).digest('hex'));

      // An earlier config on the machine keeps its sources (here a simulated wristband, short windows).
      const configDir = join(dir, 'etc');
      const configPath = join(configDir, 'agent.json');
      const previous = {
        deviceId: 'not-enrolled-yet',
        mqtt: { url: 'mqtt://127.0.0.1:1', reconnectMs: 200 },
        dataDir: join(dir, 'data'),
        windowMs: 200,
        baselineWindows: 3,
        wearable: { kind: 'simulator', seed: 3, episodes: [] },
        camera: { kind: 'none' },
      };
      mkdirSync(configDir, { recursive: true });
      writeFileSync(configPath, JSON.stringify(previous));

      const lowerCaseTyped = issued.token.toLowerCase().replace(/-/g, ' ');
      const result = await runAgentCli(['enroll', '--server', sys.baseUrl, '--token', lowerCaseTyped, '--config', configPath]);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('Bed 7');
      expect(result.stdout).toContain(`attune-agent run --config ${configPath}`);

      const config = JSON.parse(readFileSync(configPath, 'utf8'));
      deviceId = config.deviceId;
      expect(deviceId).toMatch(/-bed-7-agent$/);
      expect(config.mqtt).toEqual({
        url: sys.mqttUrl,
        username: deviceId,
        passwordFile: join(configDir, 'mqtt-password'),
        reconnectMs: 200,
      });
      expect(config.serverUrl).toBe(new URL(sys.baseUrl).origin);
      expect(config.wearable).toEqual(previous.wearable);
      expect(config.windowMs).toBe(200);
      expect(mode(configPath)).toBe(0o600);
      expect(mode(join(configDir, 'mqtt-password'))).toBe(0o600);
      expect(mode(configDir)).toBe(0o700);
      const password = readFileSync(join(configDir, 'mqtt-password'), 'utf8').trim();
      expect(password.length).toBeGreaterThanOrEqual(32);
      expect(readFileSync(configPath, 'utf8')).not.toContain(password);
      const [device] = await sys.server.db.query<{ bed_id: string; credential_hash: string; credential_issued_at: Date | null }>(
        'select bed_id, credential_hash, credential_issued_at from device where id = $1',
        [deviceId],
      );
      expect(device!.bed_id).toBe(bed.bedId);
      expect(device!.credential_hash).toMatch(/^scrypt\$/);
      expect(device!.credential_issued_at).not.toBeNull();

      agent = startAgentProcess(configPath);
      await waitFor(async () => (await windowsOf(deviceId)).length >= 3, 'windows from the enrolled agent', 30_000).catch(
        (error: Error) => {
          throw new Error(`${error.message}; the agent said: ${agent!.stderrText()}`);
        },
      );
      expect((await windowsOf(deviceId)).every((w) => w.stayId === bed.stayId)).toBe(true);
      const tile = await waitFor(async () => {
        const board = await getJson(sys.baseUrl, `/api/wards/${sys.wardId}/board`, nurse);
        const t = board.beds.find((b: { bedId: string }) => b.bedId === bed.bedId);
        return t?.latest && t.device?.id === deviceId ? t : null;
      }, 'the enrolled agent’s window on the board');
      expect(tile.device.state).toBe('online');
      usedToken = issued.token;
    }, 90_000);

    it('refuses a reused, wrong, expired or revoked token with one clear line, and writes nothing', async () => {
      const expired = await createEnrolmentToken(sys, it_, bed.bedId);
      await sys.server.db.query(`update enrolment_token set expires_at = now() - interval '1 minute' where id = $1`, [expired.summary.id]);
      const replaced = await createEnrolmentToken(sys, it_, bed.bedId);
      const revoked = await createEnrolmentToken(sys, it_, bed.bedId);
      // A newer token for the bed revoked the older open one; the newest is revoked by hand.
      const open = await getJson(sys.baseUrl, `/api/beds/${bed.bedId}/enrolment-tokens`, it_);
      expect(open.tokens.map((t: { id: string }) => t.id)).toEqual([revoked.summary.id]);
      expect((await call(sys.baseUrl, 'POST', `/api/enrolment-tokens/${revoked.summary.id}/revoke`, { cookie: it_ })).status).toBe(204);

      const devicesBefore = await deviceCount();
      for (const [what, token] of [
        ['reused', usedToken],
        ['wrong', 'AAAA-BBBB-CCCC-DDDD'],
        ['expired', expired.token],
        ['replaced by a newer one', replaced.token],
        ['revoked', revoked.token],
      ]) {
        const configPath = join(dir, `refused-${what.replace(/ /g, '-')}`, 'agent.json');
        const result = await runAgentCli(['enroll', '--server', sys.baseUrl, '--token', token!, '--config', configPath]);
        expect(result.code, what).toBe(1);
        expect(result.stderr.trim().split('\n'), what).toEqual([
          'attune-agent enroll: This enrolment token is not valid: it was mistyped, already used, revoked or has expired. Ask IT for a new one.',
        ]);
        expect(existsSync(join(configPath, '..')), what).toBe(false);
      }
      expect(await deviceCount()).toBe(devicesBefore);

      // A port nothing listens on (just released).
      const port = await new Promise<number>((resolve) => {
        const probe = createServer().listen(0, '127.0.0.1', () => {
          const { port: p } = probe.address() as AddressInfo;
          probe.close(() => resolve(p));
        });
      });
      const server = `http://127.0.0.1:${port}`;
      const unreachable = await runAgentCli([
        'enroll',
        '--server',
        server,
        '--token',
        'AAAA-BBBB-CCCC-DDDD',
        '--config',
        join(dir, 'x', 'a.json'),
      ]);
      expect(unreachable.code).toBe(1);
      expect(unreachable.stderr.trim()).toMatch(new RegExp(`^attune-agent enroll: cannot reach ${server}: ECONNREFUSED[^\\n]*$`));
      expect(existsSync(join(dir, 'x'))).toBe(false);

      // `run` on a machine never enrolled, with no terminal (a service manager): stops and names
      // `enroll`, with exit code 2, which the systemd unit does not restart (RestartPreventExitStatus=2).
      const notEnrolled = await runAgentCli(['run', '--config', join(dir, 'never', 'agent.json')]);
      expect(notEnrolled.code).toBe(2);
      expect(notEnrolled.stderr).toContain(`this machine is not enrolled yet. Enrol it first: attune-agent enroll --server`);
    }, 90_000);

    it('lets one of two racing enrolments with the same token win', async () => {
      const issued = await createEnrolmentToken(sys, it_, bed.bedId);
      const results = await Promise.all([0, 1].map(() => call(sys.baseUrl, 'POST', '/api/enrol', { body: { token: issued.token } })));
      expect(results.map((r) => r.status).sort()).toEqual([200, 401]);
      const winner = results.find((r) => r.status === 200)!.body;
      await call(sys.baseUrl, 'POST', `/api/devices/${winner.deviceId}/decommission`, { cookie: it_ });
    });

    it('rotation refuses the old secret at once; re-enrolling on the same bed keeps the device and its history', async () => {
      const configPath = join(dir, 'etc', 'agent.json');
      const oldPassword = readFileSync(join(dir, 'etc', 'mqtt-password'), 'utf8').trim();
      const before = await windowsOf(deviceId);
      const saidBefore = agent!.stderrText().length;
      const rotated = await call(sys.baseUrl, 'POST', `/api/devices/${deviceId}/rotate`, { cookie: it_ });
      expect(rotated.status).toBe(201);
      expect(rotated.body.summary.deviceId).toBe(deviceId);
      // The running agent is disconnected at once, and its reconnections are refused.
      await waitFor(async () => agent!.stderrText().slice(saidBefore).includes('mqtt disconnected'), 'the agent disconnected');
      await waitFor(async () => /Not authorized|Bad username/i.test(agent!.stderrText().slice(saidBefore)), 'the agent refused');
      await expect(mqtt.connectAsync(sys.mqttUrl, deviceConnectOptions({ deviceId, password: oldPassword }))).rejects.toThrow();
      await waitFor(
        async () => (await getJson(sys.baseUrl, `/api/devices/${deviceId}/credentials`, it_)).tokens.length === 1,
        'the open re-enrolment token',
      );
      await stopAgentProcess(agent!);

      const result = await runAgentCli(['enroll', '--server', sys.baseUrl, '--token', rotated.body.token, '--config', configPath]);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain(`Re-enrolled this machine as ${deviceId}`);
      const newPassword = readFileSync(join(dir, 'etc', 'mqtt-password'), 'utf8').trim();
      expect(newPassword).not.toBe(oldPassword);
      expect(JSON.parse(readFileSync(configPath, 'utf8')).deviceId).toBe(deviceId);

      agent = startAgentProcess(configPath);
      const lastSeq = before.at(-1)!.seq;
      await waitFor(async () => (await windowsOf(deviceId)).some((w) => w.seq > lastSeq + 3), 'windows after re-enrolment', 30_000);
      const after = await windowsOf(deviceId);
      expect(after.slice(0, before.length)).toEqual(before);
      expect(after.every((w) => w.stayId === bed.stayId)).toBe(true);
      const [row] = await sys.server.db.query<{ bed_id: string; is_active: boolean }>(
        'select bed_id, is_active from device where id = $1',
        [deviceId],
      );
      expect(row).toEqual({ bed_id: bed.bedId, is_active: true });
    }, 90_000);

    it('decommissioning disconnects the connected device at once and refuses it from then on', async () => {
      const seeded = sys.devices[0]!;
      const client = await sys.connectDevice(seeded.deviceId);
      const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
      const res = await call(sys.baseUrl, 'POST', `/api/devices/${seeded.deviceId}/decommission`, { cookie: it_ });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ deviceId: seeded.deviceId, isActive: false });
      expect(res.body.decommissionedAt).not.toBeNull();
      await closed;
      await expect(mqtt.connectAsync(sys.mqttUrl, deviceConnectOptions(seeded))).rejects.toThrow();
      expect((await call(sys.baseUrl, 'POST', `/api/devices/${seeded.deviceId}/decommission`, { cookie: it_ })).status).toBe(409);
      expect((await call(sys.baseUrl, 'POST', `/api/devices/${seeded.deviceId}/rotate`, { cookie: it_ })).status).toBe(409);
      const audit = await sys.server.db.query<{ action: string }>(`select action from audit_log where action like 'device.%' order by id`);
      expect(new Set(audit.map((a) => a.action))).toEqual(
        new Set([
          'device.enrolment_token_created',
          'device.enrolment_token_revoked',
          'device.enrolled',
          'device.enrol_refused',
          'device.credentials_rotated',
          'device.re_enrolled',
          'device.decommissioned',
        ]),
      );
    });
  });
}

describe('agent enrolment with the embedded broker over TLS', () => {
  let sys: TestSystem;
  let cert: TestCertificate;
  let dir: string;
  let agent: ReturnType<typeof startAgentProcess> | null = null;
  beforeAll(async () => {
    cert = await selfSignedCertificate();
    sys = await startTestSystem({
      beds: [],
      env: { MQTT_TLS_CERT: cert.certPath, MQTT_TLS_KEY: cert.keyPath, MQTT_TLS_PORT: '0' },
    });
    dir = mkdtempSync(join(tmpdir(), 'attune-enrol-tls-'));
  });
  afterAll(async () => {
    if (agent) await stopAgentProcess(agent);
    await sys?.stop();
    rmSync(dir, { recursive: true, force: true });
    rmSync(cert.dir, { recursive: true, force: true });
  });

  it('gives the agent the mqtts address and the self-signed certificate to trust, and the agent connects with them', async () => {
    const bed = await bedWithoutDevice(sys, 'Bed 1', 1);
    const issued = await createEnrolmentToken(sys, await sys.login('demo-it'), bed.bedId);
    const configPath = join(dir, 'etc', 'agent.json');
    const result = await runAgentCli([
      'enroll',
      '--server',
      sys.baseUrl,
      '--token',
      issued.token,
      '--config',
      configPath,
      '--data-dir',
      join(dir, 'data'),
    ]);
    expect(result.stderr).toBe('');
    const config = JSON.parse(readFileSync(configPath, 'utf8'));
    expect(config.mqtt.url).toBe(sys.server.mqttTlsUrl);
    expect(config.mqtt.caFile).toBe(join(dir, 'etc', 'mqtt-ca.pem'));
    expect(mode(config.mqtt.caFile)).toBe(0o600);
    expect(new X509Certificate(readFileSync(config.mqtt.caFile)).fingerprint256).toBe(new X509Certificate(cert.cert).fingerprint256);

    // The agent as enrolled, on a simulated wristband with short windows.
    writeFileSync(
      configPath,
      JSON.stringify({ ...config, windowMs: 200, baselineWindows: 3, wearable: { kind: 'simulator', seed: 5, episodes: [] } }),
    );
    agent = startAgentProcess(configPath);
    await waitFor(
      async () =>
        (
          await sys.server.db.query<{ n: number }>('select count(*)::int as n from score_window where device_id = $1', [config.deviceId])
        )[0]!.n >= 3,
      'windows over mqtts',
      30_000,
    ).catch((error: Error) => {
      throw new Error(`${error.message}; the agent said: ${agent!.stderrText()}`);
    });
  }, 90_000);
});
