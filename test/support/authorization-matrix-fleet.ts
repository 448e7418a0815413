/** The authorization matrix's entries for the fleet: devices, enrolment tokens and remote configuration (see authorization-matrix.ts). */
import { randomUUID } from 'node:crypto';
import type { Expected, MatrixEntry } from './authorization-matrix.ts';

/**
 * `IT_ONLY` and `everyone` are the matrix's own, passed in so the two modules do not load each other.
 * Credential rotation and decommissioning stay in the matrix itself, near its end: they end the device's session.
 */
export function fleetEntries(
  IT_ONLY: (ok: number | readonly number[]) => Expected,
  everyone: (status: number | readonly number[]) => Expected,
): Record<string, MatrixEntry[]> {
  return {
    'GET /api/devices': [
      {
        request: () => ({ method: 'GET', path: '/api/devices' }),
        expected: IT_ONLY(200),
        why: 'the fleet is technical staff’s; nurses see device state on their board',
      },
    ],
    'GET /api/devices/:deviceId/credentials': [
      {
        request: (f) => ({ method: 'GET', path: `/api/devices/${f.mainDeviceId}/credentials` }),
        expected: IT_ONLY(200),
        why: 'a device’s credential state and open re-enrolment tokens are technical staff’s',
      },
    ],
    'GET /api/beds/:bedId/enrolment-tokens': [
      {
        request: (f) => ({ method: 'GET', path: `/api/beds/${f.freeBedId}/enrolment-tokens` }),
        expected: IT_ONLY(200),
        why: 'enrolling bedside agents is technical staff’s',
      },
    ],
    'POST /api/beds/:bedId/enrolment-tokens': [
      {
        request: (f) => ({ method: 'POST', path: `/api/beds/${f.freeBedId}/enrolment-tokens`, body: {} }),
        expected: IT_ONLY(201),
        why: 'a single-use token to enrol an agent on the bed',
      },
    ],
    'POST /api/enrolment-tokens/:tokenId/revoke': [
      {
        request: () => ({ method: 'POST', path: `/api/enrolment-tokens/${randomUUID()}/revoke` }),
        expected: IT_ONLY(404),
        why: 'revoking a token is technical staff’s (here no such open token: the role passed)',
      },
    ],
    'POST /api/enrol': [
      {
        request: () => ({ method: 'POST', path: '/api/enrol', body: { token: 'AAAA-BBBB-CCCC-DDDD' } }),
        expected: everyone(401),
        why: 'public and rate-limited: the bedside machine has no session, the single-use token decides',
      },
    ],
    'GET /api/devices/:deviceId': [
      {
        request: (f) => ({ method: 'GET', path: `/api/devices/${f.mainDeviceId}` }),
        expected: IT_ONLY(200),
        why: 'one device’s health and status history, for technical staff',
      },
    ],
    'PUT /api/devices/:deviceId/config': [
      {
        request: (f) => ({
          method: 'PUT',
          path: `/api/devices/${f.mainDeviceId}/config`,
          body: { windowMs: 5000, sources: { camera: false, wearable: true }, camera: { device: null, fps: 2 }, modelVersionsAllowed: {} },
        }),
        expected: IT_ONLY(200),
        why: 'remote configuration of an agent is technical staff’s',
      },
    ],
    'GET /api/devices/:deviceId/config': [
      {
        request: (f) => ({ method: 'GET', path: `/api/devices/${f.mainDeviceId}/config` }),
        expected: IT_ONLY(200),
        why: 'an agent’s remote configuration and its last report, for technical staff',
      },
    ],
    'DELETE /api/devices/:deviceId/config': [
      {
        request: (f) => ({ method: 'DELETE', path: `/api/devices/${f.mainDeviceId}/config` }),
        expected: IT_ONLY(200),
        why: 'clearing it sends the agent back to its local file: technical staff’s',
      },
    ],
  };
}
