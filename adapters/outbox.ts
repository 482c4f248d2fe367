/**
 * Everything the service would send: passcode letters and emails, text messages, welcome emails.
 * Nothing real is sent; a real email, letter or SMS provider plugs in behind this interface.
 */

export type OutboxChannel = 'email' | 'letter' | 'sms';

export interface OutboxMessage {
  id: string;
  channel: OutboxChannel;
  /** Email address, postal address (one line) or E.164 mobile. */
  recipient: string;
  subject?: string;
  body: string;
  /** Milliseconds since the epoch. */
  createdAt: number;
  /** What it is about, e.g. { kind: 'otp', odsCode: 'VABC1' } — for tests and operators. */
  tags?: Record<string, string>;
}

export interface Outbox {
  /**
   * Records a message. With the same `dedupeKey` a message is recorded once (a retried turn
   * must not send twice); the first message is returned.
   */
  send(message: Omit<OutboxMessage, 'id' | 'createdAt'>, options?: { dedupeKey?: string }): Promise<OutboxMessage>;
  /** The most recent messages, newest first. */
  latest(limit: number): Promise<OutboxMessage[]>;
}
