import type { Database } from '@attune/db';
import { AlertRepository } from '../repositories/alert.repository.ts';
import { AuditRepository } from '../repositories/audit.repository.ts';
import { DataLifecycleRepository } from '../repositories/data-lifecycle.repository.ts';
import { DeviceRepository } from '../repositories/device.repository.ts';
import { ScoreRepository } from '../repositories/score.repository.ts';
import { ConsentReadRepository, StayRepository } from '../repositories/stay.repository.ts';
import { TabletRepository } from '../repositories/tablet.repository.ts';
import { UserRepository } from '../repositories/user.repository.ts';
import { WardRepository } from '../repositories/ward.repository.ts';

export type Repositories = ReturnType<typeof createRepositories>;

/** Every repository over one database. */
export function createRepositories(db: Database) {
  return {
    users: new UserRepository(db),
    audit: new AuditRepository(db),
    wards: new WardRepository(db),
    stays: new StayRepository(db),
    consentRead: new ConsentReadRepository(db),
    devices: new DeviceRepository(db),
    scores: new ScoreRepository(db),
    alerts: new AlertRepository(db),
    tablets: new TabletRepository(db),
    lifecycle: new DataLifecycleRepository(db),
  };
}
