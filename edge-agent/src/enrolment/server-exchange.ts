/** `POST /api/enrol` from the bedside machine: a token in, the device identity out, every failure one line. */
import { hostname } from 'node:os';
import { DeviceIdentitySchema, type DeviceIdentity } from '@attune/protocol/api';

export class EnrolmentError extends Error {
  override name = 'EnrolmentError';
}

const TLS_CODES =
  /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|ALTNAME|EPROTO|ERR_SSL|ERR_TLS|HOSTNAME_MISMATCH|DEPTH_ZERO|UNABLE_TO_GET_ISSUER/;

/** The network failure of fetch in words: unreachable, or a TLS certificate this machine does not trust. */
function describeFetchFailure(server: string, err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  const code = cause?.code ?? '';
  const detail = cause?.message ?? (err as Error).message;
  if (TLS_CODES.test(code) || /certificate/i.test(detail)) {
    return `the TLS certificate of ${server} is not trusted by this machine (${code || detail}): install the hospital's CA in the system store, or run with NODE_EXTRA_CA_CERTS=<CA file>, and use the host name the certificate names`;
  }
  if ((err as Error).name === 'TimeoutError') return `cannot reach ${server}: no answer within 15 s`;
  return `cannot reach ${server}: ${code ? `${code} ` : ''}${detail} (check the address and that this machine can reach the server)`;
}

export async function exchangeToken(server: URL, token: string): Promise<DeviceIdentity> {
  let res: Response;
  try {
    res = await fetch(new URL('/api/enrol', server), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token, hostname: safeHostname() }),
      signal: AbortSignal.timeout(15_000),
    });
  } catch (err) {
    throw new EnrolmentError(describeFetchFailure(server.origin, err));
  }
  const text = await res.text();
  let body: unknown = null;
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON: not an Attune server (or a proxy's error page); said below.
  }
  const message = (body as { error?: { message?: string } } | null)?.error?.message;
  if (res.status === 401) throw new EnrolmentError(message ?? 'the enrolment token is not valid: ask IT for a new one');
  if (res.status === 429) throw new EnrolmentError(message ?? 'too many enrolment attempts from this machine: wait a minute');
  if (res.status !== 200) {
    throw new EnrolmentError(`${server.origin} answered ${res.status}${message ? `: ${message}` : ' (is this the Attune server?)'}`);
  }
  const identity = DeviceIdentitySchema.safeParse(body);
  if (!identity.success)
    throw new EnrolmentError(`${server.origin} answered something that is not a device identity (is this the Attune server?)`);
  return identity.data;
}

/** This machine's name for the server's audit log, when it is a plain host name. */
function safeHostname(): string | undefined {
  const name = hostname();
  return /^[A-Za-z0-9][A-Za-z0-9.-]{0,252}$/.test(name) ? name : undefined;
}
