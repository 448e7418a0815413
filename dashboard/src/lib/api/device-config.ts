/** A device's remote configuration (it_admin; docs/api.md "Remote configuration of an agent"). */
import type { DeviceConfigAnswer, DeviceConfigBody } from '@attune/protocol/api';
import { request } from './client';

export type { DeviceConfigAnswer, DeviceConfigBody, DeviceConfigReport, RemoteDeviceConfig } from '@attune/protocol/api';

const configPath = (deviceId: string) => `/api/devices/${encodeURIComponent(deviceId)}/config`;

export const getDeviceConfig = (deviceId: string) => request<DeviceConfigAnswer>(configPath(deviceId));

/** Saves it under the next version; the agent applies or refuses it and says so in its next status. */
export const saveDeviceConfig = (deviceId: string, body: DeviceConfigBody) =>
  request<DeviceConfigAnswer>(configPath(deviceId), { method: 'PUT', body });

/** The agent goes back to its own configuration file. */
export const clearDeviceConfig = (deviceId: string) => request<DeviceConfigAnswer>(configPath(deviceId), { method: 'DELETE' });
