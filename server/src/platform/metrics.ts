/** A deliberately small Prometheus text-format registry: counters, gauges and a summary. */
type Labels = Record<string, string>;
const key = (labels: Labels) => JSON.stringify(Object.entries(labels).sort());
const render = (labels: Labels) => {
  const entries = Object.entries(labels);
  return entries.length ? `{${entries.map(([k, v]) => `${k}="${v.replace(/["\\\n]/g, '_')}"`).join(',')}}` : '';
};

class Series {
  readonly values = new Map<string, { labels: Labels; value: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: 'counter' | 'gauge',
  ) {}
  inc(labels: Labels = {}, by = 1) {
    const k = key(labels);
    const cur = this.values.get(k);
    if (cur) cur.value += by;
    else this.values.set(k, { labels, value: by });
  }
  set(labels: Labels, value: number) {
    this.values.set(key(labels), { labels, value });
  }
  get(labels: Labels = {}): number {
    return this.values.get(key(labels))?.value ?? 0;
  }
  text(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} ${this.type}`];
    for (const { labels, value } of this.values.values()) lines.push(`${this.name}${render(labels)} ${value}`);
    return lines.join('\n');
  }
}

/** Quantiles over a sliding sample of the last `size` observations. */
class Summary {
  private readonly samples: number[] = [];
  private count = 0;
  private sum = 0;
  constructor(
    readonly name: string,
    readonly help: string,
    private readonly size = 2048,
  ) {}
  observe(value: number) {
    this.count += 1;
    this.sum += value;
    this.samples.push(value);
    if (this.samples.length > this.size) this.samples.shift();
  }
  text(): string {
    const sorted = [...this.samples].sort((a, b) => a - b);
    const q = (p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]! : 0);
    return [
      `# HELP ${this.name} ${this.help}`,
      `# TYPE ${this.name} summary`,
      ...[0.5, 0.9, 0.99].map((p) => `${this.name}{quantile="${p}"} ${q(p)}`),
      `${this.name}_sum ${this.sum}`,
      `${this.name}_count ${this.count}`,
    ].join('\n');
  }
}

export function createMetrics() {
  const metrics = {
    ingestAccepted: new Series('attune_ingest_messages_total', 'MQTT messages by result', 'counter'),
    ingestRejected: new Series('attune_ingest_rejected_total', 'MQTT messages rejected, by reason', 'counter'),
    ingestDuplicates: new Series('attune_ingest_duplicates_total', 'Score windows already stored (redelivery), ignored', 'counter'),
    ingestRetries: new Series(
      'attune_ingest_db_retries_total',
      'Ingest database steps retried (e.g. during a database restart), by step',
      'counter',
    ),
    ingestStepFailures: new Series(
      'attune_ingest_step_failures_total',
      'Steps after a committed batch (device last-seen, alert evaluation) that failed for a reason other than the connection, by step',
      'counter',
    ),
    ingestStatusesReplaced: new Series(
      'attune_ingest_statuses_replaced_total',
      "Device statuses replaced by a newer one of the same device before they were written (not kept in the device's history)",
      'counter',
    ),
    ingestLag: new Summary('attune_ingest_lag_seconds', 'Receive time minus windowEnd, seconds'),
    alertsOpened: new Series('attune_alerts_opened_total', 'Alerts opened, by kind', 'counter'),
    alertEscalations: new Series(
      'attune_alert_escalations_total',
      'Alerts that reached an escalation level unacknowledged, by priority and level',
      'counter',
    ),
    alertsOpen: new Series('attune_alerts_open', 'Alerts currently open (firing or acknowledged), by kind', 'gauge'),
    sseClients: new Series('attune_sse_clients', 'Connected Server-Sent Events clients', 'gauge'),
    consentPublished: new Series('attune_consent_published_total', 'Retained consent messages published', 'counter'),
    brokerLimited: new Series(
      'attune_broker_limited_total',
      'Embedded MQTT broker: connections closed (packet_size, connect_timeout) and packets slowed (packet_rate) by its limits',
      'counter',
    ),
    tabletPairingPaused: new Series(
      'attune_tablet_pairing_paused_total',
      'Times bedside tablet pairing paused on a ward after too many wrong codes (one per pause)',
      'counter',
    ),
    wardsEvaluated: new Series(
      'attune_wards_evaluated',
      'Several instances: wards whose alerts this instance evaluates (it holds their lease)',
      'gauge',
    ),
    clusterBusHealthy: new Series(
      'attune_cluster_bus_healthy',
      'Several instances: 1 while this instance hears itself through PostgreSQL NOTIFY, 0 while it cannot',
      'gauge',
    ),
    text(): string {
      return (
        [
          metrics.ingestAccepted,
          metrics.ingestRejected,
          metrics.ingestDuplicates,
          metrics.ingestRetries,
          metrics.ingestStepFailures,
          metrics.ingestStatusesReplaced,
          metrics.ingestLag,
          metrics.alertsOpened,
          metrics.alertEscalations,
          metrics.alertsOpen,
          metrics.sseClients,
          metrics.consentPublished,
          metrics.brokerLimited,
          metrics.tabletPairingPaused,
          metrics.wardsEvaluated,
          metrics.clusterBusHealthy,
        ]
          .map((s) => s.text())
          .join('\n') + '\n'
      );
    },
  };
  return metrics;
}
export type Metrics = ReturnType<typeof createMetrics>;
