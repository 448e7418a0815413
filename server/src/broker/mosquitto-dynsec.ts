/**
 * Device accounts on an external Mosquitto through its dynamic-security plugin: one client and
 * one role per device, the role allowing publishes only to the device's own scores and status
 * topics and subscriptions only to its own consent and config topics and to the server's clock. The broker therefore refuses a device that
 * publishes as another, before Attune ever sees the message. The server's own role (ingest and
 * consent) is ensured at start. See docs/deploy.md for the broker configuration.
 */
import { randomUUID } from 'node:crypto';
import type { MqttClient } from 'mqtt';
import { topics } from '@attune/protocol';
import type { Logger } from '../platform/logger.ts';

const CONTROL_TOPIC = '$CONTROL/dynamic-security/v1';
const RESPONSE_TOPIC = `${CONTROL_TOPIC}/response`;

type Command = Record<string, unknown> & { command: string };
interface CommandResponse {
  command: string;
  error?: string;
  correlationData?: string;
  data?: { client?: { roles?: { rolename: string }[] } };
}

/** Role of the Attune server's account: read every device's scores and status, write every consent. */
export const SERVER_ROLE = 'attune-server';

export interface BrokerAccounts {
  provisionDevice(deviceId: string, password: string): Promise<void>;
  disableDevice(deviceId: string): Promise<void>;
  /** Disconnects the device (disableClient kicks its connection) and deletes its client and role. */
  removeDevice(deviceId: string): Promise<void>;
}

export async function createDynsecAccounts(client: MqttClient, serverUsername: string, logger: Logger): Promise<BrokerAccounts> {
  const pending = new Map<string, (r: CommandResponse) => void>();
  client.on('message', (topic, payload) => {
    if (topic !== RESPONSE_TOPIC) return;
    const body = JSON.parse(payload.toString('utf8')) as { responses?: CommandResponse[] };
    for (const r of body.responses ?? []) {
      if (r.correlationData) pending.get(r.correlationData)?.(r);
    }
  });
  await client.subscribeAsync(RESPONSE_TOPIC, { qos: 1 });

  const run = async (command: Command, tolerate: string[] = []): Promise<CommandResponse> => {
    const correlationData = randomUUID();
    const response = new Promise<CommandResponse>((resolve, reject) => {
      const timer = setTimeout(() => {
        pending.delete(correlationData);
        reject(
          new Error(`Mosquitto dynamic-security did not answer ${command.command}: is the plugin loaded and ${serverUsername} its admin?`),
        );
      }, 5000);
      pending.set(correlationData, (r) => {
        clearTimeout(timer);
        pending.delete(correlationData);
        resolve(r);
      });
    });
    await client.publishAsync(CONTROL_TOPIC, JSON.stringify({ commands: [{ ...command, correlationData }] }), { qos: 1 });
    const r = await response;
    if (r.error && !tolerate.some((t) => r.error!.includes(t)))
      throw new Error(`Mosquitto dynamic-security ${command.command}: ${r.error}`);
    return r;
  };

  // The server's own role is granted when the broker is provisioned (scripts/mosquitto.sh):
  // dynamic security disconnects a client whose roles change, so the server cannot grant itself.
  const self = await run({ command: 'getClient', username: serverUsername });
  if (!self.data?.client?.roles?.some((r) => r.rolename === SERVER_ROLE)) {
    throw new Error(
      `Mosquitto account ${serverUsername} lacks the ${SERVER_ROLE} role: provision the broker as docs/deploy.md describes (scripts/mosquitto.sh does it).`,
    );
  }
  logger.info('Mosquitto dynamic-security ready', { serverUsername });

  return {
    async provisionDevice(deviceId, password) {
      const rolename = `device-${deviceId}`;
      // Re-created, not kept: a role made by an older server lacks ACLs added since (the config topic).
      await run({ command: 'deleteClient', username: deviceId }, ['not found']);
      await run({ command: 'deleteRole', rolename }, ['not found']);
      await run({
        command: 'createRole',
        rolename,
        acls: [
          { acltype: 'publishClientSend', topic: topics.scores(deviceId), allow: true },
          { acltype: 'publishClientSend', topic: topics.status(deviceId), allow: true },
          { acltype: 'subscribeLiteral', topic: topics.consent(deviceId), allow: true },
          { acltype: 'subscribeLiteral', topic: topics.config(deviceId), allow: true },
          { acltype: 'subscribeLiteral', topic: topics.serverTime, allow: true },
        ],
      });
      await run({ command: 'createClient', username: deviceId, password, clientid: deviceId, roles: [{ rolename }] });
    },
    async disableDevice(deviceId) {
      await run({ command: 'disableClient', username: deviceId }, ['not found']);
    },
    async removeDevice(deviceId) {
      await run({ command: 'disableClient', username: deviceId }, ['not found']);
      await run({ command: 'deleteClient', username: deviceId }, ['not found']);
      await run({ command: 'deleteRole', rolename: `device-${deviceId}` }, ['not found']);
    },
  };
}
