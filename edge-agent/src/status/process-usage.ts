/**
 * The agent process's CPU and memory for the status (fleet health): CPU as percent of one core
 * since the previous sample (two busy cores = 200), resident memory in bytes. Several agents in
 * one process (the demo) report the same process figures.
 */
/** The largest figures the status schema takes (DeviceStatusSchema). */
export const MAX_CPU_PERCENT = 6400;
export const MAX_MEMORY_RSS_BYTES = 2 ** 44;

/** Samples closer together than this repeat the last figure rather than measure a sliver. */
const MIN_SAMPLE_MS = 1000;

export class ProcessUsage {
  private lastCpu = process.cpuUsage();
  private lastAtMs: number;
  private lastPercent = 0;

  constructor(private readonly now: () => number = () => performance.now()) {
    this.lastAtMs = this.now();
  }

  cpuPercent(): number {
    const atMs = this.now();
    if (atMs - this.lastAtMs < MIN_SAMPLE_MS) return this.lastPercent;
    const used = process.cpuUsage(this.lastCpu);
    const percent = ((used.user + used.system) / 1000 / (atMs - this.lastAtMs)) * 100;
    this.lastCpu = process.cpuUsage();
    this.lastAtMs = atMs;
    this.lastPercent = Math.min(MAX_CPU_PERCENT, Math.max(0, Math.round(percent * 10) / 10));
    return this.lastPercent;
  }

  memoryRssBytes(): number {
    return Math.min(MAX_MEMORY_RSS_BYTES, process.memoryUsage.rss());
  }
}
