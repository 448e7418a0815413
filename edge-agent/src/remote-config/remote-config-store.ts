/**
 * The last applied remote configuration, kept in the data folder (`remote-config.json`, the
 * message exactly as received) so an agent restarted without its broker starts with what IT set
 * rather than its local file. Written durably (fsync, rename) like the seq file.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { decodePayload, encodePayload, type DeviceConfig } from '@attune/protocol';
import { writeFileDurable } from '../publisher/durable-outbox.ts';

const FILE = 'remote-config.json';

export class RemoteConfigStore {
  constructor(private readonly dataDir: string) {}

  /** The stored configuration, or null when none is stored or the file does not validate (it is then ignored, and said so). */
  load(): { config: DeviceConfig | null; problem: string | null } {
    const path = join(this.dataDir, FILE);
    if (!existsSync(path)) return { config: null, problem: null };
    const decoded = decodePayload('config', readFileSync(path));
    return decoded.ok
      ? { config: decoded.value, problem: null }
      : { config: null, problem: `${FILE}: ${decoded.errors[0] ?? decoded.reason}` };
  }

  save(config: DeviceConfig): void {
    writeFileDurable(this.dataDir, FILE, encodePayload('config', config));
  }

  clear(): void {
    rmSync(join(this.dataDir, FILE), { force: true });
  }
}
