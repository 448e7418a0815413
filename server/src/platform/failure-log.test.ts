import { describe, expect, it } from 'vitest';
import { failureLog, FAILURE_SUMMARY_EVERY_MS } from './failure-log.ts';
import { createLogger } from './logger.ts';

function recorded() {
  const lines: { level: string; msg: string; [field: string]: unknown }[] = [];
  const logger = createLogger('debug', {}, (line) => lines.push(JSON.parse(line)));
  let nowMs = 1_000_000;
  return { lines, logger, now: () => nowMs, advance: (ms: number) => (nowMs += ms) };
}

describe('failure log', () => {
  it('says an outage once, then once a minute with how long and how many, then that it is over', () => {
    const r = recorded();
    const log = failureLog(r.logger, 'job failed', { job: 'device-offline' }, r.now);
    log.failed(new Error('connection refused'));
    // A database outage fails the job every 2 s: 29 more failures within the minute add no line.
    for (let i = 0; i < 29; i++) {
      r.advance(2000);
      log.failed(new Error('connection refused'));
    }
    expect(r.lines).toHaveLength(1);
    expect(r.lines[0]).toMatchObject({ level: 'error', msg: 'job failed', job: 'device-offline', error: 'Error: connection refused' });
    r.advance(2000);
    log.failed(new Error('timeout'));
    expect(r.lines).toHaveLength(2);
    expect(r.lines[1]).toMatchObject({
      level: 'error',
      msg: 'job failed (still failing)',
      job: 'device-offline',
      failingForS: FAILURE_SUMMARY_EVERY_MS / 1000,
      failuresSinceLastLine: 30,
      lastError: 'Error: timeout',
    });
    r.advance(5000);
    log.succeeded();
    expect(r.lines[2]).toMatchObject({ level: 'warn', msg: 'job failed: works again', failedForS: 65 });
    log.succeeded();
    expect(r.lines).toHaveLength(3);
  });

  it('logs the first failure of the next outage in full again', () => {
    const r = recorded();
    const log = failureLog(r.logger, 'lease round failed', {}, r.now);
    log.failed('first outage');
    log.succeeded();
    log.failed('second outage');
    expect(r.lines.map((l) => [l.msg, l.error ?? null])).toEqual([
      ['lease round failed', 'first outage'],
      ['lease round failed: works again', null],
      ['lease round failed', 'second outage'],
    ]);
  });
});
