/**
 * `attune admin`: user administration on the server machine, for the first IT admin (outside demo
 * mode no user exists until this creates one) and for getting back in when no admin can sign in.
 * It uses the server's own environment (DATABASE_URL, or ATTUNE_DATA_DIR for the embedded PGlite
 * database) and prints a one-time password once; the user must choose their own at the first
 * sign-in. Everything it does is written to audit_log (actor: none, `via: 'cli'`), never a password.
 *
 *   attune admin create --username <name> --role it_admin [--display-name "<name>"] [--ward "<ward name>" ...]
 *   attune admin reset-password --username <name>
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createDatabase, type Database } from '@attune/db';
import { ConfigError, loadConfig, type Config } from '../platform/config.ts';
import { AuditRepository } from '../repositories/audit.repository.ts';
import { ROLES, USERNAME_PATTERN, generateOneTimePassword, normaliseUsername, wardRuleProblem, type Role } from '../domain/users.ts';
import { UsernameTakenError, UserRepository } from '../repositories/user.repository.ts';
import { WardRepository } from '../repositories/ward.repository.ts';
import { hashPassword } from '../security/passwords.ts';
import { acquireDataDirLock, DataDirBusyError, type DataDirLock } from './data-dir-lock.ts';

export const USAGE = `Usage (run on the server machine, with the server's environment):
  attune admin create --username <name> --role <nurse|charge_nurse|it_admin> [--display-name "<full name>"] [--ward "<ward name>" ...]
  attune admin reset-password --username <name>

From the repository root: npm run attune -- admin create --username jdoe --role it_admin
A one-time password is printed once; the user chooses their own at the first sign-in.`;

/** Exit codes: 0 done, 1 refused (exists, not found, invalid), 2 usage or configuration, 3 database held by another process. */
export async function main(argv: string[], out: (line: string) => void = console.log, err: (line: string) => void = console.error) {
  const [group, command, ...rest] = argv;
  if (group !== 'admin' || (command !== 'create' && command !== 'reset-password')) {
    (group === undefined || group === 'help' || group === '--help' ? out : err)(USAGE);
    return group === undefined || group === 'help' || group === '--help' ? 0 : 2;
  }
  let args: { username?: string; role?: string; 'display-name'?: string; ward?: string[] };
  let config: Config;
  try {
    args = parseArgs({
      args: rest,
      options: {
        username: { type: 'string' },
        role: { type: 'string' },
        'display-name': { type: 'string' },
        ward: { type: 'string', multiple: true },
      },
      strict: true,
      allowPositionals: false,
    }).values;
    config = loadConfig();
  } catch (error) {
    err(error instanceof ConfigError ? error.message : `${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    return 2;
  }
  if (!args.username) {
    err(`--username is required\n\n${USAGE}`);
    return 2;
  }
  const username = normaliseUsername(args.username);
  if (!USERNAME_PATTERN.test(username)) {
    err(`Invalid username "${args.username}": 2 to 63 characters, a-z, 0-9, '.', '_' or '-', starting with a letter or digit.`);
    return 1;
  }

  let opened: { db: Database; lock: DataDirLock | null };
  try {
    opened = await openDatabase(config);
  } catch (error) {
    if (error instanceof DataDirBusyError) {
      err(
        `${error.message}\n` +
          'With the embedded database, stop the Attune server, run this command, then start the server again. ' +
          '(With PostgreSQL, DATABASE_URL, this command runs while the server runs.)',
      );
      return 3;
    }
    if (error instanceof ConfigError) {
      err(error.message);
      return 2;
    }
    throw error;
  }
  const { db, lock } = opened;
  try {
    const users = new UserRepository(db);
    const audit = new AuditRepository(db);
    if (command === 'create') return await create({ users, audit, wards: new WardRepository(db) }, username, args, out, err);
    return await resetPassword({ users, audit }, username, out, err);
  } finally {
    await db.close();
    lock?.release();
  }
}

/**
 * The server's database. An embedded one must already exist (a wrong ATTUNE_DATA_DIR would
 * otherwise create an empty database the server never reads) and is locked for the command's run.
 */
async function openDatabase(config: Config): Promise<{ db: Database; lock: DataDirLock | null }> {
  if (config.DATABASE_URL) {
    const db = await createDatabase({ url: config.DATABASE_URL, maxConnections: 1 });
    await db.migrate();
    return { db, lock: null };
  }
  const pgliteDir = join(config.dataDir, 'pglite');
  if (!existsSync(join(pgliteDir, 'PG_VERSION'))) {
    throw new ConfigError(
      `No Attune database at ${pgliteDir}.\n` +
        `Run this command with the server's environment: ATTUNE_DATA_DIR (here "${config.ATTUNE_DATA_DIR}", that is ${config.dataDir}) ` +
        'or DATABASE_URL as the server has them. ' +
        'On a new installation, start the server once so that it creates its database, stop it, then run this command.',
    );
  }
  const lock = acquireDataDirLock(join(config.dataDir, 'pglite.lock'), 'attune admin', pgliteDir);
  try {
    const db = await createDatabase({ pgliteDir });
    await db.migrate();
    return { db, lock };
  } catch (error) {
    lock.release();
    throw error;
  }
}

