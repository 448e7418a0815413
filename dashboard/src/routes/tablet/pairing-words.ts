/**
 * The tablet's words for choosing its ward and for a ward whose pairing is paused, in every language
 * the tablet speaks (docs/tablet-pairing.md). Kept beside the tablet page, in the same form as
 * $lib/i18n.ts (each language typed against English, {placeholders}); the browser test checks
 * them with the rest. Plain TypeScript with no SvelteKit imports, so tests can load it directly.
 */
import { fillPlaceholders, type Lang } from '../../lib/i18n.ts';

const en = {
  'tablet.ward.question': 'Which ward is this tablet on?',
  'tablet.ward.intro': 'Choose once: the tablet remembers its ward.',
  'tablet.ward.continue': 'Continue',
  'tablet.ward.missing': 'Choose the ward this tablet is on.',
  'tablet.ward.none': 'No wards are set up yet. Ask a nurse.',
  'tablet.ward.loadFailed': 'The list of wards could not be loaded. Please try again, or ask a nurse.',
  'tablet.ward.current': 'Ward: {name}',
  'tablet.ward.change': 'Change ward',
  'tablet.pair.paused':
    'Pairing on this ward is paused for {minutes} minutes after too many wrong codes; this has been reported. Ask a nurse.',
  'tablet.pair.pausedOneMinute':
    'Pairing on this ward is paused for 1 minute after too many wrong codes; this has been reported. Ask a nurse.',
};

export type PairingWordKey = keyof typeof en;

const es: Record<PairingWordKey, string> = {
  'tablet.ward.question': '¿En qué unidad está esta tableta?',
  'tablet.ward.intro': 'Elíjala una sola vez: la tableta recuerda su unidad.',
  'tablet.ward.continue': 'Continuar',
  'tablet.ward.missing': 'Elija la unidad en la que está esta tableta.',
  'tablet.ward.none': 'Todavía no hay unidades configuradas. Pregunte al personal de enfermería.',
  'tablet.ward.loadFailed': 'No se pudo cargar la lista de unidades. Vuelva a intentarlo o pregunte al personal de enfermería.',
  'tablet.ward.current': 'Unidad: {name}',
  'tablet.ward.change': 'Cambiar de unidad',
  'tablet.pair.paused':
    'La vinculación en esta unidad está en pausa durante {minutes} minutos tras demasiados códigos incorrectos; se ha avisado. Pregunte al personal de enfermería.',
  'tablet.pair.pausedOneMinute':
    'La vinculación en esta unidad está en pausa durante 1 minuto tras demasiados códigos incorrectos; se ha avisado. Pregunte al personal de enfermería.',
};

export const PAIRING_WORDS: Record<Lang, Record<PairingWordKey, string>> = { en, es };

export function isPairingWordKey(key: string): key is PairingWordKey {
  return Object.hasOwn(en, key);
}

/** The words for `key` in `lang` with {placeholders} filled. */
export function pairingWord(lang: Lang, key: PairingWordKey, params: Record<string, string | number> = {}): string {
  return fillPlaceholders(PAIRING_WORDS[lang][key], params);
}
