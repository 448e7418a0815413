import { describe, expect, it } from 'vitest';
import { consentAt, eventInForce } from './consent-ledger.ts';

const at = (iso: string) => new Date(`2026-11-25T${iso}Z`);
const event = (time: string, camera: boolean, wearable: boolean) => ({ effectiveAt: at(time), camera, wearable });

describe('consent in force at a time', () => {
  const granted = event('10:00:00', true, true);
  const withdrawn = event('10:05:00', false, false);

  it('is none before the first event and the latest effective one after', () => {
    expect(consentAt([granted, withdrawn], at('09:59:59'))).toBeNull();
    expect(consentAt([granted, withdrawn], at('10:04:59'))).toEqual({ camera: true, wearable: true });
    expect(consentAt([granted, withdrawn], at('10:05:00'))).toEqual({ camera: false, wearable: false });
  });

  it('does not depend on the order the events were stored in', () => {
    // A withdrawal stored before an earlier-timed grant (two people at once) still wins after its time.
    expect(consentAt([withdrawn, granted], at('10:06:00'))).toEqual({ camera: false, wearable: false });
    expect(consentAt([withdrawn, granted], at('10:01:00'))).toEqual({ camera: true, wearable: true });
  });

  it('takes the later-stored event when two share a time', () => {
    const again = event('10:05:00', false, true);
    expect(eventInForce([granted, withdrawn, again], at('10:05:00'))).toBe(again);
  });
});
