import { describe, expect, it } from 'vitest';
import { loadConfig } from '../platform/config.ts';
import { safeNextPath } from '../routes/oidc.routes.ts';
import { groupsFromClaims, mapDirectoryGroups, profileFromClaims } from './directory-sign-in.ts';

const roleMap = { nurses: 'nurse', charge: 'charge_nurse', it: 'it_admin' } as const;
const wardMap = { nurses: 'Ward 7B', ward9: 'Ward 9' };

describe('directory groups to role and wards', () => {
  it('refuses groups that grant no role', () => {
    expect(mapDirectoryGroups(['ward9', 'canteen'], { roleMap, wardMap })).toEqual({ refused: 'no_role', roles: [] });
    expect(mapDirectoryGroups([], { roleMap, wardMap })).toMatchObject({ refused: 'no_role' });
  });

  it('prefers charge_nurse over nurse and collects the wards of every group', () => {
    expect(mapDirectoryGroups(['nurses', 'charge', 'ward9'], { roleMap, wardMap })).toEqual({
      role: 'charge_nurse',
      wardNames: ['Ward 7B', 'Ward 9'],
    });
  });

  it('refuses it_admin mixed with a clinical role, and gives it_admin no wards', () => {
    expect(mapDirectoryGroups(['it', 'nurses'], { roleMap, wardMap })).toEqual({ refused: 'role_conflict', roles: ['it_admin', 'nurse'] });
    expect(mapDirectoryGroups(['it', 'ward9'], { roleMap, wardMap })).toEqual({ role: 'it_admin', wardNames: [] });
  });

  it('ignores prototype keys as group names', () => {
    expect(mapDirectoryGroups(['__proto__', 'constructor', 'toString'], { roleMap, wardMap })).toMatchObject({ refused: 'no_role' });
  });

  it('reads the groups claim as a string or an array of strings, anything else as none', () => {
    expect(groupsFromClaims({ groups: 'nurses' }, 'groups')).toEqual(['nurses']);
    expect(groupsFromClaims({ groups: ['a', 3, 'b'] }, 'groups')).toEqual(['a', 'b']);
    expect(groupsFromClaims({ groups: { a: 1 } }, 'groups')).toEqual([]);
    expect(groupsFromClaims({ roles: ['a'] }, 'groups')).toEqual([]);
  });
});

describe('profile of a new directory user', () => {
  it('takes the username from preferred_username (an e-mail address keeps its local part), else email, else sub', () => {
    expect(profileFromClaims({ preferred_username: 'Nina.Nurse@Hospital.example', name: 'Nina Nurse' })).toEqual({
      username: 'nina.nurse',
      displayName: 'Nina Nurse',
    });
    expect(profileFromClaims({ email: 'carl@hospital.example', given_name: 'Carl', family_name: 'Charge' })).toEqual({
      username: 'carl',
      displayName: 'Carl Charge',
    });
    expect(profileFromClaims({ sub: 'José Ñ' }).username).toBe('josen');
    // Decomposed before lower-casing: the capital letter survives as a letter.
    expect(profileFromClaims({ preferred_username: 'ℌans' }).username).toBe('hans');
    // Nothing usable left: a stable name from the identity, different for different people (never a shared 'user-N').
    const a = profileFromClaims({ iss: 'https://idp', sub: 's-1', preferred_username: '张伟@h.cn' }).username;
    const b = profileFromClaims({ iss: 'https://idp', sub: 's-2', preferred_username: '李娜@h.cn' }).username;
    expect(a).toMatch(/^u-[0-9a-f]{10}$/);
    expect(b).toMatch(/^u-[0-9a-f]{10}$/);
    expect(a).not.toBe(b);
    expect(profileFromClaims({ iss: 'https://idp', sub: 's-1', preferred_username: '@@@' }).username).toBe(a);
    expect(profileFromClaims({ preferred_username: '.-x' }).username).toMatch(/^u-[0-9a-f]{10}$/);
  });
});

describe('the return path after sign-in', () => {
  it('keeps a path on this origin', () => {
    expect(safeNextPath('/wards/abc?x=1#b')).toBe('/wards/abc?x=1#b');
    expect(safeNextPath(undefined)).toBe('/');
  });

  it('turns anything that leaves the origin, or loops back to sign-in or the API, into /', () => {
    for (const next of [
      '//evil.example',
      '/\\evil.example',
      'https://evil.example/',
      'javascript:alert(1)',
      'evil',
      '/\t/evil.example',
      '/login',
      '/api/auth/me',
    ]) {
      expect(safeNextPath(next), next).toBe('/');
    }
  });
});

describe('single sign-on configuration', () => {
  const base = {
    OIDC_ISSUER: 'https://login.hospital.example/realms/staff',
    OIDC_CLIENT_ID: 'attune',
    OIDC_CLIENT_SECRET: 'secret',
    PUBLIC_URL: 'https://attune.hospital.example',
    OIDC_ROLE_MAP: '{"attune-nurses":"nurse"}',
  };
  const problem = (env: Record<string, string>) => {
    try {
      loadConfig(env);
      return null;
    } catch (error) {
      return (error as Error).message;
    }
  };

  it('accepts a complete configuration and parses the maps', () => {
    const config = loadConfig({ ...base, OIDC_WARD_MAP: '{"attune-nurses":"Ward 7B"}' });
    expect(config.OIDC_ROLE_MAP).toEqual({ 'attune-nurses': 'nurse' });
    expect(config.OIDC_WARD_MAP).toEqual({ 'attune-nurses': 'Ward 7B' });
    expect(loadConfig({}).OIDC_ROLE_MAP).toEqual({});
  });

  it('refuses a partial configuration, naming the missing variable', () => {
    expect(problem({ ...base, OIDC_CLIENT_SECRET: '' })).toMatch(/OIDC_CLIENT_SECRET/);
    const { OIDC_CLIENT_ID: _id, ...withoutId } = base;
    expect(problem(withoutId)).toMatch(/OIDC_CLIENT_ID: .*together/);
    expect(problem({ OIDC_ROLE_MAP: '{"a":"nurse"}' })).toMatch(/OIDC_ISSUER: .*not configured/);
  });

  it('needs PUBLIC_URL for the redirect URI, HTTPS to the directory (except the loopback), and a role map', () => {
    const { PUBLIC_URL: _p, ...withoutPublicUrl } = base;
    expect(problem(withoutPublicUrl)).toMatch(/PUBLIC_URL: .*redirect URI/);
    expect(problem({ ...base, OIDC_ISSUER: 'http://login.hospital.example' })).toMatch(/OIDC_ISSUER: .*https/);
    expect(problem({ ...base, OIDC_ISSUER: 'http://127.0.0.1:8080' })).toBeNull();
    expect(problem({ ...base, OIDC_ROLE_MAP: '{}' })).toMatch(/OIDC_ROLE_MAP: .*no directory group/);
  });

  it('refuses maps that are not JSON objects of strings, or roles Attune does not have', () => {
    expect(problem({ ...base, OIDC_ROLE_MAP: 'nurses=nurse' })).toMatch(/OIDC_ROLE_MAP: must be a JSON object/);
    expect(problem({ ...base, OIDC_ROLE_MAP: '["nurse"]' })).toMatch(/OIDC_ROLE_MAP: must be a JSON object/);
    expect(problem({ ...base, OIDC_ROLE_MAP: '{"g":"doctor"}' })).toMatch(/OIDC_ROLE_MAP: .*"doctor", which is not a role/);
    expect(problem({ ...base, OIDC_WARD_MAP: '{"g":7}' })).toMatch(/OIDC_WARD_MAP: .*non-empty string/);
  });
});
