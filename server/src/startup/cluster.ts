/**
 * Several server instances on one PostgreSQL and one broker (ATTUNE_INSTANCE_ID; docs/scale-out.md).
 * Without it nothing here runs and the server is the single process it always was.
 */
import type { Database } from '@attune/db';
import { ClusterLeases } from '../cluster/cluster-leases.ts';
import { drainDeadSession } from '../cluster/session-drain.ts';
import { WardEvaluator } from '../cluster/ward-evaluator.ts';
import { readTrustedCa } from '../broker/tls-files.ts';
import { startClusterBus, type ClusterBus } from '../platform/cluster-bus.ts';
import type { Config } from '../platform/config.ts';
import type { LiveEvents } from '../platform/live-events.ts';
import type { Logger } from '../platform/logger.ts';
import { LeaseRepository } from '../repositories/lease.repository.ts';
import type { ScoreRepository } from '../repositories/score.repository.ts';
import type { AlertService } from '../services/alert.service.ts';
import type { DeviceContextCache } from '../services/device-context.ts';
import type { IngestService } from '../services/ingest.service.ts';
import type { MonitoringService } from '../services/monitoring.service.ts';
import { maxUnacknowledged, serverClientId } from './messaging.ts';
import type { StopStack } from './stop-stack.ts';

/** Jobs one instance runs at a time; the rest run on every instance (each over its own part). */
export const LEASED_JOBS = ['device-offline', 'alert-escalation', 'retention', 'consent-publisher'] as const;

export interface Cluster {
  instanceId: string;
  bus: ClusterBus;
  leases: ClusterLeases;
  evaluator: WardEvaluator;
}

/** Joins the cluster's bus and shares the in-memory parts through it; leases start later (startLeases). */
export async function joinCluster(
  config: Config,
  deps: { db: Database; live: LiveEvents; alerts: AlertService; contexts: DeviceContextCache; scores: ScoreRepository; logger: Logger },
  stops: StopStack,
): Promise<Cluster | null> {
  const instanceId = config.ATTUNE_INSTANCE_ID;
  if (!instanceId) return null;
  const { db, logger } = deps;
  const bus = await startClusterBus(db, instanceId, logger);
  stops.push(() => bus.close());
  deps.live.shareThrough(bus);
  deps.alerts.shareThrough(bus);
  deps.contexts.shareThrough(bus);
  const leases = new ClusterLeases(
    { leases: new LeaseRepository(db, config.LEASE_TTL_S), logger },
    { instanceId, ttlMs: config.LEASE_TTL_S * 1000, jobNames: [...LEASED_JOBS] },
  );
  await leases.claimInstanceId();
  // Pushed now, so it runs after the broker session has left the shared group, written what is
  // pending and closed (stops run in reverse): only then are the wards given back and the
  // instance marked silent for a survivor to drain what its session may still hold.
  stops.push(() => leases.stop());
  const evaluator = new WardEvaluator({ alerts: deps.alerts, scores: deps.scores, leases, bus, logger });
  stops.push(async () => evaluator.stop());
  logger.info('joined as one of several instances', { instanceId, leaseTtlS: config.LEASE_TTL_S });
  return { instanceId, bus, leases, evaluator };
}

/**
 * Starts taking wards, jobs and dead instances' sessions. On a clean stop every lease is given
 * back first, so the other instances take over at once.
 */
export async function startLeases(
  cluster: Cluster,
  config: Config,
  deps: { ingest: IngestService; monitoring: MonitoringService; logger: Logger },
): Promise<void> {
  await cluster.leases.start({
    wardGained: (wardId) => {
      cluster.evaluator.wardGained(wardId);
      deps.monitoring.reloadActiveAlerts();
    },
    wardLost: (wardId) => cluster.evaluator.wardLost(wardId),
    instanceDead: async (deadId) => {
      await drainDeadSession({
        login: { url: config.MQTT_URL!, username: config.MQTT_USERNAME, password: config.MQTT_PASSWORD, ca: readTrustedCa(config) },
        clientId: serverClientId(config, deadId),
        stillSilent: async () => !(await cluster.leases.isAlive(deadId)),
        shareGroup: config.MQTT_SHARE_GROUP,
        ingest: deps.ingest,
        logger: deps.logger,
        maxUnacknowledged: maxUnacknowledged(config),
      });
    },
  });
}
