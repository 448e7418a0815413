/**
 * The agent's clock against the server's, from the server's time messages (every 10 s). A message
 * is read some milliseconds after the server stamped it, so each sample is the true offset plus a
 * non-negative delay; the smallest of the recent samples is the best estimate (as in NTP's clock
 * filter). Recent only, so a clock that is stepped is seen within a minute.
 */
import { decodePayload } from '@attune/protocol';

const SAMPLES = 6;

export class ClockOffset {
  private readonly samples: number[] = [];

  /** Records a server time message read at `localNowMs`; returns false when the payload is not a valid time message. */
  observe(payload: Buffer, localNowMs = Date.now()): boolean {
    const decoded = decodePayload('serverTime', payload);
    if (!decoded.ok) return false;
    this.samples.push(localNowMs - Date.parse(decoded.value.serverTime));
    if (this.samples.length > SAMPLES) this.samples.shift();
    return true;
  }

  /** This clock minus the server's, ms (positive: this clock is ahead); null before the first message. */
  offsetMs(): number | null {
    return this.samples.length === 0 ? null : Math.round(Math.min(...this.samples));
  }
}
