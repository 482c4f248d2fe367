/**
 * Everything the service would send: passcode letters and emails, text messages, welcome emails.
 * Nothing real is sent; a real email, letter or SMS provider plugs in behind this interface.
 *
 * What a message says (a passcode, a name) and where it goes are kept only for as long as a
 * delivery provider needs them (the retention, 3 days by default); after that the outbox keeps a
 * redacted record: when, which channel, a masked recipient, the subject and tags.
 */

export type OutboxChannel = 'email' | 'letter' | 'sms';

export interface OutboxMessage {
  id: string;
  channel: OutboxChannel;
  /** Email address, postal address (one line) or E.164 mobile; masked once redacted. */
  recipient: string;
  subject?: string;
  /** The content; REDACTED_BODY once redacted. */
  body: string;
  /** Milliseconds since the epoch. */
  createdAt: number;
  /** What it is about, e.g. { kind: 'otp', odsCode: 'VABC1' } — for tests and operators. Never secret. */
  tags?: Record<string, string>;
  /** Set on the record that is left once the content has gone (after the retention). */
  redacted?: true;
}

export interface Outbox {
  /**
   * Records a message. With the same `dedupeKey` a message is recorded once (a retried turn
   * must not send twice); the first message is returned (its redacted record, past its retention).
   */
  send(message: Omit<OutboxMessage, 'id' | 'createdAt' | 'redacted'>, options?: { dedupeKey?: string }): Promise<OutboxMessage>;
  /** The most recent messages, newest first: whole while retained, redacted records after. */
  latest(limit: number): Promise<OutboxMessage[]>;
}

export const DEFAULT_OUTBOX_RETENTION_MS = 3 * 24 * 60 * 60 * 1000;
export const REDACTED_BODY = '(removed: the content is kept only until it has been delivered)';

/** "j***@example.co.uk", "+44 7*** ***456", "(postal address)": enough to tell messages apart. */
export function maskRecipient(channel: OutboxChannel, recipient: string): string {
  if (channel === 'email') {
    const at = recipient.lastIndexOf('@');
    return at > 0 ? `${recipient[0]}***${recipient.slice(at)}` : '***';
  }
  if (channel === 'sms') {
    const digits = recipient.replace(/\D/g, '');
    return digits.length >= 3 ? `*** ***${digits.slice(-3)}` : '***';
  }
  return '(postal address)';
}

/** What is left of a message after its retention. */
export function redactedRecord(message: OutboxMessage): OutboxMessage {
  const { id, channel, recipient, subject, createdAt, tags } = message;
  return JSON.parse(
    JSON.stringify({ id, channel, recipient: maskRecipient(channel, recipient), subject, body: REDACTED_BODY, createdAt, tags, redacted: true }),
  ) as OutboxMessage;
}
