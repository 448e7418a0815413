/** The words the bedside tablet shows, per language. Every string the tablet displays comes from here. */
export interface ConsentTextBody {
  language: 'en' | 'es';
  /** Bumped whenever the words change; the hash changes with any edit anyway. */
  version: string;
  /** The language's own name, for the language switch ("English", "Español"). */
  languageName: string;
  title: string;
  intro: string;
  sections: { heading: string; body: string }[];
  choices: {
    heading: string;
    camera: { label: string; description: string };
    wearable: { label: string; description: string };
  };
  who: {
    heading: string;
    patient: string;
    proxy: string;
    proxyName: string;
    proxyRelationship: string;
  };
  confirm: {
    heading: string;
    body: string;
    typedNamePatient: string;
    typedNameProxy: string;
    button: string;
    nameMismatch: string;
    back: string;
  };
  status: {
    heading: string;
    cameraOn: string;
    cameraOff: string;
    wearableOn: string;
    wearableOff: string;
    none: string;
    byPatient: string;
    byProxy: string;
    byStaff: string;
    since: string;
    change: string;
  };
  /**
   * `button` stops at once (one tap, no question). After the stop the tablet offers `alsoDelete`
   * (explained by `alsoDeleteDescription`); `confirmHeading`, `confirmBody`, `confirmButton` and
   * `cancel` are that deletion's own confirmation. `deleted` has {scoreWindows} and {alerts}.
   */
  stop: {
    button: string;
    confirmHeading: string;
    confirmBody: string;
    alsoDelete: string;
    alsoDeleteDescription: string;
    confirmButton: string;
    cancel: string;
    done: string;
    deleted: string;
  };
}

export type ConsentLanguage = ConsentTextBody['language'];
