import type { Database } from '@attune/db';

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
    await this.db.query(
      `insert into audit_log (actor_user_id, action, subject_type, subject_id, detail) values ($1, $2, $3, $4, $5::jsonb)`,
      [entry.actorUserId, entry.action, entry.subjectType, entry.subjectId, JSON.stringify(entry.detail ?? {})],
    );
  }
}
