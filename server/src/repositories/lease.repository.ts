/**
 * Leases and instance heartbeats for several server instances (docs/scale-out.md). Every time is
 * the database's (`now()`), so the instances' own clocks never decide who owns what.
 */
import { lease, serverInstance, ward, type Database } from '@attune/db';
import { and, eq, gt, inArray, isNull, like, lte, ne, sql } from 'drizzle-orm';

export class LeaseRepository {
  constructor(
    private readonly db: Database,
    private readonly ttlS: number,
  ) {}

  private expiresIn() {
    return sql`now() + ${this.ttlS} * interval '1 second'`;
  }

  private deadline() {
    return sql`now() - ${this.ttlS} * interval '1 second'`;
  }

  async heartbeat(instance: { id: string; host: string; pid: number; startedAt: Date }): Promise<void> {
    await this.db.orm
      .insert(serverInstance)
      .values({ ...instance, heartbeatAt: sql`now()` })
      .onConflictDoUpdate({
        target: serverInstance.id,
        set: { host: instance.host, pid: instance.pid, startedAt: instance.startedAt, heartbeatAt: sql`now()` },
      });
  }

  /** Instances that wrote a heartbeat within the lease time (this one included once it has). */
  async liveInstanceIds(): Promise<string[]> {
    const rows = await this.db.orm
      .select({ id: serverInstance.id })
      .from(serverInstance)
      .where(gt(serverInstance.heartbeatAt, this.deadline()));
    return rows.map((r) => r.id);
  }

  /** Who last wrote the heartbeat of this instance id, if within the lease time. */
  async liveHolderOf(id: string): Promise<{ host: string; pid: number } | null> {
    const [row] = await this.db.orm
      .select({ host: serverInstance.host, pid: serverInstance.pid })
      .from(serverInstance)
      .where(and(eq(serverInstance.id, id), gt(serverInstance.heartbeatAt, this.deadline())));
    return row ?? null;
  }

  /** Other instances silent for longer than the lease time. */
  async deadInstanceIds(self: string): Promise<string[]> {
    const rows = await this.db.orm
      .select({ id: serverInstance.id })
      .from(serverInstance)
      .where(and(lte(serverInstance.heartbeatAt, this.deadline()), ne(serverInstance.id, self)));
    return rows.map((r) => r.id);
  }

  /** A clean stop: counts as silent at once, so a survivor drains its session and a restart need not wait. */
  async markStopped(id: string): Promise<void> {
    await this.db.orm.update(serverInstance).set({ heartbeatAt: this.deadline() }).where(eq(serverInstance.id, id));
  }

  /**
   * A dead instance whose broker session was drained: its heartbeat row and the lease its drain
   * was held under go together, so neither table grows by one row for every instance that ever died.
   */
  async forgetInstance(id: string, sessionLease: string): Promise<void> {
    await this.db.orm.transaction(async (tx) => {
      await tx.delete(serverInstance).where(eq(serverInstance.id, id));
      await tx.delete(lease).where(eq(lease.name, sessionLease));
    });
  }

  /** Extends this holder's unexpired leases; returns their names (a lease missing here is lost). */
  async renew(holder: string): Promise<string[]> {
    const rows = await this.db.orm
      .update(lease)
      .set({ expiresAt: this.expiresIn() })
      .where(and(eq(lease.holder, holder), gt(lease.expiresAt, sql`now()`)))
      .returning({ name: lease.name });
    return rows.map((r) => r.name);
  }

  /** Takes the named leases that are free or expired; returns those now held. */
  async acquire(names: string[], holder: string): Promise<string[]> {
    if (names.length === 0) return [];
    const rows = await this.db.orm
      .insert(lease)
      .values(names.map((name) => ({ name, holder, acquiredAt: sql`now()`, expiresAt: this.expiresIn() })))
      .onConflictDoUpdate({
        target: lease.name,
        set: { holder, acquiredAt: sql`now()`, expiresAt: this.expiresIn() },
        setWhere: lte(lease.expiresAt, sql`now()`),
      })
      .returning({ name: lease.name });
    return rows.map((r) => r.name);
  }

  /** Gives leases up at once, so another instance may take them on its next round. */
  async release(names: string[], holder: string): Promise<void> {
    if (names.length === 0) return;
    await this.db.orm
      .update(lease)
      .set({ expiresAt: sql`now()` })
      .where(and(eq(lease.holder, holder), inArray(lease.name, names)));
  }

  /** Unexpired leases whose name starts with `prefix`, with their holders. */
  async held(prefix: string): Promise<{ name: string; holder: string }[]> {
    return this.db.orm
      .select({ name: lease.name, holder: lease.holder })
      .from(lease)
      .where(and(like(lease.name, `${prefix}%`), gt(lease.expiresAt, sql`now()`)));
  }

  /** Wards in service: each is evaluated by exactly one instance. */
  async activeWardIds(): Promise<string[]> {
    const rows = await this.db.orm.select({ id: ward.id }).from(ward).where(isNull(ward.retiredAt));
    return rows.map((r) => r.id);
  }
}
