/**
 * Agent enrolment is limited per source address (ENROL_ATTEMPTS_PER_MIN): someone guessing tokens
 * from one address is answered 429 with Retry-After once over the limit, and then even a right
 * token from that address waits (a guess that happens to be right gains nothing); another address
 * enrols with its right token meanwhile. Each request binds its own loopback address (postFrom).
 * Runs on the embedded defaults and, when configured, on PostgreSQL + Mosquitto.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postFrom } from '../support/api.ts';
import { bedWithoutDevice, createEnrolmentToken } from '../support/enrolment.ts';
import { backends, startTestSystem, type TestSystem } from '../support/system.ts';

const ATTEMPTS_PER_MIN = 3;

describe.each(backends())('agent enrolment limits on $label', (backend) => {
  let sys: TestSystem;
  let it_: string;

  beforeAll(async () => {
    sys = await startTestSystem({ backend, env: { ENROL_ATTEMPTS_PER_MIN: String(ATTEMPTS_PER_MIN) } });
    it_ = await sys.login('demo-it');
  });
  afterAll(async () => {
    await sys?.stop();
  });

  it('answers 429 with Retry-After past the limit, refuses even a right token from that address, and lets another address enrol', async () => {
    const bed = await bedWithoutDevice(sys, 'Bed 8', 8);
    const issued = await createEnrolmentToken(sys, it_, bed.bedId);
    const guesser = '127.0.3.1';
    const guesses = [];
    for (let i = 0; i < ATTEMPTS_PER_MIN; i++)
      guesses.push(await postFrom(sys.baseUrl, guesser, '/api/enrol', { token: 'AAAA-BBBB-CCCC-DDDD' }));
    expect(guesses.map((g) => g.status)).toEqual(Array(ATTEMPTS_PER_MIN).fill(401));

    const over = await postFrom(sys.baseUrl, guesser, '/api/enrol', { token: 'AAAA-BBBB-CCCC-DDDE' });
    expect(over.status).toBe(429);
    expect(over.body.error).toMatchObject({
      code: 'rate_limited',
      message: 'Too many enrolment attempts from this address: wait a minute',
    });
    expect(Number(over.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(Number(over.retryAfter)).toBeLessThanOrEqual(60);

    const rightButPaused = await postFrom(sys.baseUrl, guesser, '/api/enrol', { token: issued.token });
    expect(rightButPaused.status).toBe(429);

    const elsewhere = await postFrom(sys.baseUrl, '127.0.3.2', '/api/enrol', { token: issued.token });
    expect(elsewhere.status, JSON.stringify(elsewhere.body)).toBe(200);
    expect(elsewhere.body.bedLabel).toBe('Bed 8');
  });
});
