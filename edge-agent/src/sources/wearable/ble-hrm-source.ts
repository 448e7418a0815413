/**
 * Wearable source for a standard Bluetooth LE heart-rate sensor (Heart Rate Service 0x180D,
 * Heart Rate Measurement 0x2A37 notifications). The BLE stack, `@abandonware/noble`, is an
 * OPTIONAL dependency: it needs a Bluetooth adapter, HCI permissions and a native build, so it is
 * not installed with the agent. It is imported only when a config asks for `ble-hrm`; without it
 * the source goes to `error` with a message saying how to install it.
 *
 * The adapter is written against noble's documented API (`state`/`stateChange`,
 * `startScanningAsync`, `discover`, `Peripheral.connectAsync`,
 * `discoverSomeServicesAndCharacteristicsAsync`, `Characteristic.subscribeAsync` + `data`).
 */
import type { AgentLogger } from '../../log.ts';
import type { SourceState, WearableSource } from './wearable-source.ts';
import { type WearableSample } from '@attune/models';
import { parseHeartRateMeasurement } from './heart-rate-measurement.ts';

export const HEART_RATE_SERVICE = '180d';
export const HEART_RATE_MEASUREMENT = '2a37';
export const BLE_PACKAGE = '@abandonware/noble';

/** The subset of noble's API the adapter uses (so tests can pass a fake stack). */
export interface BleCharacteristic {
  on(event: 'data', listener: (data: Buffer, isNotification: boolean) => void): unknown;
  removeAllListeners(event?: string): unknown;
  subscribeAsync(): Promise<void>;
}
export interface BlePeripheral {
  id: string;
  address: string;
  advertisement: { localName?: string };
  connectAsync(): Promise<void>;
  disconnectAsync(): Promise<void>;
  discoverSomeServicesAndCharacteristicsAsync(
    services: string[],
    characteristics: string[],
  ): Promise<{ characteristics: BleCharacteristic[] }>;
  once(event: 'disconnect', listener: () => void): unknown;
}
export interface BleStack {
  /** noble >= 1.9.2 exposes `state`; older builds `_state`. */
  state?: string;
  _state?: string;
  on(event: 'stateChange', listener: (state: string) => void): unknown;
  on(event: 'discover', listener: (p: BlePeripheral) => void): unknown;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  removeListener(event: string, listener: (...args: any[]) => void): unknown;
  startScanningAsync(serviceUuids: string[], allowDuplicates: boolean): Promise<void>;
  stopScanningAsync(): Promise<void>;
}

export class BleUnavailableError extends Error {
  override name = 'BleUnavailableError';
}

/** Loads noble at run time; the package name is a variable so nothing resolves it at build time. */
export async function loadNoble(pkg: string = BLE_PACKAGE): Promise<BleStack> {
  try {
    const mod = (await import(pkg)) as { default?: BleStack } & BleStack;
    return mod.default ?? mod;
  } catch (err) {
    throw new BleUnavailableError(
      `wearable kind 'ble-hrm' needs the optional package ${pkg}, which is not installed or cannot load its Bluetooth binding ` +
        `(${(err as Error).message.split('\n')[0]}). On the bedside device: \`npm install ${pkg}\` in the agent folder, ` +
        'a Bluetooth LE adapter, and permission for raw HCI sockets (e.g. `setcap cap_net_raw+eip $(readlink -f $(which node))`).',
    );
  }
}

export interface BleHrmOptions {
  /** Match the sensor by address (aa:bb:...) or advertised name; absent = the first heart-rate sensor seen. */
  device?: string;
  log?: AgentLogger;
  /** Injected BLE stack (tests); defaults to loading noble. */
  loadStack?: () => Promise<BleStack>;
  /** Wait before scanning again after a disconnect. */
  reconnectMs?: number;
}

export class BleHrmSource implements WearableSource {
  readonly description: string;
  private current: SourceState = 'stopped';
  private session = 0;
  private stack: BleStack | null = null;
  private peripheral: BlePeripheral | null = null;
  private characteristic: BleCharacteristic | null = null;
  private onDiscover: ((p: BlePeripheral) => void) | null = null;
  private retry: NodeJS.Timeout | null = null;
  lastError: string | null = null;

  constructor(private readonly options: BleHrmOptions = {}) {
    this.description = `BLE heart-rate sensor ${options.device ?? '(first seen)'}`;
  }

  state(): SourceState {
    return this.current;
  }

  open(onSamples: (samples: WearableSample[]) => void): void {
    if (this.current === 'streaming') return;
    const session = ++this.session;
    this.current = 'streaming';
    void this.connect(session, onSamples).catch((err: unknown) => this.fail(session, err));
  }