async function create(
  deps: { users: UserRepository; audit: AuditRepository; wards: WardRepository },
  username: string,
  args: { role?: string; 'display-name'?: string; ward?: string[] },
  out: (line: string) => void,
  err: (line: string) => void,
): Promise<number> {
  if (!args.role || !(ROLES as readonly string[]).includes(args.role)) {
    err(`--role must be one of ${ROLES.join(', ')}\n\n${USAGE}`);
    return 2;
  }
  const role = args.role as Role;
  const displayName = (args['display-name'] ?? username).trim();
  if (displayName.length === 0 || displayName.length > 100) {
    err('--display-name must have 1 to 100 characters');
    return 1;
  }
  const wardIds: string[] = [];
  for (const name of args.ward ?? []) {
    const ward = await deps.wards.findByName(name.trim());
    if (!ward) {
      const known = (await deps.wards.list()).map((w) => `"${w.name}"`);
      err(`No ward named "${name}". Wards: ${known.length > 0 ? known.join(', ') : 'none yet'}.`);
      return 1;
    }
    if (ward.retiredAt) {
      err(`Ward "${ward.name}" is retired: choose a ward in use.`);
      return 1;
    }
    if (!wardIds.includes(ward.id)) wardIds.push(ward.id);
  }
  const problem = wardRuleProblem(role, wardIds);
  if (problem) {
    err(`${problem}${role === 'it_admin' ? ': leave out --ward' : ': add --ward "<ward name>"'}.`);
    return 1;
  }
  const oneTimePassword = generateOneTimePassword();
  let id: string;
  try {
    id = await deps.users.create({ username, displayName, role, passwordHash: await hashPassword(oneTimePassword), wardIds });
  } catch (error) {
    if (error instanceof UsernameTakenError) {
      err(`The username ${username} exists already. To give it a new password: attune admin reset-password --username ${username}`);
      return 1;
    }
    throw error;
  }
  await deps.audit.write({
    actorUserId: null,
    action: 'user.created',
    subjectType: 'app_user',
    subjectId: id,
    detail: { username, role, wardIds, via: 'cli' },
  });
  out(`Created ${role} "${username}" (${displayName}).`);
  printOneTimePassword(username, oneTimePassword, out);
  return 0;
}

async function resetPassword(
  deps: { users: UserRepository; audit: AuditRepository },
  username: string,
  out: (line: string) => void,
  err: (line: string) => void,
): Promise<number> {
  const user = await deps.users.findByUsername(username);
  if (!user) {
    err(`No user named ${username}. To create one: attune admin create --username ${username} --role <role>`);
    return 1;
  }
  // As on the Users page: a directory user gets no Attune password, which the directory would not control.
  if ((await deps.users.findForAdmin(user.id))?.hasDirectoryIdentity && !user.passwordHash) {
    err(`${username} signs in with the hospital account: reset the password in the hospital directory.`);
    return 1;
  }
  const oneTimePassword = generateOneTimePassword();
  await deps.users.setPassword(user.id, await hashPassword(oneTimePassword), true);
  const endedSessions = await deps.users.deleteSessionsOf(user.id);
  await deps.audit.write({
    actorUserId: null,
    action: 'user.password_reset',
    subjectType: 'app_user',
    subjectId: user.id,
    detail: { endedSessions, via: 'cli' },
  });
  out(`New password for ${user.role} "${user.username}" (${user.displayName}); ${endedSessions} session(s) ended.`);
  if (!user.isActive) out(`Note: ${user.username} is deactivated and cannot sign in until an IT admin reactivates them on the Users page.`);
  out(
    'A sign-in lockout on this username (after repeated wrong passwords) lasts until its delay ends (at most 15 minutes) or the server restarts; a reset on the Users page lifts it at once.',
  );
  printOneTimePassword(user.username, oneTimePassword, out);
  return 0;
}

function printOneTimePassword(username: string, oneTimePassword: string, out: (line: string) => void): void {
  out('');
  out(`One-time password (shown only now; hand it to ${username} in person, who must choose a new one at the first sign-in):`);
  out('');
  out(`    ${oneTimePassword}`);
  out('');
}
