/**
 * When an instance dies, its persistent broker session lives on: the broker keeps the messages it
 * had sent but not seen acknowledged, and may go on queueing new ones for it (Mosquitto hands
 * shared-subscription messages to offline members with a session). Those windows were
 * acknowledged to their agents, so they must be stored. One survivor (holding the dead
 * instance's `mqtt-session:` lease) takes the session over under its client id, leaves the shared
 * group so nothing new arrives, stores what comes (through the same acknowledge-after-commit path
 * as every message), and then ends the session with a clean connect.
 *
 * If the dead instance comes back meanwhile, its own connection takes the session back (the
 * broker disconnects the older one); the drain does not reconnect, and the unacknowledged
 * messages go back to their owner. Nothing is lost either way.
 */
import mqtt from 'mqtt';
import type { Logger } from '../platform/logger.ts';
import type { IngestService } from '../services/ingest.service.ts';
import { deviceSubscriptions, startMqttIngest } from '../ingest/mqtt-ingest.ts';

/** The drain ends once nothing has arrived for this long and everything received is stored. */
const QUIET_MS = 2000;
const MAX_DRAIN_MS = 120_000;

export interface BrokerLogin {
  url: string;
  username: string;
  password: string | undefined;
  ca?: Buffer | undefined;
}

export async function drainDeadSession(options: {
  login: BrokerLogin;
  clientId: string;
  shareGroup: string;
  /** Checked before the session is ended: false once its instance is back (its session is its own again). */
  stillSilent: () => Promise<boolean>;
  ingest: IngestService;
  logger: Logger;
  maxUnacknowledged: number;
}): Promise<{ messages: number }> {
  const { login, clientId, logger } = options;
  const drain = await startMqttIngest({
    ...login,
    clientId,
    ingest: options.ingest,
    logger,
    receiveDeviceMessages: false, // the session has its subscriptions already
    maxUnacknowledged: options.maxUnacknowledged,
    publishServerTime: false,
    reconnect: false,
  });
  let messages = 0;
  drain.client.on('message', () => (messages += 1));
  const startedMs = Date.now();
  try {
    await drain.client.unsubscribeAsync(deviceSubscriptions(options.shareGroup));
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      if (!drain.isConnected()) throw new Error('the session was taken back (its instance returned?)');
      const quietMs = Date.now() - Math.max(drain.lastMessageAtMs(), startedMs);
      if (drain.unacknowledged() === 0 && quietMs >= QUIET_MS) break;
      if (Date.now() - startedMs > MAX_DRAIN_MS) throw new Error(`still receiving after ${MAX_DRAIN_MS / 1000} s`);
    }
  } finally {
    await drain.close();
  }
  // A clean connect ends the session, so the broker keeps nothing more for the dead instance,
  // unless the instance came back meanwhile (its session must not be wiped under it).
  if (!(await options.stillSilent())) {
    logger.warn('dead instance is back; its broker session is left to it', { clientId, messages });
    return { messages };
  }
  const cleaner = mqtt.connect(login.url, {
    protocolVersion: 4,
    clientId,
    username: login.username,
    ...(login.password !== undefined ? { password: login.password } : {}),
    ...(login.ca ? { ca: login.ca } : {}),
    clean: true,
    reconnectPeriod: 0,
  });
  await new Promise<void>((resolve, reject) => {
    cleaner.once('connect', () => resolve());
    cleaner.once('error', reject);
  });
  await cleaner.endAsync();
  logger.warn("dead instance's broker session drained and ended", { clientId, messages });
  return { messages };
}
