/**
 * The composition root. It reads like a table of contents: configuration, database, alerting,
 * broker, ingest, consent, demo data, jobs, HTTP — started in that order and stopped in reverse.
 * How each part starts is in startup/; what each part does is in its own folder.
 */
import { fileURLToPath } from 'node:url';
import type { Database } from '@attune/db';
import type { BrokerAccounts } from './broker/mosquitto-dynsec.ts';
import { buildConsentTexts } from './consent-texts/index.ts';
import { seedDemo, type DemoDevice } from './demo/demo-seed.ts';
import { createApp } from './http/app.ts';
import type { Config } from './platform/config.ts';
import { LiveEvents } from './platform/live-events.ts';
import { createLogger, type Logger } from './platform/logger.ts';
import { createMetrics } from './platform/metrics.ts';
import { startJobs } from './platform/scheduler.ts';
import type { DeviceRepository } from './repositories/device.repository.ts';
import type { StayRepository } from './repositories/stay.repository.ts';
import type { UserRepository } from './repositories/user.repository.ts';
import type { WardRepository } from './repositories/ward.repository.ts';
import { AlertEscalationService } from './services/alert-escalation.service.ts';
import { AlertService } from './services/alert.service.ts';
import { BoardService } from './services/board.service.ts';
import { ConsentService } from './services/consent.service.ts';
import { DeviceConfigService } from './services/device-config.service.ts';
import { DeviceConfigRepository } from './repositories/device-config.repository.ts';
import { mqttDeviceConfigPublisher } from './ingest/device-config-publisher.ts';
import { DeviceContextCache } from './services/device-context.ts';
import { createBrokerDeviceAccess } from './broker/device-access.ts';
import { EnrolmentRepository } from './repositories/enrolment.repository.ts';
import { EnrolmentService } from './services/enrolment.service.ts';
import { deviceMqttEndpoint } from './startup/device-mqtt.ts';
import { DeviceStatusService } from './services/device-status.service.ts';
import { singleSignOnFromConfig } from './services/directory-sign-in.ts';
import { IngestService } from './services/ingest.service.ts';
import { MonitoringService } from './services/monitoring.service.ts';
import { RetentionService } from './services/retention.service.ts';
import { StayService } from './services/stay.service.ts';
import { TabletService } from './services/tablet.service.ts';
import { openDatabase } from './startup/database.ts';
import { listenHttp } from './startup/http-listener.ts';
import { startMessaging } from './startup/messaging.ts';
import { createReadiness } from './startup/readiness.ts';
import { createRepositories } from './startup/repositories.ts';
import { joinCluster, startLeases } from './startup/cluster.ts';
import { StopStack } from './startup/stop-stack.ts';

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
    escalation: AlertEscalationService;
    deviceStatus: DeviceStatusService;
    monitoring: MonitoringService;
    brokerAccounts: BrokerAccounts | null;
  };
  repositories: { users: UserRepository; wards: WardRepository; stays: StayRepository; devices: DeviceRepository };
  /** The HTTP route table (method and path of every handler, middleware left out): the authorization matrix test walks it. */
  routes: { method: string; path: string }[];
  stop(): Promise<void>;
}

const DEFAULT_DASHBOARD_DIR = fileURLToPath(new URL('../../dashboard/build', import.meta.url));

