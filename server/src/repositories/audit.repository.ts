import { auditLog, type Database } from '@attune/db';

export interface AuditEntry {
  actorUserId: string | null;
  action: string;
  subjectType: string;
  subjectId: string | null;
  detail?: Record<string, unknown>;
}

export class AuditRepository {
  constructor(private readonly db: Database) {}

  async write(entry: AuditEntry): Promise<void> {
    await this.db.orm.insert(auditLog).values({
      actorUserId: entry.actorUserId,
      action: entry.action,
      subjectType: entry.subjectType,
      subjectId: entry.subjectId,
      detail: entry.detail ?? {},
    });
  }
}
