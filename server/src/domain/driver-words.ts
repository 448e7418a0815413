/**
 * The nurse-facing words for the codes agents send (protocol drivers and the PAINAD face basis).
 * Agents send no text: what a nurse reads is written here, once, in every language Attune speaks
 * (`en` for the ward board; `es` too, so a Spanish board or report needs no agent change). The
 * tables are typed as complete records, so a new code does not compile until it has words in
 * every language.
 *
 * Pure functions: no I/O.
 */
import { formatElapsed, type Driver, type DriverCode, type PainadFaceBasis, type PainadFaceBasisCode } from '@attune/protocol';

export const WORD_LANGUAGES = ['en', 'es'] as const;
export type WordLanguage = (typeof WORD_LANGUAGES)[number];

/** A driver with its words, as the HTTP API and the live stream carry it. */
export type RenderedDriver = Driver & { text: string };

const pct = (fraction: number) => `${Math.round(fraction * 100)}%`;
const int = (n: number) => String(Math.round(n));

type DriverWords = (d: Driver) => string;

/** d.value is present for every code with a unit (the protocol checks it); `!` below relies on that. */
const EN: Record<DriverCode, DriverWords> = {
  heart_rate_high: (d) =>
    d.baseline !== undefined
      ? `heart rate ${int(d.value! - d.baseline)} bpm above baseline (${int(d.value!)} vs ${int(d.baseline)})`
      : `heart rate high at ${int(d.value!)} bpm (no personal baseline yet)`,
  hrv_low: (d) =>
    d.baseline !== undefined
      ? `heart rate variability low (RMSSD ${int(d.value!)} ms, baseline ${int(d.baseline)} ms)`
      : `heart rate variability low (RMSSD ${int(d.value!)} ms)`,
  skin_conductance_high: (d) =>
    d.baseline !== undefined
      ? `skin conductance raised (${d.value!.toFixed(1)} µS, baseline ${d.baseline.toFixed(1)} µS)`
      : `skin conductance high (${d.value!.toFixed(1)} µS)`,
  skin_conductance_responses: (d) => `skin conductance rising (${int(d.value!)} responses/min)`,
  skin_temperature_low: (d) =>
    d.baseline !== undefined
      ? `skin temperature falling (${(d.baseline - d.value!).toFixed(1)} °C below baseline)`
      : `skin temperature low (${d.value!.toFixed(1)} °C)`,
  movement_high: () => 'moving more than usual',
  // No longer sent (movement never lowers the estimate since wearable-distress 3.0.0); kept for older agents.
  movement_confounds_arousal: () => 'moving: part of the arousal may be activity',
  wristband_off: () => 'wristband appears to be off the wrist',
  grimace: (d) => `grimacing in ${pct(d.value!)} of frames`,
  brow_lowered_eyes_tightened: (d) => `brow lowered and eyes tightened in ${pct(d.value!)} of frames`,
  brow_lowered: (d) => `brow lowered (frowning) in ${pct(d.value!)} of frames`,
  mouth_stretched_open: (d) => `mouth stretched open in ${pct(d.value!)} of frames`,
  looks_sad: (d) => `looks sadder than their own neutral face in ${pct(d.value!)} of frames`,
  looks_frightened: (d) => `looks more frightened than their own neutral face in ${pct(d.value!)} of frames`,
  looks_angry: (d) => `looks angrier than their own neutral face in ${pct(d.value!)} of frames`,
  looks_disgusted: (d) => `looks more disgusted than their own neutral face in ${pct(d.value!)} of frames`,
  face_turned_away: (d) => `face turned away in ${pct(d.value!)} of frames`,
  face_too_dark: (d) => `face too dark in ${pct(d.value!)} of frames`,
  face_unsteady: () => 'face moving a lot (landmarks unsteady)',
  face_baseline_learning: () => 'no neutral baseline for this patient yet',
};

