/**
 * `attune-agent run` on a machine that was never enrolled: at a terminal it asks for the server and
 * IT's token and enrols first; under a service manager (no terminal) it stops with the command to run.
 */
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline/promises';
import { configPathOf, enrol, option, printEnrolled } from './enroll.ts';
import { EnrolmentError } from './server-exchange.ts';

/** The config `run` should load; enrols first when there is none and a person is at the terminal. */
export async function configForRun(args: string[]): Promise<string> {
  const configPath = configPathOf(args);
  if (existsSync(configPath)) return configPath;
  const enrolCommand = `attune-agent enroll --server <address> --token <token from IT> --config ${configPath}`;
  if (!process.stdin.isTTY) {
    throw new EnrolmentError(`no agent config at ${configPath}: this machine is not enrolled yet. Enrol it first: ${enrolCommand}`);
  }
  console.log(`No agent config at ${configPath}: this machine is not enrolled yet.`);
  console.log("Create an enrolment token for this bed on the Attune dashboard (Setup, the bed's Enrol page), then answer below.");
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    const server = option(args, 'server') ?? (await rl.question('Attune server address (e.g. https://attune.hospital.example): ')).trim();
    const token = (await rl.question('Enrolment token (XXXX-XXXX-XXXX-XXXX): ')).trim();
    const { identity, files } = await enrol({
      server,
      token,
      configPath,
      dataDir: option(args, 'data-dir'),
      caFile: option(args, 'ca-file'),
    });
    printEnrolled(identity, files);
    return configPath;
  } finally {
    rl.close();
  }
}
