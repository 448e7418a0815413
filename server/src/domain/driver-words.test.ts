import {
  DRIVER_CODE_LIST,
  DRIVER_CODES,
  DRIVER_UNIT_RANGES,
  DriverSchema,
  PAINAD_FACE_BASES,
  PainadFaceBasisSchema,
  type Driver,
} from '@attune/protocol';
import { describe, expect, it } from 'vitest';
import { describeDriver, describePainadFaceBasis, renderDrivers, WORD_LANGUAGES } from './driver-words.ts';

/** A valid driver of each code, with a baseline and a duration where the code has a unit. */
function sample(code: Driver['code']): Driver {
  const unit = DRIVER_CODES[code];
  if (unit === null) return { code };
  const [lo, hi] = DRIVER_UNIT_RANGES[unit];
  return DriverSchema.parse({ code, value: lo + (hi - lo) * 0.6, unit, baseline: lo + (hi - lo) * 0.4, durationS: 240 });
}

describe('driver words', () => {
  it('has words for every code in every language, with the numbers and the duration', () => {
    for (const lang of WORD_LANGUAGES) {
      for (const code of DRIVER_CODE_LIST) {
        const text = describeDriver(sample(code), lang);
        expect(text.length, `${lang} ${code}`).toBeGreaterThan(5);
        expect(text, `${lang} ${code}`).not.toMatch(/undefined|NaN|null/);
        if (DRIVER_CODES[code] !== null) expect(text, `${lang} ${code}`).toMatch(/4 min$/);
      }
    }
  });

  it('reads as the nurse expects in English', () => {
    expect(describeDriver({ code: 'heart_rate_high', value: 96, unit: 'bpm', baseline: 72, durationS: 240 })).toBe(
      'heart rate 24 bpm above baseline (96 vs 72) for 4 min',
    );
    expect(describeDriver({ code: 'heart_rate_high', value: 104, unit: 'bpm' })).toBe(
      'heart rate high at 104 bpm (no personal baseline yet)',
    );
    expect(describeDriver({ code: 'brow_lowered_eyes_tightened', value: 0.7, unit: 'fraction', durationS: 10 })).toBe(
      'brow lowered and eyes tightened in 70% of frames for 10 s',
    );
    expect(describeDriver({ code: 'wristband_off' }, 'es')).toBe('la pulsera parece no estar en la muñeca');
    expect(renderDrivers([{ code: 'face_unsteady' }])).toEqual([{ code: 'face_unsteady', text: 'face moving a lot (landmarks unsteady)' }]);
  });

  it('words every PAINAD face basis in every language', () => {
    for (const lang of WORD_LANGUAGES) {
      for (const code of PAINAD_FACE_BASES) {
        const text = describePainadFaceBasis(PainadFaceBasisSchema.parse({ code, fraction: 0.4, frames: 9, pspi: 5.25 }), lang);
        expect(text, `${lang} ${code}`).not.toMatch(/undefined|NaN|null/);
      }
    }
    expect(describePainadFaceBasis({ code: 'grimacing', fraction: 0.7, pspi: 6.2 })).toBe(
      'grimacing: brow lowered with eyes tightened or nose/lip raised in 70% of frames (PSPI 6.2 of 16)',
    );
  });
});
