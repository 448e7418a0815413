/**
 * The OpenID Connect client for the hospital's directory (openid-client): authorization code flow
 * with PKCE (S256), state and nonce, as a confidential client (client_secret_basic).
 *
 * Discovery is lazy: the server starts while the directory is down, a sign-in then answers 503,
 * and the next sign-in tries again. Sign-ins that arrive while one discovery is under way wait for
 * it rather than start their own, so a directory that is down sees one request at a time. The discovered configuration is kept for the
 * life of the process; openid-client fetches the directory's signing keys again when a token names
 * a key it has not seen, so a key rotation needs no restart.
 */
import * as oidc from 'openid-client';
import type { Logger } from '../platform/logger.ts';

const DISCOVERY_TIMEOUT_S = 5;
/** `profile` and `email` give the name and username; directories add the groups claim to the ID token by their own configuration. */
const SCOPES = 'openid profile email';

export class DirectoryUnavailableError extends Error {}

export interface DirectoryClientOptions {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** `${PUBLIC_URL}/api/auth/oidc/callback`, registered at the directory. */
  redirectUri: string;
  /** Ask for credentials at every sign-in (`prompt=login`) unless the hospital chose silent sign-in. */
  promptLogin: boolean;
  logger: Logger;
}

/** What the browser's flow cookie must remember between start and callback. */
export interface AuthorizationRequest {
  url: URL;
  state: string;
  nonce: string;
  codeVerifier: string;
}

export class DirectoryClient {
  private configuration: oidc.Configuration | null = null;
  private discovering: Promise<oidc.Configuration> | null = null;

  constructor(private readonly options: DirectoryClientOptions) {}

  /** The directory's configuration, discovered on first use (throws DirectoryUnavailableError). */
  async discover(): Promise<oidc.Configuration> {
    if (this.configuration) return this.configuration;
    if (this.discovering) return this.discovering;
    const { issuer, clientId, clientSecret, logger } = this.options;
    const issuerUrl = new URL(issuer);
    // Config allows plain HTTP only on the loopback (a test directory); openid-client refuses it otherwise.
    const execute = issuerUrl.protocol === 'http:' ? [oidc.allowInsecureRequests] : [];
    this.discovering = oidc
      .discovery(issuerUrl, clientId, { client_secret: clientSecret }, oidc.ClientSecretBasic(clientSecret), {
        execute,
        timeout: DISCOVERY_TIMEOUT_S,
      })
      .then(
        (configuration) => {
          this.configuration = configuration;
          logger.info('hospital directory discovered', { issuer });
          return configuration;
        },
        (error: unknown) => {
          const message = error instanceof Error ? error.message : String(error);
          logger.error('hospital directory unreachable (single sign-on answers 503 until it is)', { issuer, error: message });
          throw new DirectoryUnavailableError(`The hospital directory could not be reached: ${message}`);
        },
      )
      .finally(() => {
        this.discovering = null;
      });
    return this.discovering;
  }

  /** A fresh authorization request: where to send the browser and the values to check at the callback. */
  async authorizationRequest(): Promise<AuthorizationRequest> {
    const configuration = await this.discover();
    const codeVerifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(configuration, {
      redirect_uri: this.options.redirectUri,
      scope: SCOPES,
      code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state,
      nonce,
      ...(this.options.promptLogin ? { prompt: 'login' } : {}),
    });
    return { url, state, nonce, codeVerifier };
  }

  /**
   * The callback: checks state, exchanges the code with the PKCE verifier and the client secret,
   * verifies the ID token (signature, issuer, audience, expiry, nonce) and returns its claims.
   * `callbackQuery` is the query string the directory sent the browser back with.
   */
  async redeem(
    callbackQuery: string,
    expected: { state: string; nonce: string; codeVerifier: string },
  ): Promise<{ issuer: string; subject: string; claims: Record<string, unknown> }> {
    const configuration = await this.discover();
    // The URL the directory redirected to, rebuilt from the registered redirect URI (never from Host).
    const currentUrl = new URL(`${this.options.redirectUri}${callbackQuery}`);
    const tokens = await oidc.authorizationCodeGrant(configuration, currentUrl, {
      pkceCodeVerifier: expected.codeVerifier,
      expectedState: expected.state,
      expectedNonce: expected.nonce,
      idTokenExpected: true,
    });
    const claims = tokens.claims();
    if (!claims) throw new Error('The directory returned no ID token');
    return { issuer: claims.iss, subject: claims.sub, claims: { ...claims } };
  }
}
