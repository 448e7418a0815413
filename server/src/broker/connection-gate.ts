/**
 * The limits of the embedded broker's door, applied to the raw TCP stream before aedes sees it.
 * aedes (through mqtt-packet) buffers a packet whole before parsing it and has no maximum packet
 * size, so a CONNECT announcing 200 MB would be held in the server's memory. This gate reads only
 * each packet's fixed header (MQTT 3.1.1 section 2.2: one type byte, then the remaining length in
 * 1 to 4 bytes), skips over the bodies as they stream past, and:
 * - closes the connection as soon as a remaining length over the limit is announced, before any
 *   of that body is kept;
 * - closes a connection that has not authenticated within the connect timeout (aedes' own timer
 *   stops once the CONNECT is parsed, so a client whose authentication hangs, e.g. while the
 *   database does not answer, would hold its connection for as long as that lasts);
 * - throttles a client that sends more control packets (PUBLISH, PUBACK, SUBSCRIBE, PINGREQ...)
 *   than the rate cap allows (token bucket): its
 *   bytes stay in the kernel's socket buffer, TCP flow control slows the sender, and nothing it
 *   sent is lost. The server's own session is exempt (it acknowledges every device's message).
 */
import { Duplex } from 'node:stream';
import type { Socket } from 'node:net';

export type BrokerLimit = 'packet_size' | 'connect_timeout' | 'packet_rate';

export interface ConnectionLimits {
  /** Largest remaining length (bytes after the fixed header) a client may announce. */
  maxPacketBytes: number;
  /** A connection that has not authenticated this long after it opened is closed. */
  connectTimeoutMs: number;
  /** Packets per second a client may send, sustained. */
  packetsPerSecond: number;
  /** Packets a client may send at once above the sustained rate (e.g. an outbox replay's first burst). */
  packetBurst: number;
}

/** MQTT 3.1.1 section 2.2.3: the remaining length takes at most four bytes. */
const MAX_REMAINING_LENGTH_BYTES = 4;

export class GatedConnection extends Duplex {
  readonly remoteAddress: string | undefined;
  private connectTimer: NodeJS.Timeout | null;
  private holdTimer: NodeJS.Timeout | null = null;
  /** Bytes not yet passed to aedes because the rate cap holds them. */
  private held: Buffer | null = null;
  private socketEnded = false;
  private rateLimited = true;
  private tokens: number;
  private tokensAt = Date.now();
  // Fixed-header reader state: where in the current packet the next byte falls.
  private state: 'type' | 'length' | 'body' = 'type';
  private remainingLength = 0;
  private lengthMultiplier = 1;
  private lengthBytes = 0;
  private bodyBytesLeft = 0;

  constructor(
    private readonly socket: Socket,
    private readonly limits: ConnectionLimits,
    private readonly onLimit: (limit: BrokerLimit, detail: Record<string, unknown>) => void,
  ) {
    super({ allowHalfOpen: false });
    this.remoteAddress = socket.remoteAddress;
    this.tokens = limits.packetBurst;
    this.connectTimer = setTimeout(() => {
      this.connectTimer = null;
      this.refuse('connect_timeout', { afterMs: limits.connectTimeoutMs });
    }, limits.connectTimeoutMs);
    socket.on('data', (chunk: Buffer) => this.inspect(chunk));
    socket.on('end', () => {
      this.socketEnded = true;
      if (!this.held) this.push(null);
    });
    socket.on('error', (error) => this.destroy(error));
    socket.on('close', () => this.destroy());
  }

  /** The client authenticated: the connect timeout no longer applies. */
  markAuthenticated(): void {
    if (this.connectTimer) clearTimeout(this.connectTimer);
    this.connectTimer = null;
  }

  /** The server's own session acknowledges every device's message and is not rate limited. */
  exemptFromRateLimit(): void {
    this.rateLimited = false;
  }

  private refuse(limit: BrokerLimit, detail: Record<string, unknown>): void {
    if (this.destroyed) return;
    this.onLimit(limit, { remoteAddress: this.remoteAddress, ...detail });
    this.destroy();
  }

  /** Takes one packet's token; returns 0 when it may pass now, else the milliseconds until it may. */
  private takeToken(): number {
    if (!this.rateLimited) return 0;
    const now = Date.now();
    this.tokens = Math.min(this.limits.packetBurst, this.tokens + ((now - this.tokensAt) / 1000) * this.limits.packetsPerSecond);
    this.tokensAt = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - this.tokens) / this.limits.packetsPerSecond) * 1000);
  }

  private inspect(chunk: Buffer): void {
    if (this.destroyed) return;
    let i = 0;
    while (i < chunk.length) {
      if (this.state === 'body') {
        const skipped = Math.min(this.bodyBytesLeft, chunk.length - i);
        this.bodyBytesLeft -= skipped;
        i += skipped;
        if (this.bodyBytesLeft === 0) this.state = 'type';
        continue;
      }
      if (this.state === 'type') {
        const waitMs = this.takeToken();
        if (waitMs > 0) {
          this.hold(chunk, i, waitMs);
          return;
        }
        this.state = 'length';
        this.remainingLength = 0;
        this.lengthMultiplier = 1;
        this.lengthBytes = 0;
        i += 1;
        continue;
      }
      // 'length': MQTT 3.1.1 section 2.2.3, 7 bits per byte, least significant first, high bit = more.
      const byte = chunk[i]!;
      i += 1;
      this.lengthBytes += 1;
      this.remainingLength += (byte & 0x7f) * this.lengthMultiplier;
      this.lengthMultiplier *= 128;
      if (this.remainingLength > this.limits.maxPacketBytes) {
        this.refuse('packet_size', { announcedBytes: this.remainingLength, limitBytes: this.limits.maxPacketBytes });
        return;
      }
      if (byte & 0x80) {
        if (this.lengthBytes >= MAX_REMAINING_LENGTH_BYTES) {
          this.refuse('packet_size', { malformedLength: true });
          return;
        }
        continue;
      }
      this.bodyBytesLeft = this.remainingLength;
      this.state = this.remainingLength > 0 ? 'body' : 'type';
    }
    this.pass(chunk);
  }

  /** Passes the packets before `at` to aedes and keeps the rest until the client has a token again. */
  private hold(chunk: Buffer, at: number, waitMs: number): void {
    this.onLimit('packet_rate', { remoteAddress: this.remoteAddress, waitMs });
    if (at > 0) this.pass(chunk.subarray(0, at));
    this.held = chunk.subarray(at);
    this.socket.pause();
    this.holdTimer = setTimeout(() => {
      this.holdTimer = null;
      const held = this.held!;
      this.held = null;
      this.socket.resume();
      this.inspect(held);
      if (this.socketEnded && !this.held && !this.destroyed) this.push(null);
    }, waitMs);
  }

  private pass(bytes: Buffer): void {
    if (bytes.length > 0 && !this.push(bytes)) this.socket.pause();
  }

  override _read(): void {
    if (!this.held) this.socket.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.socket.write(chunk, callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.socket.end(callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (this.connectTimer) clearTimeout(this.connectTimer);
    if (this.holdTimer) clearTimeout(this.holdTimer);
    this.connectTimer = null;
    this.holdTimer = null;
    this.held = null;
    this.socket.destroy();
    callback(error);
  }
}
