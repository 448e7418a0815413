import type { DeviceCredentials, EnrolmentTokenSummary } from '@attune/protocol/api';
import type { DeviceCredentialRow, EnrolmentTokenRow } from '../repositories/enrolment.repository.ts';
import { isoOrNull } from './time.ts';

export const enrolmentTokenToApi = (t: EnrolmentTokenRow): EnrolmentTokenSummary => ({
  id: t.id,
  bedId: t.bedId,
  deviceId: t.deviceId,
  createdAt: t.createdAt.toISOString(),
  expiresAt: t.expiresAt.toISOString(),
  createdBy: t.createdBy,
});

export const deviceCredentialsToApi = (d: DeviceCredentialRow, tokens: EnrolmentTokenRow[]): DeviceCredentials => ({
  deviceId: d.deviceId,
  bedId: d.bedId,
  bedLabel: d.bedLabel,
  wardName: d.wardName,
  isActive: d.isActive,
  state: d.state,
  enrolledAt: d.enrolledAt.toISOString(),
  credentialIssuedAt: isoOrNull(d.credentialIssuedAt),
  decommissionedAt: isoOrNull(d.decommissionedAt),
  tokens: tokens.map(enrolmentTokenToApi),
});
