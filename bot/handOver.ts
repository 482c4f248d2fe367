import { createHash } from 'node:crypto';
import type { NasRequests } from '../adapters/nasRequests';
import { londonDay } from '../adapters/serviceEvents';
import { handedOverText, handOverFailedText, type HandOver } from '../dialogs/questions';
import { availability } from '../machines/contactHours';

/**
 * Hands a question to a person (SPEC §4): a NAS request of kind `question` (QST-…) holding the
 * question, why it came to a person, where the conversation was and its recent turns — all
 * already without personal data (dialogs/questions) — and the reply that says its reference and
 * who is there now, from the clock and the bank-holiday calendar. The same question from the same
 * conversation on the same day is one request (asked again, its reference is said again).
 */
export interface HandOverInput {
  handOver: HandOver;
  conversationKey: string;
  channelId: string;
  conversationReference: unknown;
  /** The requester's email, when the channel has said who they are (Teams). */
  email?: string;
}

export type HandOverDesk = (input: HandOverInput) => Promise<string>;

const hash = (text: string) => createHash('sha256').update(text).digest('base64url').slice(0, 16);

export function createHandOverDesk(requests: NasRequests, now: () => number = Date.now): HandOverDesk {
  return async ({ handOver, conversationKey, channelId, conversationReference, email }) => {
    const { details, queue } = handOver;
    const at = now();
    const open = availability(at);
    try {
      const result = await requests.submit({
        kind: 'question',
        details,
        queue,
        idempotencyKey: `question:${conversationKey}:${hash(details.question.toLowerCase())}:${londonDay(at)}`,
        requester: { conversationKey, conversationReference, channelId, ...(email ? { email } : {}) },
      });
      const request = result.outcome === 'conflict' ? result.kept : result.request;
      return handedOverText({
        reference: request.reference,
        reason: details.reason,
        availability: open,
        ...(details.organisationKind ? { kind: details.organisationKind } : {}),
        repeated: result.outcome === 'repeated',
      });
    } catch {
      return handOverFailedText(open, details.organisationKind);
    }
  };
}
