/**
 * Single sign-on with the hospital's directory: who a directory user is in Attune.
 *
 * The directory is the source of truth for an SSO user's role and wards: every sign-in maps the
 * user's groups (the ID token's groups claim) through OIDC_ROLE_MAP and OIDC_WARD_MAP and writes
 * the result, so a transfer or a new role in the directory applies at the next sign-in. Attune's
 * own deactivation still wins: a user an administrator deactivated in Attune is refused even while
 * the directory lists them.
 *
 * Several groups may map to roles. The rule: it_admin together with a clinical role is refused as
 * ambiguous (the two roles see disjoint data by design, and guessing would either hide patients
 * from a nurse or show them to technical staff); among clinical roles, charge_nurse wins over nurse.
 */
import { createHash, createHmac } from 'node:crypto';
import type { Database } from '@attune/db';
import type { Config } from '../platform/config.ts';
import type { Logger } from '../platform/logger.ts';
import type { AuditRepository } from '../repositories/audit.repository.ts';
import { DirectoryUserRepository, type DirectoryUser } from '../repositories/directory-user.repository.ts';
import { CLINICAL_ROLES, USERNAME_PATTERN, type Role } from '../domain/users.ts';
import { UserRepository } from '../repositories/user.repository.ts';
import { DirectoryClient } from './directory-client.ts';

/** Why a directory sign-in is refused; the login page shows a message for each (`/login?error=sso_<reason>`). */
export type DirectoryRefusal = 'no_role' | 'role_conflict' | 'no_ward' | 'deactivated';

export interface DirectoryMapping {
  /** The ID-token claim with the user's groups (a string or an array of strings). */
  groupsClaim: string;
  /** Directory group -> Attune role. */
  roleMap: Record<string, Role>;
  /** Directory group -> ward name. */
  wardMap: Record<string, string>;
}

export type DirectoryAccess = { role: Role; wardNames: string[] } | { refused: 'no_role' | 'role_conflict'; roles: Role[] };

/** The user's groups from the claims: a string or an array of strings; anything else is no groups. */
export function groupsFromClaims(claims: Record<string, unknown>, groupsClaim: string): string[] {
  const value = Object.hasOwn(claims, groupsClaim) ? claims[groupsClaim] : undefined;
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.filter((g): g is string => typeof g === 'string');
  return [];
}

/** Role and ward names for a set of directory groups (see the file comment for the rule). */
export function mapDirectoryGroups(groups: string[], mapping: Pick<DirectoryMapping, 'roleMap' | 'wardMap'>): DirectoryAccess {
  const roles = [...new Set(groups.filter((g) => Object.hasOwn(mapping.roleMap, g)).map((g) => mapping.roleMap[g]!))].sort();
  const wardNames = [...new Set(groups.filter((g) => Object.hasOwn(mapping.wardMap, g)).map((g) => mapping.wardMap[g]!))].sort();
  if (roles.length === 0) return { refused: 'no_role', roles };
  const clinical = roles.filter((r) => (CLINICAL_ROLES as readonly Role[]).includes(r));
  if (roles.includes('it_admin')) return clinical.length > 0 ? { refused: 'role_conflict', roles } : { role: 'it_admin', wardNames: [] };
  return { role: clinical.includes('charge_nurse') ? 'charge_nurse' : 'nurse', wardNames };
}

/** The verified ID token's claims that matter here (issuer and subject identify the user). */
export interface DirectoryIdentity {
  issuer: string;
  subject: string;
  claims: Record<string, unknown>;
}

export type DirectorySignInResult =
  { ok: true; user: DirectoryUser; created: boolean } | { ok: false; refused: DirectoryRefusal; userId: string | null };

export class DirectorySignIn {
  constructor(
    private readonly deps: { users: DirectoryUserRepository; sessions: UserRepository; audit: AuditRepository; logger: Logger },
    private readonly mapping: DirectoryMapping,
  ) {}

