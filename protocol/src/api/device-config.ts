/**
 * A device's remote configuration (docs/api.md "Devices (it_admin)"): what IT sets for one agent
 * (window length, which sources may run, camera device and frame rate, allowed model versions)
 * and what the agent last reported doing with it. The wire message itself is the MQTT contract's
 * DeviceConfigSchema (protocol/MQTT.md, topic `config`).
 */
import { z } from 'zod';
import { DeviceConfigSchema, RemoteConfigResultSchema } from '../schemas.ts';
import { IsoTime, named } from './common.ts';

const { windowMs, sources, camera, modelVersionsAllowed } = DeviceConfigSchema.shape;

export const DeviceConfigBodySchema = named(
  'DeviceConfigBody',
  'PUT /api/devices/:deviceId/config: the settings; the server numbers the version and stamps issuedAt.',
  z.strictObject({ windowMs, sources, camera, modelVersionsAllowed }),
);
export type DeviceConfigBody = z.infer<typeof DeviceConfigBodySchema>;

export const RemoteDeviceConfigSchema = named(
  'RemoteDeviceConfig',
  'The configuration as published, retained, on the device’s config topic (protocol/MQTT.md).',
  z.strictObject({ ...DeviceConfigSchema.shape }),
);
export type RemoteDeviceConfig = z.infer<typeof RemoteDeviceConfigSchema>;

export const DeviceConfigReportSchema = named(
  'DeviceConfigReport',
  'What the agent last said about its remote configuration (its status `config` field) and when. reason (null when applied): invalid message, another device named, a loaded model not allowed, camera device missing or the local camera not an ffmpeg camera, a source enabled with no local configuration, or applying failed; field: the first offending field.',
  z.object({ ...RemoteConfigResultSchema.shape, at: IsoTime }),
);
export type DeviceConfigReport = z.infer<typeof DeviceConfigReportSchema>;

export const DeviceConfigAnswerSchema = named(
  'DeviceConfigAnswer',
  'GET, PUT and DELETE /api/devices/:deviceId/config: the configuration set (null: none, the agent runs its local file), the agent’s last report (null: none received yet, or an agent older than remote configuration), and the models it last reported running (name -> version), to choose allowed versions from.',
  z.object({
    deviceId: z.string(),
    desired: RemoteDeviceConfigSchema.nullable(),
    reported: DeviceConfigReportSchema.nullable(),
    models: z.record(z.string(), z.string()),
  }),
);
export type DeviceConfigAnswer = z.infer<typeof DeviceConfigAnswerSchema>;
