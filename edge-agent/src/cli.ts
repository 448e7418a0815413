/**
 * `attune-agent run --config <file>`   run the bedside agent until SIGINT/SIGTERM
 * `attune-agent doctor --config <file>` checklist: config, model hashes, data folder, ffmpeg and camera (one frame),
 *                                       wearable, broker login, clock offset; with the fix for each failure
 * `attune-agent enroll`                 not available yet
 */
import { MANIFEST_PATH } from '@attune/models';
import { startAgent } from './agent.ts';
import { loadConfigFile, type AgentConfig } from './config.ts';
import { runDoctorChecks, type DoctorOutcome } from './doctor/doctor-checks.ts';
import { CONFIG_OK } from './doctor/doctor-report.ts';
import { AGENT_VERSION } from './version.ts';

const USAGE = `attune-agent ${AGENT_VERSION}
usage:
  attune-agent run --config <file>      run the bedside agent
  attune-agent doctor --config <file>   checklist: config, model hashes, data folder, ffmpeg, camera, wearable,
                                        broker login and clock offset, with the fix for each failure
  attune-agent enroll                   enrol this device with the server (not available yet)`;

function configPath(args: string[]): string {
  const i = args.indexOf('--config');
  const path = i >= 0 ? args[i + 1] : undefined;
  if (!path) throw new Error('missing --config <file>');
  return path;
}

async function run(args: string[]): Promise<number> {
  const config = loadConfigFile(configPath(args));
  const agent = await startAgent(config);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await agent.stop();
  return 0;
}

/** One checklist line per check: what was found, and on failure the fix in words. */
function printOutcome(o: DoctorOutcome): void {
  const mark = { ok: 'ok   ', warn: 'WARN ', fail: 'FAIL ', skipped: 'skip ' }[o.result];
  console.log(`${mark} ${o.label}: ${o.message}`);
  if (o.fix) console.log(`      fix: ${o.fix}`);
}

async function doctor(args: string[]): Promise<number> {
  let config: AgentConfig;
  try {
    config = loadConfigFile(configPath(args));
  } catch (err) {
    printOutcome({
      ...CONFIG_OK,
      result: 'fail',
      code: 'invalid_config',
      message: (err as Error).message,
      fix: 'correct the named field in the config file (see edge-agent/README.md, "Config file")',
    });
    return 1;
  }
  const c = config;
  printOutcome({
    ...CONFIG_OK,
    message: `${c.deviceId}, window ${c.windowMs} ms, wearable ${c.wearable.kind}, camera ${c.camera.kind}`,
  });
  const outcomes = await runDoctorChecks(c, { intrusive: true, manifestPath: c.modelsManifest ?? MANIFEST_PATH }, (o) => {
    if (o.name !== 'ffmpeg' || o.code !== 'not_configured') printOutcome(o);
  });
  const failed = outcomes.filter((r) => r.result === 'fail').length;
  console.log(failed === 0 ? '\nall checks passed' : `\n${failed} check(s) failed: see the fix under each FAIL line`);
  return failed === 0 ? 0 : 1;
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  switch (command) {
    case 'run':
      return run(args);
    case 'doctor':
      return doctor(args);
    case 'enroll':
      console.error('attune-agent enroll: not available yet. Devices are enrolled by the server operator for now (see docs/deploy.md).');
      return 2;
    default:
      console.log(USAGE);
      return command === undefined || command === '--help' || command === 'help' ? 0 : 2;
  }
}
