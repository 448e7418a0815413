/**
 * A device's remote configuration (it_admin): read it with the agent's last report, set it, clear
 * it. The work, the versioning, the audit row and the MQTT publish are DeviceConfigService's.
 */
import { Hono } from 'hono';
import { DeviceIdSchema } from '@attune/protocol';
import { DeviceConfigBodySchema, type DeviceConfigAnswer } from '@attune/protocol/api';
import { requireRole } from '../http/auth.ts';
import type { AppEnv } from '../http/context.ts';
import { parseJsonBody, parseParam } from '../http/validation.ts';
import type { DeviceConfigService } from '../services/device-config.service.ts';

export function deviceConfigRoutes(deps: { service: DeviceConfigService }) {
  const app = new Hono<AppEnv>();
  app.use(requireRole('it_admin'));
  const deviceId = (id: string | undefined) => parseParam(DeviceIdSchema, id, 'device');

  /** The configuration set (null: none) and the agent's last report about it. */
  app.get('/:deviceId/config', async (c) =>
    c.json((await deps.service.get(deviceId(c.req.param('deviceId')))) satisfies DeviceConfigAnswer),
  );

  /** Sets the configuration: the next version, published retained to the agent at once. */
  app.put('/:deviceId/config', async (c) => {
    const id = deviceId(c.req.param('deviceId'));
    const body = await parseJsonBody(c, DeviceConfigBodySchema);
    return c.json((await deps.service.set(id, body, c.get('user').id)) satisfies DeviceConfigAnswer);
  });

  /** Clears it: the agent goes back to its local configuration file. */
  app.delete('/:deviceId/config', async (c) =>
    c.json((await deps.service.clear(deviceId(c.req.param('deviceId')), c.get('user').id)) satisfies DeviceConfigAnswer),
  );
  return app;
}
