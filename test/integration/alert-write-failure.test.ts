/**
 * A decision the rules made but the database did not take (a dropped connection at the moment an
 * alert is written) must not be lost: the rule state is put back, and the retried window opens the
 * alert. Without that, the rules count the window as seen, and the episode's alert never opens.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, getJson, makeEpisode, startTestSystem, waitFor, type TestSystem } from '../support/system.ts';

describe.each(backends())('an alert write that fails once, on $label', (backend) => {
  let sys: TestSystem;
  beforeAll(async () => {
    sys = await startTestSystem({ backend, beds: [{ consent: { camera: false, wearable: true } }] });
  });
  afterAll(async () => sys?.stop());

  it('opens the alert when the window is taken again', async () => {
    const device = sys.devices[0]!;
    // Fault injection at the repository the alert service writes through: the first insert fails as a dropped connection does.
    const repository = (sys.server.services.alerts as unknown as { alerts: { insert: (row: unknown) => Promise<string | null> } }).alerts;
    const insert = repository.insert.bind(repository);
    let failures = 0;
    repository.insert = async (row) => {
      if (failures++ === 0) throw Object.assign(new Error('write ECONNRESET'), { code: 'ECONNRESET' });
      return insert(row);
    };
    await sys.publishScores(
      device.deviceId,
      makeEpisode(device.deviceId, 1, 24, new Date(Date.now() - 1000), { distress: 0.9, confidence: 0.9 }),
    );
    const cookie = await sys.login();
    const alerts = await waitFor(async () => {
      const open = (
        (await getJson(sys.baseUrl, `/api/alerts?wardId=${sys.wardId}&state=open`, cookie)).alerts as { kind: string }[]
      ).filter((a) => a.kind === 'sustained_distress');
      return open.length > 0 ? open : null;
    }, 'the distress alert after the failed write');
    expect(failures).toBeGreaterThanOrEqual(2);
    expect(alerts).toHaveLength(1);
  });
});
