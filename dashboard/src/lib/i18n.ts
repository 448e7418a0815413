/**
 * Words of the bedside tablet's own interface ("chrome") in every language it offers: pairing,
 * loading and error messages, steps, field checks. The consent text itself (explanation, choices,
 * who decides, confirmation, status and stop wording) is not here: the server owns it
 * (GET /api/tablet/texts/:lang), the tablet shows it verbatim and records its hash. Every key exists in every language; `es` is typed against `en` and a test compares the
 * key sets at run time too. Placeholders are written {name}.
 *
 * Plain TypeScript with no SvelteKit imports, so tests can load it directly.
 */

export const LANGUAGES = ['en', 'es'] as const;
export type Lang = (typeof LANGUAGES)[number];

/** Each language named in itself, so anyone can find their own. */
export const LANGUAGE_NAMES: Record<Lang, string> = { en: 'English', es: 'Español' };

const en = {
  'tablet.appName': 'Attune bedside tablet',
  'tablet.language.label': 'Language',
  'tablet.forPatient': 'For {name}, Bed {bed}',
  'tablet.forPatientBedLabel': 'For {name} · bed: {bed}',
  'tablet.loading': 'Loading…',
  'tablet.retry': 'Try again',
  'tablet.back': 'Back',
  'tablet.nurseHelp': 'A nurse can help you at any time.',
  'tablet.step': 'Step {n} of {total}',

  'tablet.error.network': 'The tablet could not reach the hospital system. Please try again, or ask a nurse.',
  'tablet.error.generic': 'Something went wrong. Please try again, or ask a nurse.',
  'tablet.error.texts': 'The explanation could not be loaded. Please try again, or ask a nurse.',

  'tablet.pair.heading': 'Connect this tablet to a bed',
  'tablet.pair.intro': 'A nurse shows a 6-digit code on the ward board. Type it here to connect this tablet to your bed.',
  'tablet.pair.codeLabel': 'Pairing code (6 digits)',
  'tablet.pair.submit': 'Connect',
  'tablet.pair.busy': 'Connecting…',
  'tablet.pair.badFormat': 'The code has exactly 6 digits.',
  'tablet.pair.failed': 'This code did not work. It may have expired or been used already. Ask a nurse for a new code.',
  'tablet.pair.tooMany': 'Too many tries. Please wait one minute, then try again.',

  'tablet.ended.heading': 'This tablet is no longer connected',
  'tablet.ended.body': 'Ask a nurse to pair this tablet again.',

  'tablet.explain.continue': 'Continue to my choices',

  'tablet.choose.intro': 'Each kind of monitoring stays off unless you turn it on.',
  'tablet.choose.on': 'On',
  'tablet.choose.off': 'Off',
  'tablet.choose.whoMissing': 'Choose who is making this decision.',
  'tablet.choose.proxyNameMissing': 'Type the full name of the legal representative.',
  'tablet.choose.proxyRelationshipMissing': 'Type the relationship to the patient.',
  'tablet.choose.continue': 'Continue',

  'tablet.confirm.youChose': 'You chose:',
  'tablet.confirm.typedMissing': 'Type the full name to confirm.',
  'tablet.confirm.textChanged': 'The explanation has just been updated. Please read it again before you confirm.',
  'tablet.confirm.busy': 'Saving…',
  'tablet.confirm.saved': 'Your choice has been recorded.',

  'tablet.status.on': 'Monitoring is on.',

  'tablet.stop.busy': 'Stopping…',
  'tablet.stop.kept': 'What was recorded so far is kept.',
  'tablet.erase.busy': 'Deleting…',
} as const;

export type MessageKey = keyof typeof en;