const ES: Record<DriverCode, DriverWords> = {
  heart_rate_high: (d) =>
    d.baseline !== undefined
      ? `frecuencia cardiaca ${int(d.value! - d.baseline)} lpm por encima de su basal (${int(d.value!)} frente a ${int(d.baseline)})`
      : `frecuencia cardiaca alta, ${int(d.value!)} lpm (aún sin basal personal)`,
  hrv_low: (d) =>
    d.baseline !== undefined
      ? `variabilidad de la frecuencia cardiaca baja (RMSSD ${int(d.value!)} ms, basal ${int(d.baseline)} ms)`
      : `variabilidad de la frecuencia cardiaca baja (RMSSD ${int(d.value!)} ms)`,
  skin_conductance_high: (d) =>
    d.baseline !== undefined
      ? `conductancia de la piel elevada (${d.value!.toFixed(1)} µS, basal ${d.baseline.toFixed(1)} µS)`
      : `conductancia de la piel alta (${d.value!.toFixed(1)} µS)`,
  skin_conductance_responses: (d) => `conductancia de la piel en aumento (${int(d.value!)} respuestas/min)`,
  skin_temperature_low: (d) =>
    d.baseline !== undefined
      ? `temperatura de la piel en descenso (${(d.baseline - d.value!).toFixed(1)} °C por debajo de su basal)`
      : `temperatura de la piel baja (${d.value!.toFixed(1)} °C)`,
  movement_high: () => 'se mueve más de lo habitual',
  movement_confounds_arousal: () => 'en movimiento: parte de la activación puede deberse a la actividad',
  wristband_off: () => 'la pulsera parece no estar en la muñeca',
  grimace: (d) => `gesto de dolor en el ${pct(d.value!)} de las imágenes`,
  brow_lowered_eyes_tightened: (d) => `cejas fruncidas y ojos apretados en el ${pct(d.value!)} de las imágenes`,
  brow_lowered: (d) => `ceño fruncido en el ${pct(d.value!)} de las imágenes`,
  mouth_stretched_open: (d) => `boca abierta y tensa en el ${pct(d.value!)} de las imágenes`,
  looks_sad: (d) => `parece más triste que su expresión neutra en el ${pct(d.value!)} de las imágenes`,
  looks_frightened: (d) => `parece más asustado/a que su expresión neutra en el ${pct(d.value!)} de las imágenes`,
  looks_angry: (d) => `parece más enfadado/a que su expresión neutra en el ${pct(d.value!)} de las imágenes`,
  looks_disgusted: (d) => `parece más disgustado/a que su expresión neutra en el ${pct(d.value!)} de las imágenes`,
  face_turned_away: (d) => `cara girada en el ${pct(d.value!)} de las imágenes`,
  face_too_dark: (d) => `cara demasiado oscura en el ${pct(d.value!)} de las imágenes`,
  face_unsteady: () => 'la cara se mueve mucho (puntos de referencia inestables)',
  face_baseline_learning: () => 'aún no hay una expresión neutra de referencia para este paciente',
};

const DRIVER_WORDS: Record<WordLanguage, Record<DriverCode, DriverWords>> = { en: EN, es: ES };
const FOR: Record<WordLanguage, string> = { en: 'for', es: 'durante' };

/** One driver in words, with "for 4 min" when the agent measured how long the sign has lasted. */
export function describeDriver(d: Driver, lang: WordLanguage = 'en'): string {
  const words = DRIVER_WORDS[lang][d.code](d);
  return d.durationS !== undefined && d.durationS > 0 ? `${words} ${FOR[lang]} ${formatElapsed(d.durationS)}` : words;
}

export function renderDrivers(drivers: readonly Driver[], lang: WordLanguage = 'en'): RenderedDriver[] {
  return drivers.map((d) => ({ ...d, text: describeDriver(d, lang) }));
}

type BasisWords = (b: PainadFaceBasis) => string;

const BASIS_EN: Record<PainadFaceBasisCode, BasisWords> = {
  no_frames: () => 'no camera frames in this window',
  face_not_seen: (b) => `face not seen in ${b.frames ?? 0} frames`,
  grimacing: (b) =>
    `grimacing: brow lowered with eyes tightened or nose/lip raised in ${pct(b.fraction ?? 0)} of frames` +
    (b.pspi !== undefined ? ` (PSPI ${b.pspi.toFixed(1)} of 16)` : ''),
  frowning: (b) => `frowning: brow lowered in ${pct(b.fraction ?? 0)} of frames`,
  looks_upset: (b) => `looks sadder, more frightened or more upset than their own neutral face in ${pct(b.fraction ?? 0)} of frames`,
  inexpressive_not_frontal: () => 'inexpressive; face not frontal enough to read brow and eyes',
  inexpressive_learning_baseline: () => 'not scored yet: learning this patient\u2019s neutral face',
  relaxed: (b) => `relaxed: no frown or grimace in ${b.frames ?? 0} frames`,
};

const BASIS_ES: Record<PainadFaceBasisCode, BasisWords> = {
  no_frames: () => 'ninguna imagen de la cámara en este intervalo',
  face_not_seen: (b) => `cara no vista en ${b.frames ?? 0} imágenes`,
  grimacing: (b) =>
    `gesto de dolor: cejas bajadas con ojos apretados o nariz/labio levantados en el ${pct(b.fraction ?? 0)} de las imágenes` +
    (b.pspi !== undefined ? ` (PSPI ${b.pspi.toFixed(1)} de 16)` : ''),
  frowning: (b) => `ceño fruncido: cejas bajadas en el ${pct(b.fraction ?? 0)} de las imágenes`,
  looks_upset: (b) => `parece más triste, asustado/a o alterado/a que su expresión neutra en el ${pct(b.fraction ?? 0)} de las imágenes`,
  inexpressive_not_frontal: () => 'inexpresivo; la cara no está lo bastante de frente para leer cejas y ojos',
  inexpressive_learning_baseline: () => 'aún sin puntuar: aprendiendo la expresión neutra del paciente',
  relaxed: (b) => `relajado: sin ceño ni gesto de dolor en ${b.frames ?? 0} imágenes`,
};

const BASIS_WORDS: Record<WordLanguage, Record<PainadFaceBasisCode, BasisWords>> = { en: BASIS_EN, es: BASIS_ES };

/** Why the agent scored the PAINAD facial-expression item as it did, in words. */
export function describePainadFaceBasis(basis: PainadFaceBasis, lang: WordLanguage = 'en'): string {
  return BASIS_WORDS[lang][basis.code](basis);
}
