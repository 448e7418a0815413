/**
 * The demo ward: 8 beds, each with a bedside agent; 7 admitted patients. One patient has not
 * consented (bed 4: never shows scores), one consented to the wearable only (bed 6; in this
 * version every bed's agent has only a wearable source, so the difference shows as the camera
 * item on the board). Demo users have their username as password: demo mode is refused in
 * production. Device secrets are generated per data folder and kept in a 0600 file for the
 * demo launcher, never printed.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../platform/logger.ts';
import type { DeviceRepository } from '../repositories/device.repository.ts';
import type { StayRepository } from '../repositories/stay.repository.ts';
import type { UserRepository } from '../repositories/user.repository.ts';
import type { WardRepository } from '../repositories/ward.repository.ts';
import type { ConsentService } from '../services/consent.service.ts';
import type { ConsentChoice } from '../domain/consent-ledger.ts';
import { hashPassword, randomSecret } from '../security/passwords.ts';

export const DEMO_WARD_NAME = 'Demo ward';
export const DEMO_USERS = [
  { username: 'demo-nurse', displayName: 'Demo Nurse', role: 'nurse' },
  { username: 'demo-charge', displayName: 'Demo Charge Nurse', role: 'charge_nurse' },
  { username: 'demo-it', displayName: 'Demo IT Admin', role: 'it_admin' },
] as const;

/** Each bed's patient and the consent recorded at admission (null: an empty bed). */
const PATIENTS: (
  null | ({ name: string } & Pick<ConsentChoice, 'camera' | 'wearable' | 'actorKind' | 'proxyName' | 'proxyRelationship'>)
)[] = [
  { name: 'Margaret O.', camera: true, wearable: true, actorKind: 'proxy', proxyName: 'Helen O.', proxyRelationship: 'daughter' },
  { name: 'Arthur B.', camera: true, wearable: true, actorKind: 'patient' },
  { name: 'Nkechi A.', camera: true, wearable: true, actorKind: 'patient' },
  { name: 'Walter K.', camera: false, wearable: false, actorKind: 'patient' }, // admitted, no consent given
  { name: 'Sofia R.', camera: true, wearable: true, actorKind: 'proxy', proxyName: 'Marco R.', proxyRelationship: 'son' },
  { name: 'Jun T.', camera: false, wearable: true, actorKind: 'patient' }, // wearable only
  { name: 'Eileen M.', camera: true, wearable: true, actorKind: 'patient' },
  null, // empty bed awaiting admission
];

export interface DemoDevice {
  deviceId: string;
  password: string;
  bedId: string;
  bedLabel: string;
  wardId: string;
}

export async function seedDemo(deps: {
  dataDir: string;
  users: UserRepository;
  wards: WardRepository;
  stays: StayRepository;
  devices: DeviceRepository;
  consent: ConsentService;
  logger: Logger;
}): Promise<DemoDevice[]> {
  const existing = await deps.wards.findByName(DEMO_WARD_NAME);
  const wardId = existing?.id ?? (await deps.wards.create(DEMO_WARD_NAME));
  for (const u of DEMO_USERS) {
    const userId = await deps.users.upsert({ ...u, passwordHash: await hashPassword(u.username) });
    // The demo nurses work on the demo ward; the IT admin's fleet view needs no ward.
    if (u.role !== 'it_admin') await deps.users.addWards(userId, [wardId]);
  }

  const secretsFile = join(deps.dataDir, 'demo-devices.json');
  if (existing && existsSync(secretsFile)) return JSON.parse(readFileSync(secretsFile, 'utf8')) as DemoDevice[];

  const devices: DemoDevice[] = [];
  const admittedAt = new Date(Date.now() - 2 * 3600_000);
  for (let i = 0; i < 8; i++) {
    const label = `Bed ${i + 1}`;
    const bedId = (await deps.wards.beds(wardId)).find((b) => b.label === label)?.bedId ?? (await deps.wards.addBed(wardId, label, i + 1));
    const deviceId = `bed-${String(i + 1).padStart(2, '0')}-agent`;
    const password = randomSecret();
    await deps.devices.create({ id: deviceId, bedId, credentialHash: await hashPassword(password) });
    devices.push({ deviceId, password, bedId, bedLabel: label, wardId });
    const p = PATIENTS[i];
    if (!p || (await deps.stays.activeStayForBed(bedId))) continue;
    const { name, ...choice } = p;
    const stayId = await deps.stays.admit({ displayName: name }, bedId, admittedAt);
    if (choice.camera || choice.wearable) {
      await deps.consent.record(stayId, { ...choice, language: 'en' }, new Date(admittedAt.getTime() + 60_000));
    }
  }
  // With DATABASE_URL nothing else creates the data folder.
  mkdirSync(deps.dataDir, { recursive: true, mode: 0o700 });
  writeFileSync(secretsFile, JSON.stringify(devices, null, 2), { mode: 0o600 });
  deps.logger.info('demo ward seeded', { beds: devices.length });
  return devices;
}