export async function startServer(config: Config, options: { logger?: Logger } = {}): Promise<RunningServer> {
  const logger = options.logger ?? createLogger(config.LOG_LEVEL);
  const stops = new StopStack(logger);
  const stop = () => stops.stop();

  try {
    // 1. Database and repositories
    const db = await openDatabase(config, stops, logger);
    const repos = createRepositories(db);
    const { users, audit, wards, stays, consentRead, devices, scores, alerts, lifecycle } = repos;

    // 2. Alerting and ingest. One instance: alert state is rebuilt from stored windows now. Several
    // (ATTUNE_INSTANCE_ID): they share live events and caches through PostgreSQL, and each ward's
    // state is rebuilt by the instance that takes the ward's lease (docs/scale-out.md).
    const metrics = createMetrics();
    const live = new LiveEvents();
    const alertService = new AlertService(alerts, live, metrics, logger);
    const contexts = new DeviceContextCache(devices, stays);
    const cluster = await joinCluster(config, { db, live, alerts: alertService, contexts, scores, logger }, stops);
    if (cluster) await alertService.refreshOfflineDevices();
    else await alertService.rebuild(scores, new Date());
    const deviceStatus = new DeviceStatusService(devices, alertService, live, config.DEVICE_OFFLINE_AFTER_S * 1000);
    const ingest = new IngestService(
      {
        contexts,
        scores,
        deviceStatus,
        alerts: alertService,
        live,
        metrics,
        logger,
        ...(cluster ? { evaluation: cluster.evaluator } : {}),
      },
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
      {
        stallMs: config.INGEST_STALL_S * 1000,
        signalLostMs: config.SIGNAL_LOST_AFTER_S * 1000,
        ...(cluster ? { ownsWard: (wardId: string | null) => wardId !== null && cluster.leases.ownsWard(wardId) } : {}),
      },
    );

    // 3. Broker and the server's MQTT session
    const { broker, mqttUrl, mqttIngest, brokerAccounts } = await startMessaging(config, { devices, ingest, metrics, logger }, stops);
    if (cluster) await startLeases(cluster, config, { ingest, monitoring, logger });

    // 4. Consent, stays and the bedside tablet
    const consent = new ConsentService({ stays, devices, audit, contexts, live, publisher: mqttIngest, metrics, logger });
    const stayService = new StayService({ stays, consent, alerts: alertService, audit, live, ingest });
    const tablets = new TabletService({
      tablets: repos.tablets,
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
    const retention = new RetentionService(lifecycle, config.RETENTION_DAYS, logger, config.DEVICE_STATUS_KEEP_DAYS);
    // Today's and the week ahead's score partitions now, not one retention period later (a failure
    // only means windows wait in the DEFAULT partition until the next run moves them).
    await retention.maintainPartitions(new Date()).catch((error: unknown) => {
      logger.warn('score partition maintenance failed at start; the retention job tries again', { error: String(error) });
    });

    // 5. Demo ward, then every device's retained consent republished
    const demoDevices = config.ATTUNE_DEMO
      ? await seedDemo({ dataDir: config.dataDir, users, wards, stays, devices, consent, logger })
      : [];
    if (brokerAccounts) for (const d of demoDevices) await brokerAccounts.provisionDevice(d.deviceId, d.password);
    // Several instances: the one that holds the consent publisher's lease republishes.
    const republish = !cluster || (await cluster.leases.tryJob('consent-publisher'));
    if (republish) await consent.publishAll();
    // Remote configurations too (the embedded broker keeps retained messages in memory only).
    const deviceConfig = new DeviceConfigService({
      configs: new DeviceConfigRepository(db),
      publisher: mqttDeviceConfigPublisher(mqttIngest.client),
      logger,
    });
    if (republish) await deviceConfig.publishAll();
    // No default administrator exists outside demo mode: say how to create the first one.
    if ((await users.countActiveAdmins()) === 0) {
      logger.warn(
        'no active IT admin: create one on this machine, with the server\'s environment: npm run attune -- admin create --username <name> --role it_admin (docs/deploy.md, "First administrator")',
      );
    }

    // Agent enrolment, credential rotation and decommissioning, at the broker at once.
    const enrolment = new EnrolmentService(
      {
        enrolment: new EnrolmentRepository(db),
        audit,
        broker: createBrokerDeviceAccess({ broker, brokerAccounts, logger }),
        contexts,
        consent,
        deviceMqtt: deviceMqttEndpoint(config, broker),
      },
      config.ENROLMENT_TOKEN_TTL_H * 3600_000,
    );

    // 6. Jobs (a job that stops completing fails readiness)
    const escalation = new AlertEscalationService({ alerts, live, metrics, logger }, config.ALERT_ESCALATE_AFTER_S);
    const jobs = startJobs(
      [
        { name: 'device-offline', everyMs: 5_000, run: (now) => deviceStatus.checkOffline(now), leased: true },
        { name: 'monitoring', everyMs: 5_000, run: (now) => monitoring.check(now) },
        { ...escalation.job(), leased: true },
        { name: 'session-cleanup', everyMs: 3600_000, run: async (now) => void (await users.deleteExpiredSessions(now)) },
        {
          name: 'retention',
          everyMs: config.RETENTION_JOB_EVERY_MIN * 60_000,
          run: async (now) => void (await retention.run(now)),
          leased: true,
        },
        // Several instances: another instance may raise a device's offline alert; a window stored here must clear it.
        ...(cluster
          ? [
              { name: 'offline-alerts-refresh', everyMs: 5_000, run: () => alertService.refreshOfflineDevices() },
              {
                name: 'cluster-metrics',
                everyMs: 5_000,
                run: async () => {
                  metrics.wardsEvaluated.set({}, cluster.leases.ownedWardIds().length);
                  metrics.clusterBusHealthy.set({}, cluster.bus.isHealthy() ? 1 : 0);
                },
              },
            ]
          : []),
      ],
      logger,
      cluster ? { holdsLease: (name) => cluster.leases.holdsJob(name) } : {},
    );
    stops.push(() => jobs.stop());
    cluster?.leases.watchJobs((name) => jobs.isStalled(name, new Date()));

    // 7. HTTP: API, SSE and dashboard on one origin
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
      readiness: createReadiness({
        db,
        mqttIngest,
        monitoring,
        jobs,
        cluster: cluster ? [cluster.bus, cluster.leases, cluster.evaluator] : [],
      }),
      sessionTtlHours: config.SESSION_TTL_HOURS,
      secureCookies: config.NODE_ENV === 'production',
      tabletPairAttemptsPerMinute: config.TABLET_PAIR_ATTEMPTS_PER_MIN,
      tabletPairFailuresPerWardPer10Min: config.TABLET_PAIR_FAILURES_PER_WARD_PER_10MIN,
      dashboardDir: config.ATTUNE_DASHBOARD_DIR ?? DEFAULT_DASHBOARD_DIR,
      publicOrigin: config.PUBLIC_URL ?? null,
      bodyLimitBytes: config.HTTP_BODY_LIMIT_BYTES,
      singleSignOn: singleSignOnFromConfig(config, { db, audit, logger }),
      deviceConfig,
      enrolment: { service: enrolment, attemptsPerMinute: config.ENROL_ATTEMPTS_PER_MIN },
    });
    const { httpPort, url } = await listenHttp(app.fetch, config, stops, logger);

    return {
      url,
      httpPort,
      mqttUrl,
      mqttTlsUrl: broker?.tlsUrl ?? null,
      db,
      dataDir: config.dataDir,
      databaseUrl: config.DATABASE_URL,
      demoDevices,
      services: {
        consent,
        stays: stayService,
        tablets,
        retention,
        ingest,
        alerts: alertService,
        escalation,
        deviceStatus,
        monitoring,
        brokerAccounts,
      },
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
