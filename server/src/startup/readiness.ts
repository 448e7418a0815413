import type { Database } from '@attune/db';
import type { MqttIngest } from '../ingest/mqtt-ingest.ts';
import type { RunningJobs } from '../platform/scheduler.ts';
import type { MonitoringService } from '../services/monitoring.service.ts';

const READINESS_DB_TIMEOUT_MS = 2000;

/** `/readyz`: the database answers, the broker session is up, ingest is not stalled, every job completes. */
export function createReadiness(deps: {
  db: Database;
  mqttIngest: MqttIngest;
  monitoring: MonitoringService;
  jobs: RunningJobs;
  /** Several instances: the bus between them and this instance's leases. */
  cluster: { problem(): string | null }[];
}) {
  return async (now: Date) => {
    // A database that hangs must fail readiness, not hang it: answer within 2 s or count as down.
    const database = await Promise.race([
      deps.db.query('select 1').then(
        () => true,
        () => false,
      ),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), READINESS_DB_TIMEOUT_MS).unref()),
    ]);
    const mqtt = deps.mqttIngest.isConnected();
    const problems = [
      ...(database ? [] : [`database does not answer within ${READINESS_DB_TIMEOUT_MS / 1000} s`]),
      ...(mqtt ? [] : ['not connected to the MQTT broker']),
      ...[deps.monitoring.stall(now)].filter((p): p is string => p !== null),
      ...deps.jobs.stalled(now),
      ...deps.cluster.map((part) => part.problem()).filter((p): p is string => p !== null),
    ];
    return { database, mqtt, problems };
  };
}
