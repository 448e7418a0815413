/** A device's credential (it_admin): read it, decommission the device, rotate its secret. Mounted under /api/devices. */
import { Hono, type Context } from 'hono';
import { DeviceIdSchema } from '@attune/protocol';
import type { DeviceCredentials, IssuedEnrolmentToken } from '@attune/protocol/api';
import { requireRole } from '../http/auth.ts';
import type { AppEnv } from '../http/context.ts';
import { parseParam } from '../http/validation.ts';
import { issuedToken, type EnrolmentRouteDeps } from './enrolment.routes.ts';

export function deviceCredentialRoutes(deps: EnrolmentRouteDeps) {
  const app = new Hono<AppEnv>();
  const deviceId = (c: Context) => parseParam(DeviceIdSchema, c.req.param('deviceId'), 'device');

  /** Its bed, whether it may connect, when its secret was issued, its open re-enrolment tokens. */
  app.get('/:deviceId/credentials', requireRole('it_admin'), async (c) =>
    c.json((await deps.service.credentials(deviceId(c), new Date())) satisfies DeviceCredentials),
  );

  /** For good: it is disconnected now and refused from now on; its history stays. */
  app.post('/:deviceId/decommission', requireRole('it_admin'), async (c) =>
    c.json((await deps.service.decommission(deviceId(c), c.get('user').id, new Date())) satisfies DeviceCredentials),
  );

  /** Its secret is refused from now on (it is disconnected); the answer is the token to re-enrol it with, shown once. */
  app.post('/:deviceId/rotate', requireRole('it_admin'), async (c) => {
    const issued = await deps.service.rotate(deviceId(c), c.get('user').id, new Date());
    return c.json((await issuedToken(c, deps.publicOrigin, issued)) satisfies IssuedEnrolmentToken, 201);
  });
  return app;
}
