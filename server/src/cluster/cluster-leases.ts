/**
 * Who does what among several server instances: a round every LEASE_TTL_S/5 writes this instance's
 * heartbeat, renews its leases, and shares the wards out evenly among the live instances (each
 * takes free wards up to its share and gives back what is above it). Jobs only one instance may
 * run are leased the same way, and the broker session of an instance that died is drained by one
 * survivor. A lease not renewed for LEASE_TTL_S is free for the taking, so a dead instance's wards
 * are taken over within LEASE_TTL_S plus one round.
 *
 * Fencing: this instance treats a lease as its own only while its last renewal is younger than
 * LEASE_TTL_S minus a margin (measured on its own monotonic clock), so an instance that was paused
 * stops evaluating before another may have taken over. The database's one-open-alert-per-stay
 * index backs this up.
 */
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { failureLog, type FailureLog } from '../platform/failure-log.ts';
import type { Logger } from '../platform/logger.ts';
import type { LeaseRepository } from '../repositories/lease.repository.ts';

const WARD = 'ward:';
const JOB = 'job:';
const SESSION = 'mqtt-session:';
/** A job this instance gave up because it stalled is left to the others this long. */
const STALLED_JOB_AVOID_MS = 5 * 60_000;

export interface LeaseHandlers {
  /** A ward is now this instance's: rebuild its state from the database. Not awaited by the round. */
  wardGained(wardId: string): void;
  /** A ward is no longer this instance's: forget its state. */
  wardLost(wardId: string): void;
  /** Another instance died: drain its broker session (awaited; the lease is held meanwhile). */
  instanceDead(instanceId: string): Promise<void>;
}

export class ClusterLeases {
  /** Lease name -> when this instance last renewed it (performance.now()). */
  private readonly held = new Map<string, number>();
  private readonly startedAt = new Date();
  private lastRoundOkMs = performance.now();
  private timer: NodeJS.Timeout | null = null;
  private round: Promise<void> = Promise.resolve();
  private handlers: LeaseHandlers | null = null;
  /** Wards this instance gave up (their evaluation was stuck) and leaves to the others until then (performance.now()). */
  private readonly avoidUntilMs = new Map<string, number>();
  private started = false;
  /** Set once the jobs run: a job lease whose job has stalled is given up, so another instance runs it. */
  private jobStalled: (name: string) => boolean = () => false;

  /** A database outage fails every round: said once, then once a minute (platform/failure-log.ts). */
  private readonly roundFailures: FailureLog;

  constructor(
    private readonly deps: { leases: LeaseRepository; logger: Logger },
    readonly options: { instanceId: string; ttlMs: number; jobNames: string[] },
  ) {
    this.roundFailures = failureLog(deps.logger, 'lease round failed');
  }

  get instanceId(): string {
    return this.options.instanceId;
  }

  /** Whether this instance may act for the ward now (see fencing above). */
  ownsWard(wardId: string): boolean {
    return this.fresh(WARD + wardId);
  }

  holdsJob(name: string): boolean {
    return this.fresh(JOB + name);
  }

  ownedWardIds(): string[] {
    return [...this.held.keys()].filter((n) => n.startsWith(WARD) && this.fresh(n)).map((n) => n.slice(WARD.length));
  }

  watchJobs(isStalled: (name: string) => boolean): void {
    this.jobStalled = isStalled;
  }

  /** Takes a job's lease now if it is free (at start, before the first round). */
  async tryJob(name: string): Promise<boolean> {
    if (this.holdsJob(name)) return true; // taken by this instance's first round already
    const got = await this.deps.leases.acquire([JOB + name], this.instanceId);
    for (const n of got) this.held.set(n, performance.now());
    return got.length > 0;
  }

  /**
   * Refuses to run beside a live process with the same ATTUNE_INSTANCE_ID (the two would take each
   * other's broker session and leases in turn). A heartbeat left by this id's previous, crashed
   * process is waited out (at most a lease time), so a quick restart still works.
   */
  async claimInstanceId(): Promise<void> {
    const deadlineMs = performance.now() + 2 * this.options.ttlMs;
    for (let warned = false; ; warned = true) {
      const other = await this.deps.leases.liveHolderOf(this.instanceId);
      if (!other || (other.host === os.hostname() && other.pid === process.pid)) {
        // Alive from now on, before the broker session is opened: no survivor starts draining it.
        await this.deps.leases.heartbeat({ id: this.instanceId, host: os.hostname(), pid: process.pid, startedAt: this.startedAt });
        return;
      }
      if (performance.now() > deadlineMs) {
        throw new Error(
          `another server is running as ATTUNE_INSTANCE_ID=${this.instanceId} (${other.host}, pid ${other.pid}): give every instance its own id`,
        );
      }
      if (!warned)
        this.deps.logger.warn('waiting for the last heartbeat of this instance id to expire', { instance: this.instanceId, ...other });
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }

  async start(handlers: LeaseHandlers): Promise<void> {
    this.handlers = handlers;
    this.started = true;
    await this.runRound();
    this.timer = setInterval(() => void this.runRound(), this.options.ttlMs / 5);
  }

  /** Gives a ward back at once and leaves it to the other instances for `avoidMs`. */
  async giveUpWard(wardId: string, avoidMs: number): Promise<void> {
    this.avoidUntilMs.set(wardId, performance.now() + avoidMs);
    if (!this.held.has(WARD + wardId)) return;
    this.lose(WARD + wardId, 'evaluation stuck');
    await this.deps.leases.release([WARD + wardId], this.instanceId);
  }

  /** Whether the instance wrote a heartbeat within the lease time. */
  async isAlive(instanceId: string): Promise<boolean> {
    return (await this.deps.leases.liveHolderOf(instanceId)) !== null;
  }

  /** Null while rounds complete; in words when leases have not been renewed for a lease time. */
  problem(): string | null {
    const sinceMs = performance.now() - this.lastRoundOkMs;
    return sinceMs > this.options.ttlMs ? `leases not renewed for ${Math.round(sinceMs / 1000)} s (wards may be taken over)` : null;
  }

  /**
   * Gives every lease back (a clean stop), so the others take over at once instead of after
   * LEASE_TTL_S. The heartbeat row stays, marked silent: a survivor drains what this instance's
   * broker session may still hold, unless the instance is back first.
   */
  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.round;
    const names = [...this.held.keys()];
    this.held.clear();
    await this.deps.leases.release(names, this.instanceId).catch(() => undefined);
    await this.deps.leases.markStopped(this.instanceId).catch(() => undefined);
  }

