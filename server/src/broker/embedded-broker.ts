/**
 * The embedded MQTT broker (aedes, MQTT 3.1.1) used when MQTT_URL is unset. It authenticates
 * every client: the server with its own generated secret, each device with its enrolled
 * credential (scrypt hash in the database). A device may publish and subscribe only under its
 * own topics (publish scores and status, subscribe to its consent, its remote configuration and the server's clock), and
 * its client id must equal its username, so the topic names the authenticated device.
 *
 * Device messages go to ingest in-process, and the broker acknowledges them to the device (PUBACK)
 * only once ingest has durably handled them. The broker lives in the server's process and keeps
 * its sessions in memory, so a broker that acknowledged on receipt, as brokers do, would lose
 * whatever it held when the process died; holding the acknowledgement instead leaves every
 * unstored window in the agent's durable outbox, which sends it again after the restart.
 *
 * With a certificate it also listens for MQTT over TLS (mqtts) on a second port. Both listeners
 * feed the same broker through the same door (connection gate: packet size, connect timeout, rate
 * cap); on the TLS one the gate sees the decrypted stream, and the handshake itself must finish
 * within the connect timeout too.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { Aedes } from 'aedes';
import { topics } from '@attune/protocol';
import type { Logger } from '../platform/logger.ts';
import { GatedConnection, type BrokerLimit, type ConnectionLimits } from './connection-gate.ts';

export interface DeviceAuthenticator {
  /** True when the device exists, is active and the password matches its credential. */
  verifyDevice(deviceId: string, password: string): Promise<boolean>;
}

export interface EmbeddedBroker {
  port: number;
  url: string;
  /** The mqtts listener's port and URL (on the loopback address), null without a certificate. */
  tlsPort: number | null;
  tlsUrl: string | null;
  /** Closes the device's connection now (its credential was revoked or replaced); false when it was not connected. */
  disconnectDevice(deviceId: string): Promise<boolean>;
  close(): Promise<void>;
}

/** The mqtts listener: PEM certificate chain and private key (contents, not paths). */
export interface BrokerTls {
  port: number;
  cert: Buffer;
  key: Buffer;
}

export class PortInUseError extends Error {}

/**
 * The door's limits unless the caller sets others (config: MQTT_MAX_PACKET_BYTES,
 * MQTT_CONNECT_TIMEOUT_S, MQTT_CLIENT_PACKETS_PER_S, MQTT_CLIENT_PACKET_BURST).
 * - 16 KiB per packet: the largest legitimate packet is a score or status PUBLISH, whose payload
 *   the protocol caps at 4 KiB (MAX_PAYLOAD_BYTES), plus its topic (under 100 bytes) and packet
 *   id; a CONNECT carries the Will (a status payload, also under 4 KiB) and credentials. The
 *   broker's limit only has to stop memory abuse (a 200 MB CONNECT); a payload a little over the
 *   protocol's 4 KiB still reaches ingest, which refuses it and counts it per device as
 *   `oversized`, where an operator sees which device sends it, instead of a dropped connection.
 * - 10 s to authenticate: an agent's own connect timeout is 10 s as well.
 * - 50 packets/s sustained, bursts of 200: an agent sends a window every 5 s and a status every
 *   20 s; an outbox replay after an outage keeps 20 windows in flight and sends the next as each
 *   is acknowledged, so it runs at the cap (an hour's backlog of 720 windows in about 11 s) and
 *   loses nothing, because an over-rate client is slowed, never disconnected.
 */
export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = {
  maxPacketBytes: 16 * 1024,
  connectTimeoutMs: 10_000,
  packetsPerSecond: 50,
  packetBurst: 200,
};

/** A device publishes only its own scores and status, and subscribes only to its own consent and the server's clock. */
function mayPublish(deviceId: string, topic: string): boolean {
  return topic === topics.scores(deviceId) || topic === topics.status(deviceId);
}
function maySubscribe(deviceId: string, topic: string): boolean {
  return topic === topics.consent(deviceId) || topic === topics.config(deviceId) || topic === topics.serverTime;
}

