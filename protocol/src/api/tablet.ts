/** The bedside tablet's API: pairing, the consent text, the patient's choice (docs/api.md "Tablet API"). */
import { z } from 'zod';
import { answerOf, named } from './common.ts';
import { CurrentConsentSchema } from './stays.ts';

export const TabletWardSchema = named(
  'TabletWard',
  'A ward as the tablet\'s "which ward is this tablet on?" lists it.',
  z.object({ id: z.string(), name: z.string() }),
);
export type TabletWard = z.infer<typeof TabletWardSchema>;

export const TabletWardListSchema = answerOf(
  'TabletWardList',
  'GET /api/tablet/wards (public: names only).',
  'wards',
  z.array(TabletWardSchema),
);
export type TabletWardList = z.infer<typeof TabletWardListSchema>;

export const TabletLanguageSchema = z.enum(['en', 'es']);
export type TabletLanguage = z.infer<typeof TabletLanguageSchema>;

export const TabletStateSchema = named(
  'TabletState',
  'Who the tablet is for and the consent in force; languages lists the consent texts it can show.',
  z.object({
    stayId: z.string(),
    bedLabel: z.string(),
    patientName: z.string(),
    consent: CurrentConsentSchema.nullable(),
    languages: z.array(z.string()),
  }),
);
export type TabletState = z.infer<typeof TabletStateSchema>;

export const TabletAnswerSchema = answerOf('TabletAnswer', 'The tablet after pairing or recording a choice.', 'tablet', TabletStateSchema);
export type TabletAnswer = z.infer<typeof TabletAnswerSchema>;

export const TabletStopResultSchema = named(
  'TabletStopResult',
  'POST /api/tablet/stop: deleted counts what was erased (zeros unless alsoDelete).',
  TabletAnswerSchema.extend({ deleted: z.object({ scoreWindows: z.number(), alerts: z.number() }) }),
);
export type TabletStopResult = z.infer<typeof TabletStopResultSchema>;

const LabelledChoice = z.object({ label: z.string(), description: z.string() });

export const ConsentTextsSchema = named(
  'ConsentTexts',
  'GET /api/tablet/texts/{lang}: the consent text, shown verbatim; its hash covers every word and is sent back with the choice.',
  z.object({
    language: z.string(),
    version: z.string(),
    hash: z.string(),
    /** The language's own name ("English", "Español"). */
    languageName: z.string(),
    title: z.string(),
    intro: z.string(),
    sections: z.array(z.object({ heading: z.string(), body: z.string() })),
    choices: z.object({ heading: z.string(), camera: LabelledChoice, wearable: LabelledChoice }),
    who: z.object({ heading: z.string(), patient: z.string(), proxy: z.string(), proxyName: z.string(), proxyRelationship: z.string() }),
    confirm: z.object({
      heading: z.string(),
      body: z.string(),
      typedNamePatient: z.string(),
      typedNameProxy: z.string(),
      button: z.string(),
      nameMismatch: z.string(),
      back: z.string(),
    }),
    status: z.object({
      heading: z.string(),
      cameraOn: z.string(),
      cameraOff: z.string(),
      wearableOn: z.string(),
      wearableOff: z.string(),
      none: z.string(),
      byPatient: z.string(),
      byProxy: z.string(),
      byStaff: z.string(),
      since: z.string(),
      change: z.string(),
    }),
    stop: z.object({
      button: z.string(),
      confirmHeading: z.string(),
      confirmBody: z.string(),
      alsoDelete: z.string(),
      alsoDeleteDescription: z.string(),
      confirmButton: z.string(),
      cancel: z.string(),
      done: z.string(),
      /** With {scoreWindows} and {alerts}. */
      deleted: z.string(),
    }),
  }),
);
export type ConsentTexts = z.infer<typeof ConsentTextsSchema>;

export const TabletPairBodySchema = named(
  'TabletPairBody',
  'POST /api/tablet/pair.',
  z.object({
    // Any string: an unknown or malformed ward fails exactly like a wrong code (the length cap only keeps it small).
    wardId: z.string().max(200),
    code: z.string().regex(/^\d{6}$/, 'six digits'),
  }),
);

const personName = z.string().trim().min(1).max(200);

/**
 * POST /api/tablet/consent, without its one server-side rule: `language` must be a language the
 * server has a text in (the server narrows it) and a representative must give name and relationship.
 */
export const TabletConsentBodyFields = z.object({
  camera: z.boolean(),
  wearable: z.boolean(),
  actor: z.enum(['patient', 'proxy']),
  proxyName: personName.optional(),
  proxyRelationship: z.string().trim().min(1).max(100).optional(),
  typedName: personName,
  language: z.string(),
  textHash: z.string().regex(/^[0-9a-f]{64}$/, 'sha256 hex'),
});

/** A representative consenting must give their name and relationship. */
export function requireProxyDetails(
  body: { actor: string; proxyName?: string | undefined; proxyRelationship?: string | undefined },
  ctx: z.RefinementCtx,
) {
  if (body.actor !== 'proxy') return;
  if (!body.proxyName) ctx.addIssue({ code: 'custom', path: ['proxyName'], message: 'required when a representative consents' });
  if (!body.proxyRelationship) {
    ctx.addIssue({ code: 'custom', path: ['proxyRelationship'], message: 'required when a representative consents' });
  }
}

export const TabletConsentBodySchema = named(
  'TabletConsentBody',
  'POST /api/tablet/consent.',
  TabletConsentBodyFields.superRefine(requireProxyDetails),
);
export type TabletConsentBody = z.input<typeof TabletConsentBodySchema>;

export const TabletStopBodySchema = named('TabletStopBody', 'POST /api/tablet/stop.', z.object({ alsoDelete: z.boolean() }));