  private fresh(name: string): boolean {
    const renewedAtMs = this.held.get(name);
    return renewedAtMs !== undefined && performance.now() - renewedAtMs < this.options.ttlMs * 0.75;
  }

  private runRound(): Promise<void> {
    // Rounds never overlap: a slow database delays the next one (and problem() says so).
    this.round = this.round.then(() =>
      this.oneRound().then(
        () => this.roundFailures.succeeded(),
        (error: unknown) => this.roundFailures.failed(error),
      ),
    );
    return this.round;
  }

  private async oneRound(): Promise<void> {
    const { leases, logger } = this.deps;
    const me = this.instanceId;
    const startedMs = performance.now();
    await leases.heartbeat({ id: me, host: os.hostname(), pid: process.pid, startedAt: this.startedAt });
    const renewed = new Set(await leases.renew(me));
    for (const name of [...this.held.keys()]) {
      if (renewed.has(name)) this.held.set(name, startedMs);
      else this.lose(name, 'expired before it was renewed');
    }
    this.lastRoundOkMs = startedMs;

    // Wards: an even share each.
    const [wardIds, live, wardLeases] = await Promise.all([leases.activeWardIds(), leases.liveInstanceIds(), leases.held(WARD)]);
    const active = new Set(wardIds);
    const mine = [...this.held.keys()].filter((n) => n.startsWith(WARD));
    const retired = mine.filter((n) => !active.has(n.slice(WARD.length)));
    const share = Math.ceil(wardIds.length / Math.max(1, live.length));
    const keep = mine.filter((n) => !retired.includes(n));
    const surplus = keep.length > share ? keep.slice(share) : [];
    if (retired.length + surplus.length > 0) {
      for (const name of [...retired, ...surplus]) this.lose(name, retired.includes(name) ? 'ward retired' : 'rebalanced');
      await leases.release([...retired, ...surplus], me);
    }
    const taken = new Set(wardLeases.map((l) => l.name));
    const avoided = (id: string) => (this.avoidUntilMs.get(id) ?? -Infinity) > performance.now();
    const free = wardIds
      .filter((id) => !avoided(id))
      .map((id) => WARD + id)
      .filter((n) => !taken.has(n) && !this.held.has(n));
    const wanted = free.slice(0, Math.max(0, share - (keep.length - surplus.length)));
    for (const name of await leases.acquire(wanted, me)) this.gain(name);

    // Jobs: any free one (they are few and light); a stalled one goes to another instance.
    for (const name of [...this.held.keys()].filter((n) => n.startsWith(JOB) && this.jobStalled(n.slice(JOB.length)))) {
      this.lose(name, 'job stalled');
      this.avoidUntilMs.set(name, performance.now() + STALLED_JOB_AVOID_MS);
      await leases.release([name], me);
    }
    const jobLeases = new Set((await leases.held(JOB)).map((l) => l.name));
    const freeJobs = this.options.jobNames
      .map((j) => JOB + j)
      .filter((n) => !jobLeases.has(n) && !this.held.has(n) && (this.avoidUntilMs.get(n) ?? -Infinity) <= performance.now());
    for (const name of await leases.acquire(freeJobs, me)) this.gain(name);

    // Dead instances: one survivor drains each one's broker session, then forgets it. In the
    // background: the lease is renewed by the rounds meanwhile, which must not wait for the drain.
    for (const dead of await leases.deadInstanceIds(me)) {
      const name = SESSION + dead;
      if (this.held.has(name) || (await leases.acquire([name], me)).length === 0) continue;
      this.held.set(name, performance.now());
      logger.warn('instance silent for a lease time: draining its broker session', { instance: dead });
      void this.handlers!.instanceDead(dead)
        .then(() => leases.forgetInstance(dead, name))
        .catch((error: unknown) =>
          logger.error('draining a dead instance failed; a later round tries again', { instance: dead, error: String(error) }),
        )
        .finally(() => {
          this.held.delete(name);
          void leases.release([name], me).catch(() => undefined);
        });
    }
  }

  private gain(name: string): void {
    this.held.set(name, performance.now());
    this.deps.logger.info('lease taken', { lease: name });
    if (name.startsWith(WARD)) this.handlers?.wardGained(name.slice(WARD.length));
  }

  private lose(name: string, why: string): void {
    this.held.delete(name);
    this.deps.logger.warn('lease given up', { lease: name, why });
    if (name.startsWith(WARD)) this.handlers?.wardLost(name.slice(WARD.length));
  }
}
