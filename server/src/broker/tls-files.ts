/**
 * The PEM files of MQTT over TLS, read once at start. A file that cannot be read, or that holds no
 * usable certificate or key, stops the server with a ConfigError naming the variable, rather than
 * a broker that no device can reach.
 */
import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { ConfigError, type Config } from '../platform/config.ts';
import type { Logger } from '../platform/logger.ts';
import type { BrokerTls } from './embedded-broker.ts';

/** A certificate that expires within this long is warned about at every start. */
const EXPIRY_WARNING_DAYS = 30;

function readPem(variable: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new ConfigError(`Invalid configuration:\n  ${variable}: cannot read ${path}: ${(error as Error).message}`);
  }
}

/** The first certificate of a PEM file (the leaf of a chain), or a ConfigError naming the variable. */
function firstCertificate(variable: string, path: string, pem: Buffer): X509Certificate {
  try {
    return new X509Certificate(pem);
  } catch (error) {
    throw new ConfigError(`Invalid configuration:\n  ${variable}: ${path} holds no PEM certificate: ${(error as Error).message}`);
  }
}

/** The embedded broker's mqtts listener from MQTT_TLS_CERT / MQTT_TLS_KEY, or null when they are unset. */
export function readBrokerTls(config: Config, logger: Logger): BrokerTls | null {
  if (!config.MQTT_TLS_CERT || !config.MQTT_TLS_KEY) return null;
  const cert = readPem('MQTT_TLS_CERT', config.MQTT_TLS_CERT);
  const key = readPem('MQTT_TLS_KEY', config.MQTT_TLS_KEY);
  const leaf = firstCertificate('MQTT_TLS_CERT', config.MQTT_TLS_CERT, cert);
  try {
    // Fails on a malformed key, an encrypted key, or a key that does not belong to the certificate.
    createSecureContext({ cert, key, minVersion: 'TLSv1.2' });
  } catch (error) {
    throw new ConfigError(
      `Invalid configuration:\n  MQTT_TLS_KEY: ${config.MQTT_TLS_KEY} is not the unencrypted private key of ${config.MQTT_TLS_CERT}: ${(error as Error).message}`,
    );
  }
  const expiresAt = new Date(leaf.validTo);
  const daysLeft = (expiresAt.getTime() - Date.now()) / 86_400_000;
  if (daysLeft <= 0) {
    logger.error('the MQTT TLS certificate has expired: devices connecting over mqtts will refuse the broker', {
      file: config.MQTT_TLS_CERT,
      expiresAt: expiresAt.toISOString(),
    });
  } else if (daysLeft < EXPIRY_WARNING_DAYS) {
    logger.warn('the MQTT TLS certificate expires soon: replace the files and restart', {
      file: config.MQTT_TLS_CERT,
      expiresAt: expiresAt.toISOString(),
    });
  }
  return { port: config.MQTT_TLS_PORT, cert, key };
}

/** The CA the server's own MQTT client trusts for an mqtts:// MQTT_URL (MQTT_TLS_CA), or undefined: the system's CAs. */
export function readTrustedCa(config: Config): Buffer | undefined {
  if (!config.MQTT_TLS_CA) return undefined;
  const ca = readPem('MQTT_TLS_CA', config.MQTT_TLS_CA);
  firstCertificate('MQTT_TLS_CA', config.MQTT_TLS_CA, ca);
  return ca;
}

/**
 * The CA enrolled agents are given to trust the broker's certificate (POST /api/enrol): DEVICE_MQTT_CA,
 * else MQTT_TLS_CA (the CA the server itself trusts for Mosquitto), else the embedded broker's
 * MQTT_TLS_CERT when it is self-signed (it is then its own CA). Null: agents trust the system's CAs.
 */
export function readDeviceCa(config: Config): string | null {
  const variable = config.DEVICE_MQTT_CA ? 'DEVICE_MQTT_CA' : config.MQTT_TLS_CA ? 'MQTT_TLS_CA' : null;
  if (variable) {
    const path = config[variable]!;
    const pem = readPem(variable, path);
    firstCertificate(variable, path, pem);
    return pem.toString('utf8');
  }
  if (!config.MQTT_TLS_CERT) return null;
  const pem = readPem('MQTT_TLS_CERT', config.MQTT_TLS_CERT);
  const leaf = firstCertificate('MQTT_TLS_CERT', config.MQTT_TLS_CERT, pem);
  // Self-signed: it names itself as issuer and its own key verifies it (a CA's certificate would be trusted already).
  return leaf.issuer === leaf.subject && leaf.verify(leaf.publicKey) ? leaf.toString() : null;
}
