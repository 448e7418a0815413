/**
 * Consent obedience. The agent holds the newest valid consent message for its own device and
 * nothing else decides whether a modality may be opened. It fails closed: no message yet, an
 * invalid message, `stay: null`, or a modality set to false all mean "off".
 */
import { decodePayload, type ConsentMessage } from '@attune/protocol';

export type Modality = 'camera' | 'wearable';

export interface ConsentChange {
  previous: ConsentMessage | null;
  current: ConsentMessage | null;
}

export type ConsentApplyResult =
  { applied: true; change: ConsentChange } | { applied: false; reason: 'invalid' | 'other_device' | 'stale' | 'same_version' };

export class ConsentGate {
  private current: ConsentMessage | null = null;
  /** Highest version seen, kept even when the retained message is cleared, so an old one cannot come back. */
  private highestVersion = -1;

  constructor(private readonly deviceId: string) {}

  /** Applies raw MQTT payload bytes from the consent topic. */
  applyPayload(payload: Uint8Array): ConsentApplyResult {
    if (payload.byteLength === 0) {
      // An empty retained message clears consent at the broker: treat as withdrawal of everything.
      if (this.current === null) return { applied: false, reason: 'same_version' };
      const previous = this.current;
      this.current = null;
      return { applied: true, change: { previous, current: null } };
    }
    const decoded = decodePayload('consent', payload);
    if (!decoded.ok) return { applied: false, reason: 'invalid' };
    return this.apply(decoded.value);
  }

  apply(message: ConsentMessage): ConsentApplyResult {
    if (message.deviceId !== this.deviceId) return { applied: false, reason: 'other_device' };
    if (message.version < this.highestVersion) return { applied: false, reason: 'stale' };
    if (message.version === this.highestVersion) return { applied: false, reason: 'same_version' };
    const previous = this.current;
    this.current = message;
    this.highestVersion = message.version;
    return { applied: true, change: { previous, current: message } };
  }

  consent(): ConsentMessage | null {
    return this.current;
  }

  /** True only when a valid message with an active stay allows this modality. */
  isAllowed(modality: Modality): boolean {
    return this.current !== null && this.current.stay !== null && this.current.modalities[modality] === true;
  }

  /** True when anything at all may be measured (a stay and at least one modality). */
  isAnyAllowed(): boolean {
    return this.isAllowed('camera') || this.isAllowed('wearable');
  }
}
