/** Reads one Prometheus sample from /metrics, e.g. metric('attune_ingest_rejected_total', { reason: 'schema' }). */
export async function readMetric(baseUrl: string, name: string, labels: Record<string, string> = {}): Promise<number> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const match = /^([a-z_]+)(\{[^}]*\})? (.+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const have = match[2] ?? '';
    if (want.every((w) => have.includes(w)) && (want.length > 0 || have === '')) return Number(match[3]);
  }
  return 0;
}
