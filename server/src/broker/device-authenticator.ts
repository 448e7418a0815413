import { createHash } from 'node:crypto';
import type { DeviceRepository } from '../repositories/device.repository.ts';
import { verifyPassword } from '../security/passwords.ts';
import type { DeviceAuthenticator } from './embedded-broker.ts';

/**
 * Checks device credentials against the database. A successful check is remembered (as a
 * sha256 of the secret, never the secret) so reconnect storms do not cost an scrypt each.
 */
export function createDeviceAuthenticator(devices: DeviceRepository): DeviceAuthenticator & { forget(deviceId: string): void } {
  const verified = new Map<string, string>();
  return {
    async verifyDevice(deviceId, password) {
      const digest = createHash('sha256').update(password).digest('hex');
      const device = await devices.findContext(deviceId);
      if (!device || !device.isActive) return false;
      if (verified.get(deviceId) === `${device.credentialHash}:${digest}`) return true;
      const ok = await verifyPassword(password, device.credentialHash);
      if (ok) verified.set(deviceId, `${device.credentialHash}:${digest}`);
      return ok;
    },
    forget(deviceId) {
      verified.delete(deviceId);
    },
  };
}