  /**
   * Maps the identity to an Attune user, creating it at the first sign-in and updating role and
   * wards at every later one. A refusal is audited (`auth.sso_refused`) and, for a known user whose
   * directory groups no longer grant access, ends their open sessions: the directory withdrew it.
   */
  async signIn(identity: DirectoryIdentity, now: Date): Promise<DirectorySignInResult> {
    const { users, audit, logger } = this.deps;
    const existing = await users.findByIdentity(identity.issuer, identity.subject);
    const refuse = async (refused: DirectoryRefusal, detail: Record<string, unknown>): Promise<DirectorySignInResult> => {
      const userId = existing?.id ?? null;
      let sessionsEnded = 0;
      if (userId && refused !== 'deactivated') sessionsEnded = await this.deps.sessions.deleteSessionsOf(userId);
      await audit.write({
        actorUserId: null,
        action: 'auth.sso_refused',
        subjectType: 'app_user',
        subjectId: userId,
        detail: {
          reason: refused,
          issuer: identity.issuer,
          subject: identity.subject,
          ...detail,
          ...(sessionsEnded ? { sessionsEnded } : {}),
        },
      });
      logger.warn('directory sign-in refused', { reason: refused, userId });
      return { ok: false, refused, userId };
    };

    if (existing && !existing.isActive) return refuse('deactivated', {});
    const groups = groupsFromClaims(identity.claims, this.mapping.groupsClaim);
    const access = mapDirectoryGroups(groups, this.mapping);
    // Group names are the directory's, not personal data; they say why in the audit log. A user may be
    // in hundreds of groups with long names: the row keeps the count and a bounded sample.
    const auditedGroups = { groupCount: groups.length, groups: groups.slice(0, 20).map((g) => g.slice(0, 200)) };
    if ('refused' in access) return refuse(access.refused, { ...auditedGroups, roles: access.roles });

    let wardIds: string[] = [];
    if (access.role !== 'it_admin') {
      const found = await users.wardIdsByName(access.wardNames);
      const unknown = access.wardNames.filter((name) => !found.has(name));
      if (unknown.length > 0) logger.warn('OIDC_WARD_MAP names wards Attune does not have; ignored', { wards: unknown });
      wardIds = [...found.values()].sort();
      if (wardIds.length === 0) return refuse('no_ward', { ...auditedGroups, role: access.role, unknownWards: unknown.slice(0, 20) });
    }

    const profile = profileFromClaims(identity.claims);
    if (existing) {
      await users.updateFromDirectory(existing.id, { displayName: profile.displayName, role: access.role, wardIds, signedInAt: now });
      const user = (await users.findByIdentity(identity.issuer, identity.subject))!;
      if (existing.role !== access.role || existing.wardIds.join() !== wardIds.join()) {
        await audit.write({
          actorUserId: null,
          action: 'user.directory_update',
          subjectType: 'app_user',
          subjectId: existing.id,
          detail: { from: { role: existing.role, wardIds: existing.wardIds }, to: { role: access.role, wardIds } },
        });
      }
      return { ok: true, user, created: false };
    }
    const { user, created } = await users.createFromDirectory({
      issuer: identity.issuer,
      subject: identity.subject,
      username: profile.username,
      displayName: profile.displayName,
      role: access.role,
      wardIds,
      signedInAt: now,
    });
    if (created) {
      await audit.write({
        actorUserId: null,
        action: 'user.directory_create',
        subjectType: 'app_user',
        subjectId: user.id,
        detail: { username: user.username, role: access.role, wardIds },
      });
    }
    return { ok: true, user, created };
  }

  /** A directory sign-in that failed on the way (the flow cookie, the directory's error, the code exchange): audited. */
  async failed(reason: string): Promise<void> {
    await this.deps.audit.write({
      actorUserId: null,
      action: 'auth.login_failed',
      subjectType: 'app_user',
      subjectId: null,
      detail: { method: 'oidc', reason },
    });
  }

