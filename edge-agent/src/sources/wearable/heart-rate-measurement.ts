/**
 * Parser for the Bluetooth GATT Heart Rate Measurement characteristic (UUID 0x2A37), as every
 * standard chest strap and many wristbands notify it. Layout (Heart Rate Service 1.0, GATT
 * Specification Supplement §3.113), all little-endian:
 *
 *   byte 0  flags
 *           bit 0     heart-rate value format: 0 = uint8, 1 = uint16
 *           bits 1-2  sensor contact: 0b0x = feature not supported, 0b10 = supported but no contact,
 *                     0b11 = supported and in contact
 *           bit 3     energy expended field present (uint16, kilojoules)
 *           bit 4     one or more RR-interval fields present (uint16 each, units of 1/1024 s)
 *           bits 5-7  reserved for future use (ignored)
 *   then    heart rate (uint8 or uint16, bpm), [energy expended], [RR intervals...]
 */

export interface HeartRateMeasurement {
  hrBpm: number;
  /** null when the sensor does not support contact detection. */
  sensorContact: boolean | null;
  /** Cumulative energy expended since the last reset, kJ; null when not sent. */
  energyExpendedKj: number | null;
  /** RR intervals in seconds (wire unit 1/1024 s), oldest first. */
  rrIntervalsS: number[];
}

export class HeartRateMeasurementError extends Error {
  override name = 'HeartRateMeasurementError';
}

const FLAG_HR_UINT16 = 0x01;
const FLAG_CONTACT_SUPPORTED = 0x04;
const FLAG_CONTACT_DETECTED = 0x02;
const FLAG_ENERGY = 0x08;
const FLAG_RR = 0x10;

/** Parses one notification value. Throws on a truncated or malformed value (never guesses). */
export function parseHeartRateMeasurement(value: Uint8Array): HeartRateMeasurement {
  if (value.byteLength < 2) throw new HeartRateMeasurementError(`heart rate measurement too short (${value.byteLength} bytes)`);
  const view = new DataView(value.buffer, value.byteOffset, value.byteLength);
  const flags = view.getUint8(0);
  let offset = 1;
  const need = (bytes: number, what: string) => {
    if (offset + bytes > value.byteLength) {
      throw new HeartRateMeasurementError(
        `heart rate measurement truncated: ${what} needs ${bytes} bytes at offset ${offset}, have ${value.byteLength}`,
      );
    }
  };
  let hrBpm: number;
  if (flags & FLAG_HR_UINT16) {
    need(2, 'uint16 heart rate');
    hrBpm = view.getUint16(offset, true);
    offset += 2;
  } else {
    hrBpm = view.getUint8(offset);
    offset += 1;
  }
  const sensorContact = flags & FLAG_CONTACT_SUPPORTED ? (flags & FLAG_CONTACT_DETECTED) !== 0 : null;
  let energyExpendedKj: number | null = null;
  if (flags & FLAG_ENERGY) {
    need(2, 'energy expended');
    energyExpendedKj = view.getUint16(offset, true);
    offset += 2;
  }
  const rrIntervalsS: number[] = [];
  if (flags & FLAG_RR) {
    if ((value.byteLength - offset) % 2 !== 0)
      throw new HeartRateMeasurementError('heart rate measurement: RR-interval field has an odd length');
    for (; offset < value.byteLength; offset += 2) rrIntervalsS.push(view.getUint16(offset, true) / 1024);
  }
  return { hrBpm, sensorContact, energyExpendedKj, rrIntervalsS };
}
