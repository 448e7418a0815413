/**
 * What the patient, or the legal representative deciding for them, chose on the choices step: the
 * confirmation step repeats it and the typed name sends it. One object, so both steps take it whole.
 */
export interface ConsentChoice {
  camera: boolean;
  wearable: boolean;
  actor: 'patient' | 'proxy' | null;
  proxyName: string;
  proxyRelationship: string;
}

/** Nothing chosen yet: every modality off and nobody has said who decides. */
export function noChoice(): ConsentChoice {
  return { camera: false, wearable: false, actor: null, proxyName: '', proxyRelationship: '' };
}
