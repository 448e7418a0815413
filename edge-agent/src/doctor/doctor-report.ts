/**
 * The doctor checklist as the status carries it (`doctor`: name, result and code per check, no
 * words), and the running agent's own run of it at start: the non-intrusive checks only.
 */
import type { DoctorReport } from '@attune/protocol';
import type { AgentConfig } from '../config.ts';
import { runDoctorChecks, type DoctorOutcome } from './doctor-checks.ts';

/** A config that parsed is the `config` check passing (the agent would not run otherwise). */
export const CONFIG_OK: DoctorOutcome = { name: 'config', label: 'config', result: 'ok', code: null, message: '', fix: null };

export function toDoctorReport(outcomes: readonly DoctorOutcome[], at: Date): DoctorReport {
  return { at: at.toISOString(), checks: outcomes.map(({ name, result, code }) => ({ name, result, code })) };
}

/** The checks the running agent can make without taking its own camera, sensor or broker session. */
export async function runAgentDoctor(config: AgentConfig, manifestPath: string, now: () => Date = () => new Date()): Promise<DoctorReport> {
  const outcomes = await runDoctorChecks(config, { intrusive: false, manifestPath });
  return toDoctorReport([CONFIG_OK, ...outcomes], now());
}
