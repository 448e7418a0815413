/**
 * The alarm sounds, one per priority, in the spirit of IEC 60601-1-8 (auditory alarm signals,
 * Table 3 "characteristics of the burst" and Table 4 "characteristics of the pulse"; the ranges
 * below are the standard's published ones, as also listed by alarm tone generators that implement
 * it, e.g. TI DAC53401 datasheet, "MED_ALARM_CONFIG", https://www.ti.com/document-viewer/DAC53401/datasheet,
 * and NXP AN10875 via https://os.mbed.com/components/IEC60601-1-8-Audible-Alert-Generator):
 *
 * - pulses per burst: high 10 (3 + 2, pause, 3 + 2), medium 3, low 1 or 2;
 * - pulse duration td: high 75-200 ms, medium and low 125-250 ms;
 * - pulse spacing ts (end of one pulse to start of the next): high x = 50-125 ms, medium and low
 *   y = 125-250 ms; in the high burst the gap between the 3rd and 4th pulse is 2x + td, and
 *   between the 5th and 6th 0.35-1.30 s;
 * - interburst interval (end of a burst to the start of the next): high 2.5-15 s, medium 2.5-30 s,
 *   low above 15 s or not repeated;
 * - rise time 10-20 % of td, fall time at most td - tr;
 * - fundamental 150-1000 Hz with at least 4 harmonics between 300 and 4000 Hz, within 15 dB of it.
 *
 * Why these picks: docs/alarms.md.
 */
import type { Priority } from '$lib/api/types';

/** One tone of a burst, relative to the burst's start. */
export interface Pulse {
  startMs: number;
  durationMs: number;
}

export interface AlarmPattern {
  priority: Priority;
  pulses: readonly Pulse[];
  /** Fundamental frequency of every pulse. */
  fundamentalHz: number;
  /** Amplitude of the fundamental (index 0) and of each harmonic after it, relative to the fundamental. */
  harmonicAmplitudes: readonly number[];
  riseMs: number;
  fallMs: number;
  /** Silence after a burst before the next one, while an alert of this priority fires. */
  interburstMs: number;
  /** The same once an alert of this priority has escalated (nobody acknowledged it in time). */
  escalatedInterburstMs: number;
}

/** Harmonics 2f-5f at 0.7-0.3 of the fundamental: -3 to -10.5 dB, inside the standard's 15 dB. */
const HARMONICS = [1, 0.7, 0.5, 0.4, 0.3] as const;

/** Pulses `durationMs` long, each starting `gapsMs[i]` after the end of the one before. */
function pulseTrain(durationMs: number, gapsMs: readonly number[]): Pulse[] {
  const pulses: Pulse[] = [{ startMs: 0, durationMs }];
  for (const gap of gapsMs) {
    const last = pulses[pulses.length - 1]!;
    pulses.push({ startMs: last.startMs + last.durationMs + gap, durationMs });
  }
  return pulses;
}

const HIGH_PULSE_MS = 100;
const HIGH_SPACING_MS = 80;
/** 2x + td: the gap that splits 3 + 2. */
const HIGH_SPLIT_MS = 2 * HIGH_SPACING_MS + HIGH_PULSE_MS;
const HIGH_PAUSE_MS = 500;
const LOW_MEDIUM_PULSE_MS = 200;
const LOW_MEDIUM_SPACING_MS = 200;

export const ALARM_PATTERNS: Readonly<Record<Priority, AlarmPattern>> = {
  high: {
    priority: 'high',
    pulses: pulseTrain(HIGH_PULSE_MS, [
      HIGH_SPACING_MS,
      HIGH_SPACING_MS,
      HIGH_SPLIT_MS,
      HIGH_SPACING_MS,
      HIGH_PAUSE_MS,
      HIGH_SPACING_MS,
      HIGH_SPACING_MS,
      HIGH_SPLIT_MS,
      HIGH_SPACING_MS,
    ]),
    fundamentalHz: 523.25,
    harmonicAmplitudes: HARMONICS,
    riseMs: 15,
    fallMs: 20,
    interburstMs: 4_000,
    escalatedInterburstMs: 2_500,
  },
  medium: {
    priority: 'medium',
    pulses: pulseTrain(LOW_MEDIUM_PULSE_MS, [LOW_MEDIUM_SPACING_MS, LOW_MEDIUM_SPACING_MS]),
    fundamentalHz: 440,
    harmonicAmplitudes: HARMONICS,
    riseMs: 30,
    fallMs: 40,
    interburstMs: 10_000,
    escalatedInterburstMs: 5_000,
  },
  low: {
    priority: 'low',
    pulses: pulseTrain(LOW_MEDIUM_PULSE_MS, [LOW_MEDIUM_SPACING_MS]),
    fundamentalHz: 330,
    harmonicAmplitudes: HARMONICS,
    riseMs: 30,
    fallMs: 40,
    // Low-priority alerts do not escalate (the server escalates high and medium): one interval.
    interburstMs: 30_000,
    escalatedInterburstMs: 30_000,
  },
};

/** From the first pulse's start to the last pulse's end. */
export function burstDurationMs(pattern: AlarmPattern): number {
  const last = pattern.pulses[pattern.pulses.length - 1]!;
  return last.startMs + last.durationMs;
}

/** From one burst's start to the next one's. */
export function burstPeriodMs(pattern: AlarmPattern, escalated: boolean): number {
  return burstDurationMs(pattern) + (escalated ? pattern.escalatedInterburstMs : pattern.interburstMs);
}

export const PRIORITY_RANK: Readonly<Record<Priority, number>> = { high: 3, medium: 2, low: 1 };
