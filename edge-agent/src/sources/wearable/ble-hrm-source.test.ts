import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../../../test/mqtt-harness.ts';
import { type WearableSample } from '@attune/models';
import { BleHrmSource, BleUnavailableError, loadNoble, measurementToSamples, type BlePeripheral, type BleStack } from './ble-hrm-source.ts';

class FakeCharacteristic extends EventEmitter {
  subscribed = false;
  async subscribeAsync() {
    this.subscribed = true;
  }
}

class FakePeripheral extends EventEmitter implements BlePeripheral {
  connected = false;
  readonly hrm = new FakeCharacteristic();
  constructor(
    readonly id: string,
    readonly address: string,
    readonly advertisement: { localName?: string },
  ) {
    super();
  }
  async connectAsync() {
    this.connected = true;
  }
  async disconnectAsync() {
    this.connected = false;
  }
  async discoverSomeServicesAndCharacteristicsAsync() {
    return { characteristics: [this.hrm] };
  }
}

class FakeStack extends EventEmitter implements BleStack {
  state = 'poweredOn';
  scanning = false;
  async startScanningAsync() {
    this.scanning = true;
  }
  async stopScanningAsync() {
    this.scanning = false;
  }
}

describe('BLE heart-rate source', () => {
  it('turns notifications into hr and ibi samples; no contact yields nothing', () => {
    const s = measurementToSamples(Uint8Array.from([0x16, 70, 0x00, 0x04, 0x00, 0x02]), 10_000);
    expect(s).toEqual([
      { kind: 'hr', tMs: 10_000, hrBpm: 70 },
      { kind: 'ibi', tMs: 9500, ibiS: 1 },
      { kind: 'ibi', tMs: 10_000, ibiS: 0.5 },
    ]);
    expect(measurementToSamples(Uint8Array.from([0x04, 70]), 0)).toEqual([]);
  });

  it('scans for the configured sensor, subscribes, streams, and stops on close', async () => {
    const stack = new FakeStack();
    const source = new BleHrmSource({ device: 'Polar H10 1234', loadStack: async () => stack });
    const got: WearableSample[] = [];
    source.open((s) => got.push(...s));
    await waitFor(() => stack.scanning, 2000, 'scanning');
    const other = new FakePeripheral('a', 'aa:aa', { localName: 'Somebody else' });
    const mine = new FakePeripheral('b', 'bb:bb', { localName: 'Polar H10 1234' });
    stack.emit('discover', other);
    stack.emit('discover', mine);
    await waitFor(() => mine.hrm.subscribed, 2000, 'subscribed');
    expect(other.connected).toBe(false);
    mine.hrm.emit('data', Buffer.from([0x00, 64]), true);
    expect(got).toMatchObject([{ kind: 'hr', hrBpm: 64 }]);
    expect(source.state()).toBe('streaming');
    source.close();
    mine.hrm.emit('data', Buffer.from([0x00, 99]), true);
    expect(got).toHaveLength(1);
    expect(source.state()).toBe('stopped');
    await waitFor(() => !mine.connected, 2000, 'disconnected');
  });

  it('without the optional BLE package: a clear error saying how to install it', async () => {
    await expect(loadNoble('@attune/definitely-not-installed-ble')).rejects.toThrow(BleUnavailableError);
    await expect(loadNoble('@attune/definitely-not-installed-ble')).rejects.toThrow(/npm install/);
    const source = new BleHrmSource({ loadStack: () => loadNoble('@attune/definitely-not-installed-ble') });
    source.open(() => {});
    await waitFor(() => source.state() === 'error', 2000, 'error state');
    expect(source.lastError).toMatch(/optional package/);
  });
});