export async function startEmbeddedBroker(options: {
  port: number;
  host?: string;
  server: { username: string; password: string };
  devices: DeviceAuthenticator;
  /** Handles a device's message; resolves once it is durably handled, and only then is the device's PUBACK sent. */
  deviceMessages: (topic: string, payload: Buffer) => Promise<void>;
  logger: Logger;
  limits?: Partial<ConnectionLimits>;
  /** Called each time a limit closes or slows a connection (a metric counts them). */
  onLimit?: (limit: BrokerLimit) => void;
  /** Also listen for mqtts with this certificate (TLS 1.2 or later). */
  tls?: BrokerTls;
}): Promise<EmbeddedBroker> {
  const { logger } = options;
  const limits: ConnectionLimits = { ...DEFAULT_CONNECTION_LIMITS, ...options.limits };
  // Marks the connection under a client as authenticated (its connect timeout no longer applies).
  const gateOf = (client: { conn: unknown }) => (client.conn instanceof GatedConnection ? client.conn : null);
  // Who each connection authenticated as; authorisation reads this, never the client id alone.
  const serverClients = new WeakSet<object>();
  const isServer = (client: object | null) => client !== null && serverClients.has(client);
  const broker = await Aedes.createBroker({
    // aedes' own timer stops once the CONNECT is parsed; the gate's runs until authentication succeeds.
    connectTimeout: limits.connectTimeoutMs,
    authenticate: (client, username, password, done) => {
      const secret = password?.toString('utf8') ?? '';
      if (!username) return done(Object.assign(new Error('not authorized'), { returnCode: 4 }) as never, false);
      if (username === options.server.username) {
        const ok = secret === options.server.password;
        if (ok) {
          serverClients.add(client);
          gateOf(client)?.markAuthenticated();
          gateOf(client)?.exemptFromRateLimit();
        }
        return done(ok ? null : (Object.assign(new Error('bad credentials'), { returnCode: 4 }) as never), ok);
      }
      if (client.id !== username) {
        logger.warn('broker refused client: client id must equal username', { username });
        return done(Object.assign(new Error('identifier rejected'), { returnCode: 2 }) as never, false);
      }
      options.devices.verifyDevice(username, secret).then(
        (ok) => {
          if (!ok) logger.warn('broker refused device credentials', { deviceId: username });
          else gateOf(client)?.markAuthenticated();
          done(ok ? null : (Object.assign(new Error('bad credentials'), { returnCode: 4 }) as never), ok);
        },
        (error: unknown) => done(Object.assign(error as Error, { returnCode: 3 }) as never, false),
      );
    },
    authorizePublish: (client, packet, done) => {
      // Internal publishes (no client) and the server's own are trusted; a device's client id equals its username.
      if (!client || isServer(client)) return done(null);
      if (!mayPublish(client.id, packet.topic)) {
        logger.warn('broker refused publish outside the device subtree', { deviceId: client.id, bytes: packet.payload?.length ?? 0 });
        return done(new Error('publish not authorized'));
      }
      // Its Last Will too arrives here. Hand it to ingest and hold the PUBACK until it is durable;
      // if it cannot be stored (shutdown), close the connection unacknowledged: the agent sends it again.
      const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload ?? '');
      options.deviceMessages(packet.topic, payload).then(
        () => done(null),
        (error: unknown) => done(error instanceof Error ? error : new Error(String(error))),
      );
    },
    authorizeSubscribe: (client, sub, done) => {
      if (!client || isServer(client)) return done(null, sub);
      if (maySubscribe(client.id, sub.topic)) return done(null, sub);
      logger.warn('broker refused subscription outside the device subtree', { deviceId: client.id });
      done(new Error('subscribe not authorized'), null);
    },
  });
  broker.on('clientError', (client, error) => logger.debug('broker client error', { clientId: client?.id, error: error.message }));

  // Every limit is counted (metric) each time, but logged at most once a minute per kind of limit,
  // naming the last client and how many were not logged: a flood of connections or packets must not
  // flood the log, and a map keyed by attacker-chosen addresses would grow without bound.
  const lastWarning = new Map<BrokerLimit, { atMs: number; suppressed: number }>();
  const onLimit = (limit: BrokerLimit, detail: Record<string, unknown>) => {
    options.onLimit?.(limit);
    const now = Date.now();
    const last = lastWarning.get(limit);
    if (last && now - last.atMs < 60_000) {
      last.suppressed += 1;
      return;
    }
    lastWarning.set(limit, { atMs: now, suppressed: 0 });
    const notLogged = { notLoggedInTheLastMinute: last?.suppressed ?? 0 };
    if (limit === 'packet_rate') {
      logger.warn('broker slowed a client sending faster than the packet rate cap', {
        ...detail,
        ...notLogged,
        packetsPerSecond: limits.packetsPerSecond,
      });
    } else logger.warn(`broker closed a connection: ${limit.replace('_', ' ')} limit`, { ...detail, ...notLogged });
  };
  // Every connection, plain or TLS, passes the same gate before aedes sees a byte.
  const handleConnection = (socket: Socket) => broker.handle(new GatedConnection(socket, limits, onLimit) as never);
  const host = options.host ?? '0.0.0.0';
  const servers: Server[] = [];
  const closeListeners = () => Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));

  let port: number;
  let tlsPort: number | null = null;
  try {
    const plain = createServer(handleConnection);
    servers.push(plain);
    port = await listen(plain, options.port, host, 'MQTT_PORT');
    logger.info('embedded MQTT broker listening', { port });
    if (options.tls) {
      const secure = createTlsServer(
        {
          cert: options.tls.cert,
          key: options.tls.key,
          minVersion: 'TLSv1.2',
          // A client that opens a connection and never finishes the handshake is closed as one that never authenticates.
          handshakeTimeout: limits.connectTimeoutMs,
        },
        handleConnection,
      );
      // Failed handshakes (a client that does not trust the certificate, plain MQTT sent to this
      // port, a scanner) never reach the broker; they are logged, and a stalled one counted. Node
      // reports a handshake timeout here but leaves the socket open: it is closed here.
      secure.on('tlsClientError', (error: NodeJS.ErrnoException, socket) => {
        socket.destroy();
        const detail = { remoteAddress: socket.remoteAddress, error: error.message };
        if (error.code === 'ERR_TLS_HANDSHAKE_TIMEOUT') onLimit('connect_timeout', { ...detail, afterMs: limits.connectTimeoutMs });
        else logger.debug('broker TLS handshake failed', detail);
      });
      servers.push(secure);
      tlsPort = await listen(secure, options.tls.port, host, 'MQTT_TLS_PORT');
      logger.info('embedded MQTT broker listening for TLS', { port: tlsPort });
    }
  } catch (error) {
    await closeListeners();
    await new Promise<void>((resolve) => broker.close(() => resolve()));
    throw error;
  }
  return {
    port,
    url: `mqtt://127.0.0.1:${port}`,
    tlsPort,
    tlsUrl: tlsPort === null ? null : `mqtts://127.0.0.1:${tlsPort}`,
    disconnectDevice: (deviceId) => {
      // aedes keeps its connected clients by client id, which for a device is its id (checked at login).
      const client = (broker as unknown as { clients: Record<string, { close(done: () => void): void } | undefined> }).clients[deviceId];
      if (!client || deviceId === options.server.username) return Promise.resolve(false);
      logger.info('broker disconnected a device whose credential was revoked', { deviceId });
      return new Promise<boolean>((resolve) => client.close(() => resolve(true)));
    },
    close: async () => {
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await closeListeners();
    },
  };
}

/** Listens on `port` (0: a free one) and resolves with the port; a port in use fails naming the variable that sets it. */
async function listen(server: Server, port: number, host: string, variable: 'MQTT_PORT' | 'MQTT_TLS_PORT'): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EADDRINUSE') return reject(error);
      reject(
        new PortInUseError(
          variable === 'MQTT_PORT'
            ? `MQTT port ${port} is already in use. Either set MQTT_PORT to a free port for the embedded broker, ` +
                `or set MQTT_URL to use the broker already running there (e.g. MQTT_URL=mqtt://127.0.0.1:${port}).`
            : `MQTT TLS port ${port} is already in use: set MQTT_TLS_PORT to a free port for the embedded broker's mqtts listener.`,
        ),
      );
    });
    server.listen(port, host, () => resolve());
  });
  return (server.address() as { port: number }).port;
}
