/**
 * The score window message the agent publishes: a window's fusion output with the device, its seq,
 * the window's times and what it was measured under. The live agent publishes it; the offline
 * replays (`npm run alerts:eval`) hand the same message to the server's rules.
 */
import { PROTOCOL_VERSION, type ScoreWindow } from '@attune/protocol';
import type { FusionOutput } from '../fusion/fuse.ts';

export interface ScoreWindowHeader {
  deviceId: string;
  seq: number;
  windowStartMs: number;
  windowEndMs: number;
  /** Version of the consent message obeyed while the window was measured. */
  consentVersion: number;
  models: Record<string, string>;
}

export function scoreWindowMessage(fusion: FusionOutput, header: ScoreWindowHeader): ScoreWindow {
  return {
    v: PROTOCOL_VERSION,
    deviceId: header.deviceId,
    seq: header.seq,
    windowStart: new Date(header.windowStartMs).toISOString(),
    windowEnd: new Date(header.windowEndMs).toISOString(),
    consentVersion: header.consentVersion,
    fused: fusion.fused,
    ...(fusion.face ? { face: fusion.face } : {}),
    ...(fusion.wearable ? { wearable: fusion.wearable } : {}),
    quality: fusion.quality,
    models: header.models,
  };
}
