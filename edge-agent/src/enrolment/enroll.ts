/**
 * `attune-agent enroll --server <url> --token <token> [--config <file>] [--data-dir <dir>] [--ca-file <pem>]`:
 * exchanges IT's single-use token for this machine's device identity and writes the agent config
 * and its secret (docs/enrolment.md). Everything that can be checked is checked before the token
 * is spent; any failure prints one line and writes nothing.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { DeviceIdentity } from '@attune/protocol/api';
import { parseConfig } from '../config.ts';
import { assertWritableFolder, prepareFolder, writeFileAtomic } from './agent-files.ts';
import { EnrolmentError, exchangeToken } from './server-exchange.ts';

export const DEFAULT_CONFIG_PATH = '/etc/attune-agent/agent.json';
export const DEFAULT_DATA_DIR = '/var/lib/attune-agent';
/** Next to the config: the broker password and the broker's CA as the server handed them out. */
export const PASSWORD_FILE = 'mqtt-password';
export const CA_FILE = 'mqtt-ca.pem';

export interface EnrolOptions {
  server: string;
  token: string;
  configPath: string;
  dataDir?: string | undefined;
  caFile?: string | undefined;
}

/** The value after `--name`, or undefined. */
export function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

export const configPathOf = (args: string[]) => resolve(option(args, 'config') ?? DEFAULT_CONFIG_PATH);

function serverUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(/^[a-z]+:\/\//i.test(text) ? text : `https://${text}`);
  } catch {
    throw new EnrolmentError(`--server ${text} is not an address: give the Attune server's, e.g. https://attune.hospital.example`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new EnrolmentError(`--server must be an https:// address, not ${url.protocol}`);
  return url;
}

/** What an existing config keeps across enrolment: everything but the identity (its sources, window, data folder...). */
function existingConfig(path: string): Record<string, unknown> | null {
  if (!existsSync(path)) return null;
  try {
    const raw = JSON.parse(readFileSync(path, 'utf8')) as unknown;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error('not a JSON object');
    return raw as Record<string, unknown>;
  } catch (err) {
    throw new EnrolmentError(`the existing config ${path} cannot be read (${(err as Error).message}): fix or remove it, then enrol again`);
  }
}

function agentConfig(identity: DeviceIdentity, o: EnrolOptions, previous: Record<string, unknown> | null, caFile: string | null) {
  const previousMqtt = (previous?.mqtt ?? {}) as Record<string, unknown>;
  const dir = dirname(o.configPath);
  const config = {
    ...previous,
    deviceId: identity.deviceId,
    mqtt: {
      url: identity.mqtt.url,
      username: identity.mqtt.username,
      passwordFile: join(dir, PASSWORD_FILE),
      ...(previousMqtt.reconnectMs !== undefined ? { reconnectMs: previousMqtt.reconnectMs } : {}),
      ...(caFile ? { caFile } : {}),
    },
    serverUrl: identity.serverUrl,
    dataDir: o.dataDir ? resolve(o.dataDir) : ((previous?.dataDir as string | undefined) ?? DEFAULT_DATA_DIR),
    wearable: previous?.wearable ?? { kind: 'none' },
    camera: previous?.camera ?? { kind: 'none' },
  };
  // The same validation `run` applies: a config enroll writes always starts.
  parseConfig(config, 'config written by enroll');
  return config;
}

/** Enrols this machine; returns what it wrote. Throws EnrolmentError with one line on any failure. */
export async function enrol(o: EnrolOptions): Promise<{ identity: DeviceIdentity; files: string[] }> {
  if (!o.server) throw new EnrolmentError("missing --server: the Attune server's address, e.g. https://attune.hospital.example");
  if (!o.token.trim()) throw new EnrolmentError('missing --token: the enrolment token IT created for this bed (XXXX-XXXX-XXXX-XXXX)');
  const server = serverUrl(o.server);
  const previous = existingConfig(o.configPath);
  const dir = dirname(o.configPath);
  assertWritableFolder(dir);
  if (o.caFile && !existsSync(o.caFile)) throw new EnrolmentError(`--ca-file ${o.caFile} does not exist`);

  const identity = await exchangeToken(server, o.token);

  const caFile = o.caFile ? resolve(o.caFile) : identity.mqtt.caPem ? join(dir, CA_FILE) : null;
  const config = agentConfig(identity, o, previous, caFile);
  try {
    prepareFolder(dir);
    const files: string[] = [];
    if (!o.caFile && identity.mqtt.caPem) {
      writeFileAtomic(join(dir, CA_FILE), identity.mqtt.caPem);
      files.push(join(dir, CA_FILE));
    }
    writeFileAtomic(join(dir, PASSWORD_FILE), `${identity.mqtt.password}\n`);
    writeFileAtomic(o.configPath, `${JSON.stringify(config, null, 2)}\n`);
    files.push(join(dir, PASSWORD_FILE), o.configPath);
    return { identity, files };
  } catch (err) {
    throw new EnrolmentError(
      `enrolled as ${identity.deviceId}, but writing ${dir} failed (${(err as Error).message}): the token is now used, ask IT for a new one`,
    );
  }
}

/** The `enroll` command: prints what was done and the next command; 0 on success, 1 with one line on failure. */
export async function enrollCommand(args: string[]): Promise<number> {
  const configPath = configPathOf(args);
  try {
    const { identity, files } = await enrol({
      server: option(args, 'server') ?? '',
      token: option(args, 'token') ?? '',
      configPath,
      dataDir: option(args, 'data-dir'),
      caFile: option(args, 'ca-file'),
    });
    printEnrolled(identity, files);
    console.log(`Next: attune-agent run --config ${configPath}`);
    console.log('  or, installed as a service: systemctl restart attune-agent');
    return 0;
  } catch (err) {
    console.error(`attune-agent enroll: ${err instanceof EnrolmentError ? err.message : (err as Error).message}`);
    return 1;
  }
}

export function printEnrolled(identity: DeviceIdentity, files: string[]): void {
  const what = identity.reEnrolled ? 'Re-enrolled' : 'Enrolled';
  console.log(`${what} this machine as ${identity.deviceId} for ${identity.bedLabel}, ${identity.wardName}.`);
  console.log(`Broker: ${identity.mqtt.url} (user ${identity.mqtt.username}).`);
  console.log(`Wrote (mode 0600): ${files.join(', ')}`);
}