  /** After the session started: the sign-in is audited (`firstSignIn` when the user was just created). */
  async signedIn(userId: string, created: boolean): Promise<void> {
    await this.deps.audit.write({
      actorUserId: userId,
      action: 'auth.login',
      subjectType: 'app_user',
      subjectId: userId,
      detail: { method: 'oidc', ...(created ? { firstSignIn: true } : {}) },
    });
  }
}

/**
 * Username and display name for a new directory user: `preferred_username` (else the local part
 * of `email`, else the subject), lower-case and limited to letters, digits, dot, dash and
 * underscore; the repository makes it unique. Display name from `name`, else given + family name.
 */
export function profileFromClaims(claims: Record<string, unknown>): { username: string; displayName: string } {
  const text = (key: string) => {
    const value = Object.hasOwn(claims, key) ? claims[key] : undefined;
    return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
  };
  const email = text('email');
  const raw = text('preferred_username') ?? (email ? email.split('@')[0]! : null) ?? text('sub') ?? 'user';
  // Entra ID's preferred_username is an e-mail address (UPN): keep only the part before the @.
  const local = raw.includes('@') ? raw.split('@')[0]! : raw;
  // Decompose first (so 'é' keeps its 'e' and 'ℌ' becomes 'H'), then lower-case, then keep what the rule allows.
  const fromDirectory = local
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '')
    .slice(0, 48);
  // Nothing usable left (a name in another script, '.-x'): a stable name from the identity, never a shared 'user-N'.
  const username = USERNAME_PATTERN.test(fromDirectory)
    ? fromDirectory
    : `u-${createHash('sha256')
        .update(`${text('iss') ?? ''}|${text('sub') ?? raw}`)
        .digest('hex')
        .slice(0, 10)}`;
  const named = text('name') ?? [text('given_name'), text('family_name')].filter(Boolean).join(' ');
  return { username, displayName: (named || username).slice(0, 100) };
}

/** Single sign-on as the composition root wires it; null when it is not configured. */
export interface SingleSignOn {
  client: DirectoryClient;
  signIn: DirectorySignIn;
  /** Key for the flow cookie's HMAC (derived from the client secret, so every instance and restart agrees). */
  flowCookieKey: Buffer;
}

/**
 * Single sign-on from the configuration, or null when OIDC_ISSUER is not set (loadConfig
 * has already checked that issuer, client id, secret and PUBLIC_URL come together).
 */
export function singleSignOnFromConfig(
  config: Pick<
    Config,
    | 'OIDC_ISSUER'
    | 'OIDC_CLIENT_ID'
    | 'OIDC_CLIENT_SECRET'
    | 'OIDC_GROUPS_CLAIM'
    | 'OIDC_ROLE_MAP'
    | 'OIDC_WARD_MAP'
    | 'OIDC_SILENT_SIGN_IN'
    | 'PUBLIC_URL'
  >,
  deps: { db: Database; audit: AuditRepository; logger: Logger },
): SingleSignOn | null {
  const { OIDC_ISSUER: issuer, OIDC_CLIENT_ID: clientId, OIDC_CLIENT_SECRET: clientSecret, PUBLIC_URL: publicUrl } = config;
  if (!issuer || !clientId || !clientSecret || !publicUrl) return null;
  const logger = deps.logger.child({ component: 'single-sign-on' });
  const client = new DirectoryClient({
    issuer,
    clientId,
    clientSecret,
    redirectUri: `${publicUrl}/api/auth/oidc/callback`,
    promptLogin: !config.OIDC_SILENT_SIGN_IN,
    logger,
  });
  const signIn = new DirectorySignIn(
    { users: new DirectoryUserRepository(deps.db), sessions: new UserRepository(deps.db), audit: deps.audit, logger },
    { groupsClaim: config.OIDC_GROUPS_CLAIM, roleMap: config.OIDC_ROLE_MAP, wardMap: config.OIDC_WARD_MAP },
  );
  const flowCookieKey = createHmac('sha256', clientSecret).update('attune single sign-on flow cookie').digest();
  return { client, signIn, flowCookieKey };
}
