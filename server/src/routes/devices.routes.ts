import { Hono } from 'hono';
import { DeviceIdSchema } from '@attune/protocol';
import { DeviceHistoryQuerySchema, DeviceListQuerySchema, type DeviceDetail, type DeviceList } from '@attune/protocol/api';
import { deviceToApi, statusRecordToApi } from '../mappers/device.mapper.ts';
import type { DeviceRepository } from '../repositories/device.repository.ts';
import type { ConsentReadRepository, StayRepository } from '../repositories/stay.repository.ts';
import type { WardRepository } from '../repositories/ward.repository.ts';
import { FleetService } from '../services/fleet.service.ts';
import { requireRole } from '../http/auth.ts';
import type { AppEnv } from '../http/context.ts';
import { ApiError } from '../http/errors.ts';
import { parseParam, parseQuery } from '../http/validation.ts';

export function deviceRoutes(deps: {
  devices: DeviceRepository;
  wards: WardRepository;
  consent: ConsentReadRepository;
  stays: StayRepository;
}) {
  const app = new Hono<AppEnv>();
  const fleet = new FleetService({ devices: deps.devices, stays: deps.stays, consent: deps.consent });
  // The fleet is technical staff's: nurses see each bed's device state on their board, not credentials or fleet actions.
  app.use(requireRole('it_admin'));

  /**
   * The fleet's health: the devices a filter asks for (state, ward, outdated, erroring), each with
   * its ward and bed, versions, sources, resources, doctor and config results and flags, and the
   * whole fleet's summary; never a patient's name or a score.
   */
  app.get('/', async (c) => {
    const q = parseQuery(c, DeviceListQuerySchema);
    const { devices, summary } = await fleet.list(q, new Date());
    return c.json({ devices: devices.map(deviceToApi), summary } satisfies DeviceList);
  });

  /** One device's health and its status history, newest first, a page at a time. */
  app.get('/:deviceId', async (c) => {
    const deviceId = parseParam(DeviceIdSchema, c.req.param('deviceId'), 'device');
    const q = parseQuery(c, DeviceHistoryQuerySchema);
    const found = await fleet.detail(deviceId, q, new Date());
    if (!found) throw new ApiError(404, 'not_found', 'No such device');
    return c.json({
      device: deviceToApi(found.device),
      history: found.history.map(statusRecordToApi),
      nextBefore: found.nextBefore,
    } satisfies DeviceDetail);
  });
  return app;
}
