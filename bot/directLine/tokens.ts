import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The channel's tokens, signed instead of stored: any instance that shares the signing key (kept
 * in the Direct Line state) can check any token, and a flood of token requests stores nothing.
 *
 *   `<payload>.<signature>`, both base64url; payload = JSON { k: kind, c: conversation id,
 *   u: user id, x: expires at (ms) }; signature = HMAC-SHA256(key, "nhsca-dl1." + payload).
 *
 * Two kinds: `dl`, the Direct Line token the page sends on every call (short-lived, refreshed by
 * Web Chat), and `resume`, kept by the page in localStorage to come back to the same conversation
 * for as long as the bot keeps its state. A resume token is never accepted as a Direct Line token,
 * nor the other way round. A token of a conversation that was ended stops working because the
 * conversation answers `ended`, not because of anything in the token.
 */

export type TokenKind = 'dl' | 'resume';

export interface TokenClaims {
  kind: TokenKind;
  conversationId: string;
  userId: string;
  expiresAt: number;
}

const CONTEXT = 'nhsca-dl1.';
const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
const USER_ID_PATTERN = /^[A-Za-z0-9_.:@-]{1,64}$/;
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{1,512}\.[A-Za-z0-9_-]{43}$/;

export class TokenSigner {
  constructor(
    private readonly key: () => Promise<Buffer>,
    private readonly now: () => number = Date.now,
  ) {}

  async sign(claims: TokenClaims): Promise<string> {
    const payload = Buffer.from(JSON.stringify({ k: claims.kind, c: claims.conversationId, u: claims.userId, x: claims.expiresAt })).toString(
      'base64url',
    );
    return `${payload}.${this.signature(await this.key(), payload).toString('base64url')}`;
  }

  /** The token's claims when it is ours, of this kind and not expired; otherwise undefined. */
  async verify(token: string, kind: TokenKind): Promise<TokenClaims | undefined> {
    if (!TOKEN_PATTERN.test(token)) return undefined;
    const [payload, signature] = token.split('.') as [string, string];
    const expected = this.signature(await this.key(), payload);
    const given = Buffer.from(signature, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    } catch {
      return undefined;
    }
    const { k, c, u, x } = (parsed ?? {}) as Record<string, unknown>;
    if (k !== kind || typeof c !== 'string' || !ID_PATTERN.test(c) || typeof u !== 'string' || !USER_ID_PATTERN.test(u)) return undefined;
    if (typeof x !== 'number' || !(x > this.now())) return undefined;
    return { kind, conversationId: c, userId: u, expiresAt: x };
  }

  private signature(key: Buffer, payload: string): Buffer {
    return createHmac('sha256', key).update(CONTEXT).update(payload).digest();
  }
}
