/**
 * `attune-agent run --config <file>`   run the bedside agent until SIGINT/SIGTERM
 * `attune-agent doctor --config <file>` checklist: config, model hashes, data folder, ffmpeg and camera (one frame),
 *                                       wearable, broker login, clock offset; with the fix for each failure
 * `attune-agent enroll --server <url> --token <token>` exchange IT's single-use token for this machine's identity
 */
import { MANIFEST_PATH } from '@attune/models';
import { startAgent } from './agent.ts';
import { ConfigError, loadConfigFile, type AgentConfig } from './config.ts';
import { runDoctorChecks, type DoctorOutcome } from './doctor/doctor-checks.ts';
import { CONFIG_OK } from './doctor/doctor-report.ts';
import { AGENT_VERSION } from './version.ts';
import { enrollCommand } from './enrolment/enroll.ts';
import { configForRun } from './enrolment/first-run.ts';
import { EnrolmentError } from './enrolment/server-exchange.ts';

const USAGE = `attune-agent ${AGENT_VERSION}
usage:
  attune-agent run [--config <file>]    run the bedside agent (not enrolled yet: asks for a token at a terminal)
  attune-agent doctor --config <file>   checklist: config, model hashes, data folder, ffmpeg, camera, wearable,
                                        broker login and clock offset, with the fix for each failure
  attune-agent enroll --server <url> --token <token> [--config <file>] [--data-dir <dir>] [--ca-file <pem>]
                                        enrol this machine with IT's single-use token for its bed: writes the
                                        config and its broker password (mode 0600); --config defaults to
                                        /etc/attune-agent/agent.json, as for run`;

function configPath(args: string[]): string {
  const i = args.indexOf('--config');
  const path = i >= 0 ? args[i + 1] : undefined;
  if (!path) throw new Error('missing --config <file>');
  return path;
}

async function run(args: string[]): Promise<number> {
  let config: AgentConfig;
  try {
    // Never enrolled: asks for IT's token at a terminal, else stops naming `enroll`.
    config = loadConfigFile(await configForRun(args));
  } catch (err) {
    // Exit code 2: a machine that is not enrolled or has a broken config is not fixed by restarting,
    // so the systemd unit (RestartPreventExitStatus=2) stops instead of retrying every 5 s.
    if (!(err instanceof EnrolmentError || err instanceof ConfigError)) throw err;
    console.error(`attune-agent: ${err.message}`);
    return 2;
  }
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
      return enrollCommand(args);
    default:
      console.log(USAGE);
      return command === undefined || command === '--help' || command === 'help' ? 0 : 2;
  }
}
