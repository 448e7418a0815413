import { Hono } from 'hono';
import type { DeviceList } from '@attune/protocol/api';
import { deviceToApi } from '../mappers/device.mapper.ts';
import type { DeviceRepository } from '../repositories/device.repository.ts';
import type { ConsentReadRepository, StayRepository } from '../repositories/stay.repository.ts';
import type { WardRepository } from '../repositories/ward.repository.ts';
import { requireRole } from '../http/auth.ts';
import type { AppEnv } from '../http/context.ts';

export function deviceRoutes(deps: {
  devices: DeviceRepository;
  wards: WardRepository;
  consent: ConsentReadRepository;
  stays: StayRepository;
}) {
  const app = new Hono<AppEnv>();
  // The fleet is technical staff's: nurses see each bed's device state on their board, not credentials or fleet actions.
  app.use(requireRole('it_admin'));

  /**
   * Every enrolled device on every ward with its status, sources and the consent switches it is
   * obeying (which sensors are on), with ward and bed labels; never a patient's name or a score.
   */
  app.get('/', async (c) => {
    const rows = await deps.devices.list();
    const now = new Date();
    const stayByBed = new Map<string, string>();
    for (const d of rows) {
      if (!d.bedId || stayByBed.has(d.bedId)) continue;
      const stay = await deps.stays.activeStayForBed(d.bedId);
      if (stay) stayByBed.set(d.bedId, stay.id);
    }
    const consents = await deps.consent.current([...stayByBed.values()], now);
    const devices = rows.map((d) => deviceToApi(d, d.bedId ? consents.find((x) => x.stayId === stayByBed.get(d.bedId!)) : undefined));
    return c.json({ devices } satisfies DeviceList);
  });
  return app;
}
