/** The authorization matrix's entries for ward and bed setup (see authorization-matrix.ts). */
import { randomUUID } from 'node:crypto';
import type { Expected, MatrixEntry } from './authorization-matrix.ts';

/** `IT_ONLY` is the matrix's own, passed in so the two modules do not load each other. */
export function wardSetupEntries(IT_ONLY: (ok: number) => Expected): Record<string, MatrixEntry[]> {
  return {
    'GET /api/wards/setup': [
      {
        request: () => ({ method: 'GET', path: '/api/wards/setup' }),
        expected: IT_ONLY(200),
        why: 'setup: every ward and bed with its device, never a patient',
      },
    ],
    'POST /api/wards': [
      {
        request: () => ({ method: 'POST', path: '/api/wards', body: { name: `Ward ${randomUUID().slice(0, 8)}` } }),
        expected: IT_ONLY(201),
        why: 'setup: a new ward',
      },
    ],
    'PATCH /api/wards/:wardId': [
      {
        request: (f) => ({ method: 'PATCH', path: `/api/wards/${f.wardId}`, body: { name: `Ward A ${randomUUID().slice(0, 8)}` } }),
        expected: IT_ONLY(200),
        why: 'setup: rename a ward',
      },
    ],
    'POST /api/wards/:wardId/retire': [
      {
        request: (f) => ({ method: 'POST', path: `/api/wards/${f.wardId}/retire` }),
        expected: IT_ONLY(409),
        why: 'setup: a ward with beds in use is not retired (ward_has_active_beds)',
      },
    ],
    'POST /api/wards/:wardId/beds': [
      {
        request: (f) => ({ method: 'POST', path: `/api/wards/${f.wardId}/beds`, body: { label: `Bed ${randomUUID().slice(0, 8)}` } }),
        expected: IT_ONLY(201),
        why: 'setup: a new bed at the end of the board',
      },
    ],
    'PUT /api/wards/:wardId/bed-order': [
      {
        request: (f) => ({ method: 'PUT', path: `/api/wards/${f.wardId}/bed-order`, body: { bedIds: [f.freeBed2Id] } }),
        expected: IT_ONLY(400),
        why: 'setup: the order must name every bed in use once',
      },
    ],
    'PATCH /api/beds/:bedId': [
      {
        request: (f) => ({ method: 'PATCH', path: `/api/beds/${f.freeBed2Id}`, body: { label: `Bed ${randomUUID().slice(0, 8)}` } }),
        expected: IT_ONLY(200),
        why: 'setup: rename a bed',
      },
    ],
    'POST /api/beds/:bedId/retire': [
      {
        request: (f) => ({ method: 'POST', path: `/api/beds/${f.mainBedId}/retire` }),
        expected: IT_ONLY(409),
        why: 'setup: a bed with a patient in it is not retired (bed_has_active_stay)',
      },
    ],
  };
}
