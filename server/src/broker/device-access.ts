/**
 * What enrolment, rotation and decommissioning ask of the broker, on either broker:
 * - embedded (aedes): it checks every login against the database, so a new secret needs nothing
 *   here; a revoked one needs the device's open connection closed, because a check at login does
 *   not end a session that is already open.
 * - Mosquitto with dynamic security: the device's client is (re)created with the new secret, and
 *   disabled on revocation, which also disconnects it; decommissioning deletes client and role.
 * - An external broker without dynamic security keeps its own accounts: nothing can be done here,
 *   which is logged so the operator knows to change the broker's password file by hand.
 */
import type { Logger } from '../platform/logger.ts';
import type { BrokerDeviceAccess } from '../services/enrolment.service.ts';
import type { EmbeddedBroker } from './embedded-broker.ts';
import type { BrokerAccounts } from './mosquitto-dynsec.ts';

export function createBrokerDeviceAccess(messaging: {
  broker: EmbeddedBroker | null;
  brokerAccounts: BrokerAccounts | null;
  logger: Logger;
}): BrokerDeviceAccess {
  const { broker, brokerAccounts: accounts, logger } = messaging;
  if (broker) {
    const disconnect = async (deviceId: string) => void (await broker.disconnectDevice(deviceId));
    return { grant: async () => {}, disconnect, revoke: disconnect, remove: disconnect };
  }
  if (accounts) {
    return {
      // provisionDevice deletes and re-creates the client, which disconnects a session made with the old secret.
      grant: (deviceId, password) => accounts.provisionDevice(deviceId, password),
      disconnect: async () => {},
      revoke: (deviceId) => accounts.disableDevice(deviceId),
      remove: (deviceId) => accounts.removeDevice(deviceId),
    };
  }
  const unmanaged = (what: string) => async (deviceId: string) =>
    logger.warn(`the external broker's device accounts are not managed by Attune (MQTT_DYNSEC=false): ${what} on the broker by hand`, {
      deviceId,
    });
  return {
    grant: unmanaged('set the device password'),
    disconnect: async () => {},
    revoke: unmanaged('remove the device account'),
    remove: unmanaged('remove the device account'),
  };
}
