/**
 * The composition root. It reads like a table of contents: configuration, database, alerting,
 * broker, ingest, consent, demo data, jobs, HTTP — started in that order and stopped in reverse.
 */
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve, type ServerType } from '@hono/node-server';
import { createDatabase, type Database } from '@attune/db';
import { createDeviceAuthenticator } from './broker/device-authenticator.ts';
import { PortInUseError, startEmbeddedBroker, type EmbeddedBroker } from './broker/embedded-broker.ts';
import { createDynsecAccounts, type BrokerAccounts } from './broker/mosquitto-dynsec.ts';
import { readBrokerTls, readTrustedCa } from './broker/tls-files.ts';
import { acquireDataDirLock } from './cli/data-dir-lock.ts';
import type { Config } from './platform/config.ts';
import { seedDemo, type DemoDevice } from './demo/demo-seed.ts';
import { createApp } from './http/app.ts';
import { startMqttIngest, type MqttIngest } from './ingest/mqtt-ingest.ts';
import { startJobs } from './platform/scheduler.ts';
import { createLogger, type Logger } from './platform/logger.ts';
import { createMetrics } from './platform/metrics.ts';
import { AlertRepository } from './repositories/alert.repository.ts';
import { AuditRepository } from './repositories/audit.repository.ts';
import { DataLifecycleRepository } from './repositories/data-lifecycle.repository.ts';
import { DeviceRepository } from './repositories/device.repository.ts';
import { ScoreRepository } from './repositories/score.repository.ts';
import { ConsentReadRepository, StayRepository } from './repositories/stay.repository.ts';
import { TabletRepository } from './repositories/tablet.repository.ts';
import { UserRepository } from './repositories/user.repository.ts';
import { WardRepository } from './repositories/ward.repository.ts';
import { randomSecret } from './security/passwords.ts';
import { AlertService } from './services/alert.service.ts';
import { BoardService } from './services/board.service.ts';
import { ConsentService } from './services/consent.service.ts';
import { DeviceContextCache } from './services/device-context.ts';
import { DeviceStatusService } from './services/device-status.service.ts';
import { singleSignOnFromConfig } from './services/directory-sign-in.ts';
import { IngestService } from './services/ingest.service.ts';
import { LiveEvents } from './platform/live-events.ts';
import { MonitoringService } from './services/monitoring.service.ts';
import { RetentionService } from './services/retention.service.ts';
import { StayService } from './services/stay.service.ts';
import { TabletService } from './services/tablet.service.ts';
import { buildConsentTexts } from './consent-texts/index.ts';

export interface RunningServer {
  url: string;
  httpPort: number;
  mqttUrl: string;
  /** The embedded broker's mqtts listener (MQTT_TLS_CERT / MQTT_TLS_KEY), null without one or with an external broker. */
  mqttTlsUrl: string | null;
  db: Database;
  /** Where PGlite keeps its files (under ATTUNE_DATA_DIR), and the PostgreSQL URL when one is used. */
  dataDir: string;
  databaseUrl: string | undefined;
  demoDevices: DemoDevice[];
  services: {
    consent: ConsentService;
    stays: StayService;
    tablets: TabletService;
    retention: RetentionService;
    ingest: IngestService;
    alerts: AlertService;
    deviceStatus: DeviceStatusService;
    monitoring: MonitoringService;
    brokerAccounts: BrokerAccounts | null;
  };
  repositories: { users: UserRepository; wards: WardRepository; stays: StayRepository; devices: DeviceRepository };
  /** The HTTP route table (method and path of every handler, middleware left out): the authorization matrix test walks it. */
  routes: { method: string; path: string }[];
  stop(): Promise<void>;
}

const READINESS_DB_TIMEOUT_MS = 2000;
const DEFAULT_DASHBOARD_DIR = fileURLToPath(new URL('../../dashboard/build', import.meta.url));

