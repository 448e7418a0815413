/**
 * What made a window's distress score what it is, as codes with numbers: no free text crosses
 * MQTT. The server turns each code into nurse-facing words in every language the dashboard has
 * (server/src/services/driver-words.ts). A closed vocabulary also closes a covert channel: a string field, even
 * one that refuses long base64 runs, can still carry a few hundred bytes per window; a code from
 * this list and a bounded number cannot.
 */
import { z } from 'zod';

/** Units a driver's `value` and `baseline` can have, with the range each must lie in. */
export const DRIVER_UNIT_RANGES = {
  /** beats per minute */
  bpm: [20, 250],
  /** milliseconds (heart-rate variability) */
  ms: [0, 1000],
  /** microsiemens (skin conductance level) */
  uS: [0, 100],
  /** events per minute (skin conductance responses) */
  per_min: [0, 60],
  /** degrees Celsius (skin temperature) */
  degC: [20, 45],
  /** g (movement: mean deviation of acceleration magnitude from 1 g) */
  g: [0, 16],
  /** a fraction of the window's frames, 0..1 */
  fraction: [0, 1],
} as const satisfies Record<string, readonly [number, number]>;
export type DriverUnit = keyof typeof DRIVER_UNIT_RANGES;

/**
 * Every driver code with the unit of its `value` (null: the code carries no number). `baseline` is
 * the patient's own baseline in the same unit, where one has been learned.
 */
export const DRIVER_CODES = {
  /** Wearable: heart rate high, or above the patient's own baseline when `baseline` is present. */
  heart_rate_high: 'bpm',
  /** Wearable: heart-rate variability (RMSSD) low. */
  hrv_low: 'ms',
  /** Wearable: skin conductance level raised. */
  skin_conductance_high: 'uS',
  /** Wearable: skin conductance responses frequent. */
  skin_conductance_responses: 'per_min',
  /** Wearable: skin temperature low or falling. */
  skin_temperature_low: 'degC',
  /** Wearable: moving more than usual. */
  movement_high: 'g',
  /** Wearable: movement strong enough that part of the arousal may be activity (discounted). */
  movement_confounds_arousal: 'g',
  /** Wearable: the sensor appears to be off the wrist (nothing measured). */
  wristband_off: null,
  /** Face: grimacing (PSPI 4+ carried by brow lowering with eye or nose/lip action), fraction of frames. */
  grimace: 'fraction',
  /** Face: brow lowered and eyes tightened, fraction of frames. */
  brow_lowered_eyes_tightened: 'fraction',
  /** Face: brow lowered (frowning), fraction of frames. */
  brow_lowered: 'fraction',
  /** Face: mouth stretched open while grimacing, fraction of frames. */
  mouth_stretched_open: 'fraction',
  /** Face: the top expression is sad, fraction of frames. */
  looks_sad: 'fraction',
  /** Face: the top expression is fearful, fraction of frames. */
  looks_frightened: 'fraction',
  /** Face: the top expression is angry, fraction of frames. */
  looks_angry: 'fraction',
  /** Face: the top expression is disgusted, fraction of frames. */
  looks_disgusted: 'fraction',
  /** Face quality: turned away from the camera, fraction of frames with a face. */
  face_turned_away: 'fraction',
  /** Face quality: too dark to read, fraction of frames with a face. */
  face_too_dark: 'fraction',
  /** Face quality: landmarks unsteady (the face moves a lot). */
  face_unsteady: null,
  /** Face quality: the patient's neutral face is still being learned. */
  face_baseline_learning: null,
} as const satisfies Record<string, DriverUnit | null>;
export type DriverCode = keyof typeof DRIVER_CODES;
export const DRIVER_CODE_LIST = Object.keys(DRIVER_CODES) as DriverCode[];

/** The longest a sign is reported to have lasted, seconds (one week). */
export const MAX_DRIVER_DURATION_S = 7 * 24 * 3600;

export const DriverSchema = z
  .strictObject({
    /** What was observed; see DRIVER_CODES. */
    code: z.enum(DRIVER_CODE_LIST as [DriverCode, ...DriverCode[]]),
    /** The measured value, in `unit`; absent for codes without a number. */
    value: z.number().optional(),
    /** Must be the code's own unit (DRIVER_CODES) whenever `value` is present. */
    unit: z.enum(Object.keys(DRIVER_UNIT_RANGES) as [DriverUnit, ...DriverUnit[]]).optional(),
    /** The patient's own baseline in the same unit, when learned. */
    baseline: z.number().optional(),
    /** How long the sign has been present without a break, whole seconds. */
    durationS: z.int().min(0).max(MAX_DRIVER_DURATION_S).optional(),
  })
  .superRefine((d, ctx) => {
    const unit = DRIVER_CODES[d.code];
    if (unit === null) {
      for (const key of ['value', 'unit', 'baseline'] as const) {
        if (d[key] !== undefined) ctx.addIssue({ code: 'custom', path: [key], message: `${d.code} carries no ${key}` });
      }
      return;
    }
    if (d.value === undefined) {
      ctx.addIssue({ code: 'custom', path: ['value'], message: `${d.code} needs a value in ${unit}` });
      return;
    }
    if (d.unit !== unit) ctx.addIssue({ code: 'custom', path: ['unit'], message: `${d.code} is measured in ${unit}` });
    const [lo, hi] = DRIVER_UNIT_RANGES[unit];
    for (const key of ['value', 'baseline'] as const) {
      const v = d[key];
      if (v !== undefined && !(v >= lo && v <= hi)) {
        ctx.addIssue({ code: 'custom', path: [key], message: `${key} must lie in ${lo}..${hi} ${unit}` });
      }
    }
  });
export type Driver = z.infer<typeof DriverSchema>;

/** Why the agent chose the PAINAD facial-expression item (Warden, Hurley & Volicer 2003). */
export const PAINAD_FACE_BASES = [
  /** no camera frames in the window; item not scored */
  'no_frames',
  /** frames arrived but the patient's face was not in them; item not scored */
  'face_not_seen',
  /** 2: grimacing in `fraction` of frames, mean PSPI `pspi` */
  'grimacing',
  /** 1: brow lowered (frowning) in `fraction` of frames */
  'frowning',
  /** 1: looks sad, frightened or upset in `fraction` of frames */
  'looks_upset',
  /** 0: inexpressive; the face was not frontal enough to read brow and eyes */
  'inexpressive_not_frontal',
  /** 0: inexpressive; brow and eyes not read yet (the patient's neutral face is being learned) */
  'inexpressive_learning_baseline',
  /** 0: relaxed, no frown or grimace in `frames` frames */
  'relaxed',
] as const;
export type PainadFaceBasisCode = (typeof PAINAD_FACE_BASES)[number];

export const PainadFaceBasisSchema = z.strictObject({
  code: z.enum(PAINAD_FACE_BASES),
  /** Fraction of frames showing the sign, 0..1 (grimacing, frowning, looks_upset). */
  fraction: z.number().min(0).max(1).optional(),
  /** Frames the basis rests on, 0..600 (face_not_seen, relaxed). */
  frames: z.int().min(0).max(600).optional(),
  /** Mean PSPI over the grimacing frames, 0..16 (grimacing). */
  pspi: z.number().min(0).max(16).optional(),
});
export type PainadFaceBasis = z.infer<typeof PainadFaceBasisSchema>;
