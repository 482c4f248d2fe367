import type { NasRequest, NasRequestStatus } from '../../adapters/nasRequests';
import type { Notifier } from '../notifier';
import type { TellRequester, Told } from './service';
import { statusMessage } from './statusMessages';

/**
 * Tells the requester, in the conversation that raised the request, that NAS moved it (through
 * bot/notifier.ts: under that conversation's lease, Teams' card updated in place, an email when
 * the chat cannot be reached). Once per change: the idempotency key is the reference and version.
 * A change the requester made themselves (their answer in the chat) is not told back to them.
 */

export const REQUESTER = 'requester';
/** Channels where the status card is updated where it stands (Teams; the web page replaces it). */
const UPDATES_IN_PLACE = ['msteams', 'webchat'];

export function createTellRequester(notifier: Pick<Notifier, 'notify'>): TellRequester {
  return async (request: NasRequest, previous: NasRequestStatus): Promise<Told> => {
    const last = request.history[request.history.length - 1];
    const message = statusMessage(request, previous);
    const { requester } = request;
    const target = {
      conversationReference: requester.conversationReference,
      conversationKey: requester.conversationKey,
      ...(requester.email ? { email: requester.email } : {}),
    };
    const tagged = { text: message.text, card: message.card, updateTag: `status:${request.reference}`, idempotencyKey: `${request.reference}:v${request.version}` };
    if (last?.by === REQUESTER) {
      // The requester answered in their chat, which already thanked them. Where the status card
      // is updated in place, it is brought up to date once that turn is over (this runs inside
      // it, holding the conversation: waiting for it here would never end).
      if (UPDATES_IN_PLACE.includes(requester.channelId)) {
        setImmediate(() => void notifier.notify(target, { ...tagged, repeatPrompt: false }).catch(() => undefined));
      }
      return { how: 'notTold', detail: 'the requester made this change in their chat' };
    }
    const result = await notifier.notify(target, { ...tagged, emailSubject: message.emailSubject });
    switch (result.outcome) {
      case 'delivered':
        return { how: 'chat', detail: result.updated ? `${result.channelId}: the status card was updated` : result.channelId };
      case 'repeated':
        return { how: 'chat', detail: 'told before' };
      case 'emailed':
        return { how: 'email', detail: result.reason };
      default:
        return { how: 'notTold', detail: result.reason };
    }
  };
}
