import { describe, expect, it } from 'vitest';
import { HeartRateMeasurementError, parseHeartRateMeasurement } from './heart-rate-measurement.ts';

const bytes = (...b: number[]) => Uint8Array.from(b);

describe('parseHeartRateMeasurement (GATT 0x2A37)', () => {
  it('uint8 rate, no contact feature, nothing else', () => {
    expect(parseHeartRateMeasurement(bytes(0x00, 0x48))).toEqual({
      hrBpm: 72,
      sensorContact: null,
      energyExpendedKj: null,
      rrIntervalsS: [],
    });
  });

  it('uint16 rate (little-endian)', () => {
    // 0x012C = 300 bpm would be implausible but the wire format allows it; 0x00B4 = 180.
    expect(parseHeartRateMeasurement(bytes(0x01, 0xb4, 0x00)).hrBpm).toBe(180);
    expect(parseHeartRateMeasurement(bytes(0x01, 0x2c, 0x01)).hrBpm).toBe(300);
  });

  it('sensor contact bits: 0b00/0b01 unsupported, 0b10 no contact, 0b11 contact', () => {
    expect(parseHeartRateMeasurement(bytes(0x02, 60)).sensorContact).toBeNull(); // bit 1 without the supported bit
    expect(parseHeartRateMeasurement(bytes(0x04, 60)).sensorContact).toBe(false);
    expect(parseHeartRateMeasurement(bytes(0x06, 60)).sensorContact).toBe(true);
  });

  it('energy expended and RR intervals in 1/1024 s', () => {
    // flags 0x1E: uint8 HR, contact supported+detected, energy present, RR present
    // HR 75; energy 0x0130 = 304 kJ; RR 0x0334 = 820/1024 s, 0x0400 = 1024/1024 s
    const m = parseHeartRateMeasurement(bytes(0x1e, 0x4b, 0x30, 0x01, 0x34, 0x03, 0x00, 0x04));
    expect(m.hrBpm).toBe(75);
    expect(m.sensorContact).toBe(true);
    expect(m.energyExpendedKj).toBe(304);
    expect(m.rrIntervalsS).toEqual([820 / 1024, 1]);
  });

  it('uint16 rate with RR intervals and no energy field', () => {
    // flags 0x11: uint16 HR, RR present. HR 0x0041 = 65; RR 0x03B1 = 945/1024 s
    const m = parseHeartRateMeasurement(bytes(0x11, 0x41, 0x00, 0xb1, 0x03));
    expect(m).toEqual({ hrBpm: 65, sensorContact: null, energyExpendedKj: null, rrIntervalsS: [945 / 1024] });
  });

  it('ignores reserved flag bits', () => {
    expect(parseHeartRateMeasurement(bytes(0xe0, 0x50)).hrBpm).toBe(80);
  });

  it('rejects truncated values instead of guessing', () => {
    expect(() => parseHeartRateMeasurement(bytes(0x00))).toThrow(HeartRateMeasurementError);
    expect(() => parseHeartRateMeasurement(bytes(0x01, 0x48))).toThrow(/uint16 heart rate/);
    expect(() => parseHeartRateMeasurement(bytes(0x08, 0x48, 0x01))).toThrow(/energy expended/);
    expect(() => parseHeartRateMeasurement(bytes(0x10, 0x48, 0x01, 0x02, 0x03))).toThrow(/odd length/);
  });

  it('reads from a view into a larger buffer (byteOffset honoured)', () => {
    const backing = bytes(0xff, 0xff, 0x10, 0x3c, 0x00, 0x04);
    expect(parseHeartRateMeasurement(backing.subarray(2))).toEqual({
      hrBpm: 60,
      sensorContact: null,
      energyExpendedKj: null,
      rrIntervalsS: [1],
    });
  });
});