export async function startServer(config: Config, options: { logger?: Logger } = {}): Promise<RunningServer> {
  const logger = options.logger ?? createLogger(config.LOG_LEVEL);
  const stops: (() => Promise<void>)[] = [];
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    for (const s of stops.reverse()) await s().catch((error: unknown) => logger.error('stop step failed', { error: String(error) }));
  };

  try {
    // 1. Database (an embedded one is locked against a second process, e.g. `attune admin`)
    if (!config.DATABASE_URL) {
      const lock = acquireDataDirLock(join(config.dataDir, 'pglite.lock'), 'the Attune server', join(config.dataDir, 'pglite'));
      stops.push(async () => lock.release());
    }
    const db = await createDatabase({ url: config.DATABASE_URL, pgliteDir: join(config.dataDir, 'pglite') });
    stops.push(() => db.close());
    await db.migrate();
    logger.info('database ready', { kind: db.kind });

    // 2. Repositories and in-process services
    const metrics = createMetrics();
    const live = new LiveEvents();
    const users = new UserRepository(db);
    const audit = new AuditRepository(db);
    const wards = new WardRepository(db);
    const stays = new StayRepository(db);
    const consentRead = new ConsentReadRepository(db);
    const devices = new DeviceRepository(db);
    const scores = new ScoreRepository(db);
    const alerts = new AlertRepository(db);
    const tabletRepo = new TabletRepository(db);
    const lifecycle = new DataLifecycleRepository(db);
    const alertService = new AlertService(alerts, live, metrics, logger);
    await alertService.rebuild(scores, new Date());
    const contexts = new DeviceContextCache(devices, stays);
    const deviceStatus = new DeviceStatusService(devices, alertService, live, config.DEVICE_OFFLINE_AFTER_S * 1000);
    const ingest = new IngestService(
      { contexts, scores, deviceStatus, alerts: alertService, live, metrics, logger },
      {
        batchMaxRows: config.INGEST_BATCH_MAX_ROWS,
        batchMaxWaitMs: config.INGEST_BATCH_MAX_WAIT_MS,
        maxClockSkewMs: config.INGEST_MAX_CLOCK_SKEW_S * 1000,
        maxAgeMs: config.INGEST_MAX_AGE_H * 3600_000,
        stallMs: config.INGEST_STALL_S * 1000,
      },
    );
    const monitoring = new MonitoringService(
      { devices, ingest, alerts: alertService, live },
      { stallMs: config.INGEST_STALL_S * 1000, signalLostMs: config.SIGNAL_LOST_AFTER_S * 1000 },
    );

    // 3. Broker: embedded unless MQTT_URL names one. The embedded broker hands device messages to
    //    ingest in-process and acknowledges them only once they are durable.
    let broker: EmbeddedBroker | null = null;
    let mqttUrl = config.MQTT_URL;
    let serverMqttPassword = config.MQTT_PASSWORD;
    if (!mqttUrl) {
      serverMqttPassword = randomSecret();
      broker = await startEmbeddedBroker({
        port: config.MQTT_PORT,
        server: { username: config.MQTT_USERNAME, password: serverMqttPassword },
        devices: createDeviceAuthenticator(devices),
        deviceMessages: (topic, payload) => ingest.handleMessage(topic, payload),
        logger,
        limits: {
          maxPacketBytes: config.MQTT_MAX_PACKET_BYTES,
          connectTimeoutMs: config.MQTT_CONNECT_TIMEOUT_S * 1000,
          packetsPerSecond: config.MQTT_CLIENT_PACKETS_PER_S,
          packetBurst: config.MQTT_CLIENT_PACKET_BURST,
        },
        onLimit: (limit) => metrics.brokerLimited.inc({ limit }),
        tls: readBrokerTls(config, logger) ?? undefined,
      });
      stops.push(() => broker!.close());
      mqttUrl = broker.url;
    }

    // 4. Ingest: the server's own MQTT session (device messages arrive on it from an external broker)
    const mqttIngest: MqttIngest = await startMqttIngest({
      url: mqttUrl,
      username: config.MQTT_USERNAME,
      password: serverMqttPassword,
      clientId: config.MQTT_CLIENT_ID ?? config.MQTT_USERNAME,
      ingest,
      logger,
      receiveDeviceMessages: broker === null,
      ca: readTrustedCa(config),
      // Enough for two batches in flight and one being filled (see deploy/mosquitto/attune.conf).
      maxUnacknowledged: Math.max(1000, 4 * config.INGEST_BATCH_MAX_ROWS),
    });
    // Write what is pending while still connected, so its acknowledgements go out, then disconnect.
    stops.push(async () => {
      await ingest.close();
      await mqttIngest.close();
    });

    // Device accounts on an external Mosquitto (the embedded broker reads them from the database)
    const brokerAccounts =
      config.MQTT_URL && config.MQTT_DYNSEC ? await createDynsecAccounts(mqttIngest.client, config.MQTT_USERNAME, logger) : null;

    // 5. Consent, stays and the bedside tablet; republish every device's retained consent at start
    const consent = new ConsentService({ stays, devices, audit, contexts, live, publisher: mqttIngest, metrics, logger });
    const stayService = new StayService({ stays, consent, alerts: alertService, audit, live, ingest });
    const tablets = new TabletService({
      tablets: tabletRepo,
      stays,
      consent,
      lifecycle,
      alerts: alertService,
      ingest,
      contexts,
      audit,
      texts: buildConsentTexts(config.RETENTION_DAYS),
    });
    await tablets.saveTexts();
    const retention = new RetentionService(lifecycle, config.RETENTION_DAYS, logger);

    // 6. Demo ward
    const demoDevices = config.ATTUNE_DEMO
      ? await seedDemo({ dataDir: config.dataDir, users, wards, stays, devices, consent, logger })
      : [];
    if (brokerAccounts) for (const d of demoDevices) await brokerAccounts.provisionDevice(d.deviceId, d.password);
    await consent.publishAll();
    // No default administrator exists outside demo mode: say how to create the first one.
    if ((await users.countActiveAdmins()) === 0) {
      logger.warn(
        'no active IT admin: create one on this machine, with the server\'s environment: npm run attune -- admin create --username <name> --role it_admin (docs/deploy.md, "First administrator")',
      );
    }

    // 7. Jobs (a job that stops completing fails readiness)
    const jobs = startJobs(
      [
        { name: 'device-offline', everyMs: 5_000, run: (now) => deviceStatus.checkOffline(now) },
        { name: 'monitoring', everyMs: 5_000, run: (now) => monitoring.check(now) },
        { name: 'session-cleanup', everyMs: 3600_000, run: async (now) => void (await users.deleteExpiredSessions(now)) },
        { name: 'retention', everyMs: config.RETENTION_JOB_EVERY_MIN * 60_000, run: async (now) => void (await retention.run(now)) },
      ],
      logger,
    );
    stops.push(() => jobs.stop());

    // 8. HTTP: API, SSE and dashboard on one origin
    const app = createApp({
      logger,
      metrics,
      users,
      audit,
      wards,
      stays,
      consentRead,
      devices,
      scores,
      alerts,
      alertService,
      stayService,
      tabletService: tablets,
      board: new BoardService(wards, consentRead, scores, alerts, monitoring),
      live,
      readiness: async (now) => {
        // A database that hangs must fail readiness, not hang it: answer within 2 s or count as down.
        const database = await Promise.race([
          db.query('select 1').then(
            () => true,
            () => false,
          ),
          new Promise<boolean>((resolve) => setTimeout(() => resolve(false), READINESS_DB_TIMEOUT_MS).unref()),
        ]);
        const mqtt = mqttIngest.isConnected();
        const problems = [
          ...(database ? [] : [`database does not answer within ${READINESS_DB_TIMEOUT_MS / 1000} s`]),
          ...(mqtt ? [] : ['not connected to the MQTT broker']),
          ...[monitoring.stall(now)].filter((p): p is string => p !== null),
          ...jobs.stalled(now),
        ];
        return { database, mqtt, problems };
      },
      sessionTtlHours: config.SESSION_TTL_HOURS,
      secureCookies: config.NODE_ENV === 'production',
      tabletPairAttemptsPerMinute: config.TABLET_PAIR_ATTEMPTS_PER_MIN,
      tabletPairFailuresPerWardPer10Min: config.TABLET_PAIR_FAILURES_PER_WARD_PER_10MIN,
      dashboardDir: config.ATTUNE_DASHBOARD_DIR ?? DEFAULT_DASHBOARD_DIR,
      publicOrigin: config.PUBLIC_URL ?? null,
      bodyLimitBytes: config.HTTP_BODY_LIMIT_BYTES,
      singleSignOn: singleSignOnFromConfig(config, { db, audit, logger }),
    });
    const http: ServerType = await new Promise((resolve, reject) => {
      const server = serve({ fetch: app.fetch, port: config.PORT, hostname: config.HOST }, () => resolve(server));
      server.once('error', (error: NodeJS.ErrnoException) =>
        reject(
          error.code === 'EADDRINUSE'
            ? new PortInUseError(`HTTP port ${config.PORT} is already in use: set PORT to a free port, or stop what is listening there.`)
            : error,
        ),
      );
    });
    stops.push(
      () =>
        new Promise<void>((resolve) => {
          http.close(() => resolve());
          (http as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
        }),
    );
    const httpPort = (http.address() as AddressInfo).port;
    const url = `http://localhost:${httpPort}`;
    logger.info('http listening', { url });

    return {
      url,
      httpPort,
      mqttUrl,
      mqttTlsUrl: broker?.tlsUrl ?? null,
      db,
      dataDir: config.dataDir,
      databaseUrl: config.DATABASE_URL,
      demoDevices,
      services: { consent, stays: stayService, tablets, retention, ingest, alerts: alertService, deviceStatus, monitoring, brokerAccounts },
      repositories: { users, wards, stays, devices },
      routes: [
        ...new Map(
          app.routes.filter((r) => r.method !== 'ALL').map((r) => [`${r.method} ${r.path}`, { method: r.method, path: r.path }]),
        ).values(),
      ],
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