  close(): void {
    this.session += 1; // any callback of an older session is now ignored
    this.current = 'stopped';
    if (this.retry) clearTimeout(this.retry);
    this.retry = null;
    this.characteristic?.removeAllListeners('data');
    this.characteristic = null;
    if (this.stack && this.onDiscover) this.stack.removeListener('discover', this.onDiscover);
    this.onDiscover = null;
    void this.stack?.stopScanningAsync().catch(() => {});
    void this.peripheral?.disconnectAsync().catch(() => {});
    this.peripheral = null;
  }

  private fail(session: number, err: unknown): void {
    if (session !== this.session) return;
    this.lastError = (err as Error).message;
    this.current = 'error';
    this.options.log?.error('BLE heart-rate source failed', { error: this.lastError });
  }

  private async connect(session: number, onSamples: (samples: WearableSample[]) => void): Promise<void> {
    this.stack ??= await (this.options.loadStack ?? loadNoble)();
    const stack = this.stack;
    await waitPoweredOn(stack);
    if (session !== this.session) return;
    const peripheral = await new Promise<BlePeripheral>((resolve, reject) => {
      this.onDiscover = (p) => {
        if (this.options.device && !matches(p, this.options.device)) return;
        stack.removeListener('discover', this.onDiscover!);
        this.onDiscover = null;
        resolve(p);
      };
      stack.on('discover', this.onDiscover);
      stack.startScanningAsync([HEART_RATE_SERVICE], false).catch(reject);
    });
    await stack.stopScanningAsync();
    if (session !== this.session) return;
    this.peripheral = peripheral;
    await peripheral.connectAsync();
    const { characteristics } = await peripheral.discoverSomeServicesAndCharacteristicsAsync(
      [HEART_RATE_SERVICE],
      [HEART_RATE_MEASUREMENT],
    );
    const hrm = characteristics[0];
    if (!hrm) throw new Error(`${peripheral.address || peripheral.id} has no Heart Rate Measurement characteristic`);
    if (session !== this.session) return;
    this.characteristic = hrm;
    hrm.on('data', (data) => {
      if (session !== this.session) return;
      const samples = measurementToSamples(data, Date.now());
      if (samples.length) onSamples(samples);
    });
    peripheral.once('disconnect', () => {
      if (session !== this.session) return;
      this.options.log?.warn('BLE heart-rate sensor disconnected; scanning again');
      this.characteristic = null;
      this.peripheral = null;
      this.retry = setTimeout(
        () => void this.connect(session, onSamples).catch((e: unknown) => this.fail(session, e)),
        this.options.reconnectMs ?? 2000,
      );
    });
    await hrm.subscribeAsync();
    this.options.log?.info('BLE heart-rate sensor streaming', { sensor: peripheral.advertisement.localName ?? peripheral.id });
  }
}

function matches(p: BlePeripheral, wanted: string): boolean {
  const w = wanted.toLowerCase();
  return p.address?.toLowerCase() === w || p.id?.toLowerCase() === w || (p.advertisement.localName ?? '').toLowerCase() === w;
}

function waitPoweredOn(stack: BleStack, timeoutMs = 10_000): Promise<void> {
  if ((stack.state ?? stack._state) === 'poweredOn') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stack.removeListener('stateChange', listener);
      reject(
        new BleUnavailableError(
          `Bluetooth adapter not powered on after ${timeoutMs} ms (state ${stack.state ?? stack._state ?? 'unknown'})`,
        ),
      );
    }, timeoutMs);
    const listener = (state: string) => {
      if (state !== 'poweredOn') return;
      clearTimeout(timer);
      stack.removeListener('stateChange', listener);
      resolve();
    };
    stack.on('stateChange', listener);
  });
}

/**
 * One notification -> wearable samples. A sensor that reports "no skin contact" yields nothing:
 * its numbers are not heart beats, and a gap is what the window features read as off-body.
 * RR intervals in one notification are oldest first and end at (about) the arrival time.
 */
export function measurementToSamples(value: Uint8Array, arrivalMs: number): WearableSample[] {
  const m = parseHeartRateMeasurement(value);
  if (m.sensorContact === false || m.hrBpm === 0) return [];
  const samples: WearableSample[] = [{ kind: 'hr', tMs: arrivalMs, hrBpm: m.hrBpm }];
  let endMs = arrivalMs;
  const ibis: WearableSample[] = [];
  for (let i = m.rrIntervalsS.length - 1; i >= 0; i--) {
    ibis.unshift({ kind: 'ibi', tMs: endMs, ibiS: m.rrIntervalsS[i]! });
    endMs -= m.rrIntervalsS[i]! * 1000;
  }
  return [...samples, ...ibis];
}