const es: Record<MessageKey, string> = {
  'tablet.appName': 'Tableta de cabecera Attune',
  'tablet.language.label': 'Idioma',
  'tablet.forPatient': 'Para {name}, cama {bed}',
  'tablet.forPatientBedLabel': 'Para {name} · cama: {bed}',
  'tablet.loading': 'Cargando…',
  'tablet.retry': 'Intentar de nuevo',
  'tablet.back': 'Volver',
  'tablet.nurseHelp': 'El personal de enfermería puede ayudarle en cualquier momento.',
  'tablet.step': 'Paso {n} de {total}',

  'tablet.error.network':
    'La tableta no pudo conectar con el sistema del hospital. Inténtelo de nuevo o pida ayuda al personal de enfermería.',
  'tablet.error.generic': 'Algo salió mal. Inténtelo de nuevo o pida ayuda al personal de enfermería.',
  'tablet.error.texts': 'No se pudo cargar la explicación. Inténtelo de nuevo o pida ayuda al personal de enfermería.',

  'tablet.pair.heading': 'Conectar esta tableta a una cama',
  'tablet.pair.intro':
    'El personal de enfermería muestra un código de 6 cifras en el panel de la planta. Escríbalo aquí para conectar esta tableta a su cama.',
  'tablet.pair.codeLabel': 'Código de vinculación (6 cifras)',
  'tablet.pair.submit': 'Conectar',
  'tablet.pair.busy': 'Conectando…',
  'tablet.pair.badFormat': 'El código tiene exactamente 6 cifras.',
  'tablet.pair.failed':
    'Este código no ha funcionado. Puede haber caducado o ya se ha usado. Pida un código nuevo al personal de enfermería.',
  'tablet.pair.tooMany': 'Demasiados intentos. Espere un minuto y vuelva a intentarlo.',

  'tablet.ended.heading': 'Esta tableta ya no está conectada',
  'tablet.ended.body': 'Pida al personal de enfermería que vuelva a vincular esta tableta.',

  'tablet.explain.continue': 'Continuar a mis decisiones',

  'tablet.choose.intro': 'Cada tipo de vigilancia permanece apagado salvo que usted lo active.',
  'tablet.choose.on': 'Activado',
  'tablet.choose.off': 'Apagado',
  'tablet.choose.whoMissing': 'Indique quién toma esta decisión.',
  'tablet.choose.proxyNameMissing': 'Escriba el nombre completo del representante legal.',
  'tablet.choose.proxyRelationshipMissing': 'Escriba la relación con el paciente.',
  'tablet.choose.continue': 'Continuar',

  'tablet.confirm.youChose': 'Usted ha elegido:',
  'tablet.confirm.typedMissing': 'Escriba el nombre completo para confirmar.',
  'tablet.confirm.textChanged': 'La explicación se acaba de actualizar. Léala de nuevo antes de confirmar.',
  'tablet.confirm.busy': 'Guardando…',
  'tablet.confirm.saved': 'Su decisión ha quedado registrada.',

  'tablet.status.on': 'La vigilancia está activada.',

  'tablet.stop.busy': 'Parando…',
  'tablet.stop.kept': 'Lo registrado hasta ahora se conserva.',
  'tablet.erase.busy': 'Borrando…',
};

export const MESSAGES: Record<Lang, Record<MessageKey, string>> = { en, es };

export function isLang(value: unknown): value is Lang {
  return typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value);
}

/** `template` with each {placeholder} that `params` names filled in; the others stay as written. */
export function fillPlaceholders(template: string, params: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

/**
 * A bed label the tablet can say in any language: "Bed 8", "Cama 8" or just "8" (digits, maybe one
 * letter: "12b"). Ward data is written in the ward's language; only this common form is reworded.
 */
const NUMBERED_BED = /^\s*(?:(?:bed|cama)\s*)?(\d+[a-z]?)\s*$/i;

/**
 * Whom the tablet is for, in one language: a numbered bed label is said in that language ("Para Ana,
 * cama 8" for "Bed 8"); any other label is shown as the ward wrote it, as a labelled value ("Para Ana
 * · cama: UCI-3") rather than inside the sentence, so no sentence mixes languages.
 */
export function forPatient(lang: Lang, name: string, bedLabel: string): string {
  const numbered = NUMBERED_BED.exec(bedLabel);
  return numbered
    ? translate(lang, 'tablet.forPatient', { name, bed: numbered[1]! })
    : translate(lang, 'tablet.forPatientBedLabel', { name, bed: bedLabel.trim() });
}

/** The message for `key` in `lang` with {placeholders} filled; English when a language lacks it. */
export function translate(lang: Lang, key: MessageKey, params: Record<string, string | number> = {}): string {
  return fillPlaceholders(MESSAGES[lang][key] ?? MESSAGES.en[key], params);
}
