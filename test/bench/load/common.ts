/** Pieces the load generator's processes share: the agents' job, the clock, child-process files. */
import { fileURLToPath } from 'node:url';
import type { DeviceCredential } from '../ingest/common.ts';
import type { BedPlan } from './plan.ts';

export interface AgentsJob {
  mqttUrl: string;
  devices: DeviceCredential[];
  plans: Pick<BedPlan, 'phaseMs' | 'distress' | 'confidence' | 'face'>[];
  /** Windows each agent publishes (at most the plan's length). */
  windows: number;
  /** seq of window k is seqBase + k + 1. */
  seqBase: number;
}

/** Epoch milliseconds with sub-millisecond resolution, comparable across this machine's processes. */
export const nowMs = () => performance.timeOrigin + performance.now();

export const loadChildFile = (name: 'agents' | 'instance') => fileURLToPath(new URL(`./${name}.ts`, import.meta.url));
