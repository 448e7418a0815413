import { describe, expect, it } from 'vitest';
import { decodePayload, DOCTOR_CHECKS, encodePayload, MAX_PAYLOAD_BYTES, MAX_CLOCK_OFFSET_MS, type DoctorReport } from '@attune/protocol';
import { MAX_CPU_PERCENT, MAX_MEMORY_RSS_BYTES, ProcessUsage } from './process-usage.ts';
import { StatusReport, type StatusSources } from './status-report.ts';

/** `n` names of the longest kind a model name may have (32 characters), all distinct. */
const longNames = (n: number) => Array.from({ length: n }, (_, i) => `m${String(i).padStart(2, '0')}${'-x'.repeat(14)}z`.slice(0, 32));

function sources(patch: Partial<StatusSources> = {}): StatusSources {
  const names = longNames(8);
  return {
    deviceId: 'a'.repeat(48),
    models: Object.fromEntries(names.map((n) => [n, '9'.repeat(24)])),
    consent: { consent: () => null, cameraState: () => 'not_configured', wearableState: () => 'not_configured', cameraPid: () => null },
    clock: { offsetMs: () => -MAX_CLOCK_OFFSET_MS },
    link: { isConnected: () => true },
    seq: { peek: () => 0 },
    outbox: { size: () => Number.MAX_SAFE_INTEGER, droppedCount: () => 0 },
    wearable: { isBaselineReady: () => false, bufferedCount: () => 0 },
    frames: null,
    face: null,
    modelSha256: Object.fromEntries(names.map((n) => [n, 'f'.repeat(64)])),
    usage: { cpuPercent: () => MAX_CPU_PERCENT - 0.1, memoryRssBytes: () => MAX_MEMORY_RSS_BYTES },
    remoteConfig: {
      result: () => ({ version: Number.MAX_SAFE_INTEGER, state: 'refused', reason: 'source_not_configured', field: 'x'.repeat(64) }),
    },
    window: { currentWindowMs: () => 5000 },
    ...patch,
  };
}

const longestDoctor: DoctorReport = {
  at: '2026-12-03T10:02:00.000Z',
  checks: DOCTOR_CHECKS.map((name) => ({ name, result: 'skipped' as const, code: 'c'.repeat(48) })),
};

describe('status report', () => {
  it('stays under the 4 KiB payload limit with every field at its largest', () => {
    const report = new StatusReport(sources());
    report.doctorRan(longestDoctor);
    const payload = encodePayload('status', { ...report.message(), state: 'offline', at: '2026-12-03T10:02:00.000Z' });
    expect(payload.byteLength).toBeLessThanOrEqual(MAX_PAYLOAD_BYTES);
    const decoded = decodePayload('status', payload);
    expect(decoded.ok && decoded.value.doctor?.checks).toHaveLength(DOCTOR_CHECKS.length);
    expect(decoded.ok && Object.keys(decoded.value.modelSha256 ?? {})).toHaveLength(8);
  });

  it('leaves config and doctor out until there is something to say, and announces when there is', () => {
    let result: ReturnType<StatusSources['remoteConfig']['result']> = undefined;
    const report = new StatusReport(sources({ remoteConfig: { result: () => result } }));
    const first = report.message();
    expect(first).not.toHaveProperty('config');
    expect(first).not.toHaveProperty('doctor');
    expect(report.changedSinceAnnounced()).toBe(false);
    result = { version: 3, state: 'applied', reason: null, field: null };
    expect(report.changedSinceAnnounced()).toBe(true);
    expect(report.message().config).toEqual(result);
    report.doctorRan(longestDoctor);
    expect(report.changedSinceAnnounced()).toBe(true);
    expect(report.message().doctor).toEqual(longestDoctor);
  });

  it('measures this process: CPU within the schema range, resident memory in bytes', () => {
    let nowMs = 0;
    const usage = new ProcessUsage(() => nowMs);
    const until = performance.now() + 30;
    while (performance.now() < until); // some CPU to measure
    nowMs = 1000;
    const cpu = usage.cpuPercent();
    expect(cpu).toBeGreaterThan(0);
    expect(cpu).toBeLessThanOrEqual(MAX_CPU_PERCENT);
    expect(usage.memoryRssBytes()).toBeGreaterThan(1024 * 1024);
  });
});
