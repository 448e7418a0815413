/**
 * A real OpenID Connect provider for the single sign-on tests: the `oidc-provider` package with its
 * development login form (any password; the login names the account) and consent page, a
 * confidential client with PKCE required, and the groups claim in the ID token as Entra ID and a
 * Keycloak group mapper put it there. Accounts are looked up at every sign-in, so a test may change
 * a person's groups between sign-ins as a directory administrator would.
 */
import { createServer, type RequestListener, type Server } from 'node:http';
// @ts-expect-error -- oidc-provider ships no type declarations; the little used here is typed below.
import Provider from 'oidc-provider';
import { freePort } from './free-port.ts';
import { startTestSystem, type Backend, type TestSystem } from './system.ts';

export interface DirectoryPerson {
  name: string;
  preferred_username?: string;
  email?: string;
  groups?: string[] | string;
}

/** What these tests use of oidc-provider's configuration (its docs/README.md has the whole of it). */
interface ProviderConfiguration {
  clients: Record<string, unknown>[];
  pkce: { required: () => boolean };
  conformIdTokenClaims: boolean;
  claims: Record<string, string[]>;
  findAccount: (ctx: unknown, sub: string) => { accountId: string; claims: () => Record<string, unknown> } | undefined;
  features: Record<string, { enabled: boolean }>;
  cookies: { keys: string[] };
  ttl: Record<string, number>;
}
const OidcProvider = Provider as new (issuer: string, configuration: ProviderConfiguration) => { callback(): RequestListener };

export const TEST_CLIENT_ID = 'attune-dashboard';
export const TEST_CLIENT_SECRET = 'test-client-secret-of-some-length-0123456789';

export interface TestDirectory {
  issuer: string;
  stop(): Promise<void>;
}

/**
 * Starts the directory on 127.0.0.1:`port` with one client whose only redirect URI is
 * `redirectUri`. `host` names it in the issuer (127.0.0.1 or localhost: a browser test uses the
 * other one for Attune, so the redirect back is cross-site as it is in a hospital).
 */
export async function startTestDirectory(options: {
  port: number;
  redirectUri: string;
  accounts: Record<string, DirectoryPerson>;
  host?: '127.0.0.1' | 'localhost';
}): Promise<TestDirectory> {
  const issuer = `http://${options.host ?? '127.0.0.1'}:${options.port}`;
  const { accounts } = options;
  const provider = new OidcProvider(issuer, {
    clients: [
      {
        client_id: TEST_CLIENT_ID,
        client_secret: TEST_CLIENT_SECRET,
        redirect_uris: [options.redirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    pkce: { required: () => true },
    // Groups in the ID token, as Entra ID and a Keycloak group mapper put them there.
    conformIdTokenClaims: false,
    claims: { openid: ['sub'], profile: ['name', 'preferred_username', 'groups'], email: ['email'] },
    findAccount: (_ctx, sub) => (Object.hasOwn(accounts, sub) ? { accountId: sub, claims: () => ({ sub, ...accounts[sub] }) } : undefined),
    features: { devInteractions: { enabled: true } },
    cookies: { keys: ['test-directory-cookie-key-0123456789'] },
    ttl: { Interaction: 600, Session: 600, Grant: 600, AccessToken: 600, IdToken: 600, AuthorizationCode: 60 },
  });
  const server: Server = createServer(provider.callback());
  await new Promise<void>((resolve) => server.listen(options.port, '127.0.0.1', resolve));
  return {
    issuer,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Attune configured for single sign-on against a test directory that is not started yet. */
export interface SsoTestSystem {
  system: TestSystem;
  /** Attune's address as browsers reach it (its PUBLIC_URL). */
  publicUrl: string;
  /** Starts the directory on the port Attune expects it on, with Attune's callback as the only redirect URI. */
  startDirectory(accounts: Record<string, DirectoryPerson>): Promise<TestDirectory>;
}

/**
 * Starts Attune with OIDC_* pointing at a directory on 127.0.0.1. PUBLIC_URL and the issuer are read
 * at start, so both ports are chosen first. `attuneHost` localhost puts Attune on another site than
 * the directory, as in a hospital.
 */
export async function startSsoTestSystem(options: {
  attuneHost: '127.0.0.1' | 'localhost';
  roleMap: Record<string, string>;
  wardMap: Record<string, string>;
  backend?: Backend;
}): Promise<SsoTestSystem> {
  const attunePort = await freePort();
  const directoryPort = await freePort();
  const publicUrl = `http://${options.attuneHost}:${attunePort}`;
  const system = await startTestSystem({
    backend: options.backend,
    env: {
      PORT: String(attunePort),
      PUBLIC_URL: publicUrl,
      OIDC_ISSUER: `http://127.0.0.1:${directoryPort}`,
      OIDC_CLIENT_ID: TEST_CLIENT_ID,
      OIDC_CLIENT_SECRET: TEST_CLIENT_SECRET,
      OIDC_ROLE_MAP: JSON.stringify(options.roleMap),
      OIDC_WARD_MAP: JSON.stringify(options.wardMap),
    },
  });
  return {
    system,
    publicUrl,
    startDirectory: (accounts) => startTestDirectory({ port: directoryPort, redirectUri: `${publicUrl}/api/auth/oidc/callback`, accounts }),
  };
}
