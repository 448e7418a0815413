import type { ConsentTextBody } from './types.ts';

export const en = (retentionDays: number): ConsentTextBody => ({
  language: 'en',
  version: '1.1',
  languageName: 'English',
  title: 'Monitoring of your well-being',
  intro:
    'This ward can use a small computer by your bed to notice if you may be in distress or pain, so a nurse can come sooner. It is your choice. Nothing is switched on unless you say yes, and you can stop it at any time.',
  sections: [
    {
      heading: 'An AI system is used',
      body: 'Attune is an artificial intelligence (AI) system. It estimates signs of distress and pain from measurements. It is not a person and it does not make decisions about your care.',
    },
    {
      heading: 'What is measured',
      body: 'With the wristband: heart rate, heart rate variability, skin conductance (sweating), skin temperature and movement. With the camera: facial expression and signs of pain in your face. The computer by your bed turns these into a few numbers, such as "distress 0.7".',
    },
    {
      heading: 'No video or sound leaves the room',
      body: 'Camera pictures are looked at by the computer by your bed and thrown away at once. They are never saved, never sent and nobody watches them. No sound is recorded. Only the numbers leave the room.',
    },
    {
      heading: 'Who sees the results, and why',
      body: 'The nurses and charge nurses of this ward see the numbers and any alerts on their screens, so they can check on you when you may need help. Technical staff see only whether the equipment works. Every time someone opens your results, it is recorded.',
    },
    {
      heading: 'How long it is kept',
      body: `Measurements are deleted after ${retentionDays} days, and all of them ${retentionDays} days after you leave the hospital at the latest. The record of what you chose here is kept as proof of your choice.`,
    },
    {
      heading: 'You can stop at any time',
      body: 'Press "Stop monitoring" on this screen once, or tell any nurse. Monitoring stops within seconds. Afterwards you can also delete what was recorded. Saying no or stopping does not change your care in any way.',
    },
    {
      heading: 'Nurses remain responsible',
      body: 'The system can be wrong: it can miss distress or pain, and it can raise an alert when you are fine. Nurses keep checking on you as usual and make every decision about your care.',
    },
  ],
  choices: {
    heading: 'Your choices',
    camera: {
      label: 'Camera',
      description: 'The camera by your bed looks for signs of distress and pain in your face. No picture is saved or sent.',
    },
    wearable: {
      label: 'Wristband',
      description: 'The wristband measures your heart rate, sweating, skin temperature and movement.',
    },
  },
  who: {
    heading: 'Who is deciding?',
    patient: 'I am the patient',
    proxy: 'I decide for the patient (legal representative)',
    proxyName: 'Your full name',
    proxyRelationship: 'Your relationship to the patient',
  },
  confirm: {
    heading: 'Confirm your choice',
    body: 'Type your full name to confirm. Your choice, the language and the exact version of this text are recorded.',
    typedNamePatient: "The patient's full name",
    typedNameProxy: 'Your full name',
    button: 'Confirm',
    nameMismatch: 'The name does not match. Please type it as shown on your wristband or as you entered it above.',
    back: 'Back',
  },
  status: {
    heading: 'Your monitoring',
    cameraOn: 'Camera: on',
    cameraOff: 'Camera: off',
    wearableOn: 'Wristband: on',
    wearableOff: 'Wristband: off',
    none: 'Nothing is switched on.',
    byPatient: 'Chosen by the patient',
    byProxy: 'Chosen by a legal representative',
    byStaff: 'Recorded by a nurse',
    since: 'Since',
    change: 'Change my choices',
  },
  stop: {
    button: 'Stop monitoring',
    // After stopping: the confirmation of deleting what was recorded (stopping itself asks nothing).
    confirmHeading: 'Delete what was recorded?',
    confirmBody:
      'The stored measurements and the details of any alerts are deleted for good. The record of your choices is kept. Monitoring stays stopped.',
    alsoDelete: 'Also delete what was recorded',
    alsoDeleteDescription: 'Deletes the stored measurements and the details of any alerts. The record of your choices is kept.',
    confirmButton: 'Yes, delete',
    cancel: 'No, keep it',
    done: 'Monitoring is stopped.',
    deleted: 'Deleted: {scoreWindows} measurements and the details of {alerts} alerts.',
  },
});
