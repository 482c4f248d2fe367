import { createHmac, createPublicKey, generateKeyPairSync, KeyObject, randomUUID, sign } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { TokenCredentials } from 'botframework-connector';
import type { ServiceClientCredentialsFactory } from 'botframework-connector';

/**
 * Bot Framework's token checks, offline: RSA keys made here, their OpenID metadata and JWKS
 * served on loopback, and RS256 tokens signed as the Bot Connector signs them.
 */

export const ISSUER = 'https://api.botframework.com';

export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  publicPem: string;
}

export function newKey(): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { kid: randomUUID(), privateKey, publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
}

const b64 = (value: object | Buffer) => (Buffer.isBuffer(value) ? value : Buffer.from(JSON.stringify(value))).toString('base64url');

/** A JWT: RS256 with `key` by default; `alg: 'none'` unsigned; `alg: 'HS256'` with `secret`. */
export function token(payload: Record<string, unknown>, options: { key?: SigningKey; kid?: string; alg?: 'RS256' | 'none' | 'HS256'; secret?: string } = {}): string {
  const alg = options.alg ?? 'RS256';
  const header = { alg, typ: 'JWT', ...(options.kid ?? options.key?.kid ? { kid: options.kid ?? options.key?.kid } : {}) };
  const input = `${b64(header)}.${b64(payload)}`;
  if (alg === 'none') return `${input}.`;
  if (alg === 'HS256') return `${input}.${createHmac('sha256', options.secret ?? '').update(input).digest('base64url')}`;
  return `${input}.${sign('RSA-SHA256', Buffer.from(input), options.key!.privateKey).toString('base64url')}`;
}

/** The claims the Bot Connector puts in a token for `appId` and `serviceUrl`. */
export function claims(appId: string, serviceUrl: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return { iss: ISSUER, aud: appId, serviceurl: serviceUrl, nbf: now - 60, exp: now + 3600, iat: now - 60, ...overrides };
}

export interface OpenIdServer {
  metadataUrl: string;
  /** How many times the metadata and keys were asked for. */
  requests: number;
  close(): Promise<void>;
}

/** Serves /.well-known/openid-configuration and its JWKS with `keys` (endorsed for every channel). */
export async function serveOpenIdMetadata(keys: SigningKey[]): Promise<OpenIdServer> {
  let base = '';
  const served = { requests: 0 } as OpenIdServer;
  const server = http.createServer((req, res) => {
    served.requests++;
    res.setHeader('content-type', 'application/json');
    if (req.url === '/.well-known/openid-configuration') {
      res.end(JSON.stringify({ issuer: ISSUER, jwks_uri: `${base}/keys`, id_token_signing_alg_values_supported: ['RS256'] }));
    } else if (req.url === '/keys') {
      const jwks = keys.map((key) => ({
        ...createPublicKey(key.publicPem).export({ format: 'jwk' }),
        kid: key.kid,
        use: 'sig',
        endorsements: ['msteams', 'emulator', 'webchat', 'directline'],
      }));
      res.end(JSON.stringify({ keys: jwks }));
    } else {
      res.statusCode = 404;
      res.end('{}');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  served.metadataUrl = `${base}/.well-known/openid-configuration`;
  served.close = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return served;
}

/** Outbound calls signed with a fixed token instead of one from Azure AD (nothing leaves loopback). */
export function offlineCredentials(appId: string): ServiceClientCredentialsFactory {
  return {
    isValidAppId: async (id: string) => id === appId,
    isAuthenticationDisabled: async () => false,
    createCredentials: async () => new TokenCredentials('outbound-token-for-tests'),
  } as ServiceClientCredentialsFactory;
}
