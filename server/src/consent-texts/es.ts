import type { ConsentTextBody } from './types.ts';

export const es = (retentionDays: number): ConsentTextBody => ({
  language: 'es',
  version: '1.1',
  languageName: 'Español',
  title: 'Vigilancia de su bienestar',
  intro:
    'Esta planta puede usar un pequeño ordenador junto a su cama para notar si usted puede tener angustia o dolor, y así una enfermera puede venir antes. Usted decide. No se enciende nada si usted no dice que sí, y puede pararlo en cualquier momento.',
  sections: [
    {
      heading: 'Se usa un sistema de inteligencia artificial',
      body: 'Attune es un sistema de inteligencia artificial (IA). Calcula señales de angustia y de dolor a partir de mediciones. No es una persona y no toma decisiones sobre su atención.',
    },
    {
      heading: 'Qué se mide',
      body: 'Con la pulsera: el pulso, la variabilidad del pulso, la conductancia de la piel (el sudor), la temperatura de la piel y el movimiento. Con la cámara: la expresión de la cara y las señales de dolor en la cara. El ordenador junto a su cama convierte todo esto en unos pocos números, como «angustia 0,7».',
    },
    {
      heading: 'Ningún vídeo ni sonido sale de la habitación',
      body: 'El ordenador junto a su cama mira las imágenes de la cámara y las borra al momento. Nunca se guardan, nunca se envían y nadie las ve. No se graba ningún sonido. Solo los números salen de la habitación.',
    },
    {
      heading: 'Quién ve los resultados y para qué',
      body: 'Las enfermeras y las supervisoras de esta planta ven los números y los avisos en sus pantallas, para ir a verle cuando pueda necesitar ayuda. El personal técnico solo ve si los aparatos funcionan. Cada vez que alguien abre sus resultados, queda registrado.',
    },
    {
      heading: 'Cuánto tiempo se guarda',
      body: `Las mediciones se borran a los ${retentionDays} días, y todas ellas como muy tarde ${retentionDays} días después de que usted salga del hospital. El registro de lo que usted elige aquí se guarda como prueba de su decisión.`,
    },
    {
      heading: 'Puede parar en cualquier momento',
      body: 'Pulse una vez «Parar la vigilancia» en esta pantalla, o dígaselo a cualquier enfermera. La vigilancia se para en unos segundos. Después también puede borrar lo registrado. Decir que no o parar no cambia en nada su atención.',
    },
    {
      heading: 'Las enfermeras siguen siendo responsables',
      body: 'El sistema puede equivocarse: puede no notar la angustia o el dolor, y puede dar un aviso cuando usted está bien. Las enfermeras siguen viniendo a verle como siempre y toman todas las decisiones sobre su atención.',
    },
  ],
  choices: {
    heading: 'Sus opciones',
    camera: {
      label: 'Cámara',
      description: 'La cámara junto a su cama busca señales de angustia y de dolor en su cara. No se guarda ni se envía ninguna imagen.',
    },
    wearable: {
      label: 'Pulsera',
      description: 'La pulsera mide su pulso, el sudor, la temperatura de la piel y el movimiento.',
    },
  },
  who: {
    heading: '¿Quién decide?',
    patient: 'Soy el paciente',
    proxy: 'Decido por el paciente (representante legal)',
    proxyName: 'Su nombre completo',
    proxyRelationship: 'Su relación con el paciente',
  },
  confirm: {
    heading: 'Confirme su decisión',
    body: 'Escriba su nombre completo para confirmar. Se registran su decisión, el idioma y la versión exacta de este texto.',
    typedNamePatient: 'El nombre completo del paciente',
    typedNameProxy: 'Su nombre completo',
    button: 'Confirmar',
    nameMismatch: 'El nombre no coincide. Escríbalo como aparece en su pulsera o como lo escribió arriba.',
    back: 'Volver',
  },
  status: {
    heading: 'Su vigilancia',
    cameraOn: 'Cámara: encendida',
    cameraOff: 'Cámara: apagada',
    wearableOn: 'Pulsera: encendida',
    wearableOff: 'Pulsera: apagada',
    none: 'No hay nada encendido.',
    byPatient: 'Elegido por el paciente',
    byProxy: 'Elegido por un representante legal',
    byStaff: 'Registrado por una enfermera',
    since: 'Desde',
    change: 'Cambiar mis opciones',
  },
  stop: {
    button: 'Parar la vigilancia',
    // After stopping: the confirmation of deleting what was recorded (stopping itself asks nothing).
    confirmHeading: '¿Borrar lo registrado?',
    confirmBody:
      'Las mediciones guardadas y los detalles de los avisos se borran definitivamente. El registro de sus decisiones se conserva. La vigilancia sigue parada.',
    alsoDelete: 'Borrar también lo registrado',
    alsoDeleteDescription: 'Borra las mediciones guardadas y los detalles de los avisos. El registro de sus decisiones se conserva.',
    confirmButton: 'Sí, borrar',
    cancel: 'No, conservarlo',
    done: 'La vigilancia está parada.',
    deleted: 'Borrado: {scoreWindows} mediciones y los detalles de {alerts} avisos.',
  },
});
