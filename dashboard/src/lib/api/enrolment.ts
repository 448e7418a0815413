/** Agent enrolment tokens and device credentials (it_admin; docs/api.md "Enrolling bedside agents"). */
import type { BedEnrolment, DeviceCredentials, IssuedEnrolmentToken } from '@attune/protocol/api';
import { request } from './client';

export type { BedEnrolment, DeviceCredentials, EnrolmentTokenSummary, IssuedEnrolmentToken } from '@attune/protocol/api';

const bedTokens = (bedId: string) => `/api/beds/${encodeURIComponent(bedId)}/enrolment-tokens`;
const devicePath = (deviceId: string) => `/api/devices/${encodeURIComponent(deviceId)}`;

export const getBedEnrolment = (bedId: string) => request<BedEnrolment>(bedTokens(bedId));

/** A new token for the bed (re-enrolling `deviceId` when given); the bed's earlier open token stops working. */
export const createEnrolmentToken = (bedId: string, deviceId?: string) =>
  request<IssuedEnrolmentToken>(bedTokens(bedId), { method: 'POST', body: deviceId ? { deviceId } : {} });

export const revokeEnrolmentToken = (tokenId: string) =>
  request<void>(`/api/enrolment-tokens/${encodeURIComponent(tokenId)}/revoke`, { method: 'POST' });

export const getDeviceCredentials = (deviceId: string) => request<DeviceCredentials>(`${devicePath(deviceId)}/credentials`);

export const decommissionDevice = (deviceId: string) =>
  request<DeviceCredentials>(`${devicePath(deviceId)}/decommission`, { method: 'POST' });

/** The current secret stops working now; the answer is the token to re-enrol the machine with. */
export const rotateDeviceCredentials = (deviceId: string) =>
  request<IssuedEnrolmentToken>(`${devicePath(deviceId)}/rotate`, { method: 'POST' });
