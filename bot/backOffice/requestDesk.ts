import type { NasRequest } from '../../adapters/nasRequests';
import { clockTime } from '../../dialogs/contactHours';
import { ADMIN_EMAIL } from '../../dialogs/contacts';
import { normalise } from '../../dialogs/parsing';
import type { BackOffice } from './service';
import { statusMessage } from './statusMessages';
import { REQUESTER } from './tellRequester';
import { STATUS_NAMES, summaryOf } from './views';
import { ROUTES } from '../../dialogs/routing';

/**
 * A message that names a NAS reference, in any conversation at any time (dialogs/routing.ts
 * `requestAsked`): "what is the status of REG-…?" is answered from the store; while NAS waits on
 * the requester, anything else said with the reference is their answer, which moves the request
 * back to in progress. Only requests raised in this very conversation are talked about: for any
 * other reference the answer is the same as for one that does not exist, so the chat cannot be
 * used to learn about other people's requests.
 */

export interface RequestQuestion {
  /** Absent: "where is my request?" — the requests made in this conversation. */
  reference?: string;
  /** The whole message. */
  text: string;
  /** What the status card's answer box sent: always an answer. */
  answer?: string;
  conversationKey: string;
  channelId: string;
}

export type RequestDesk = (question: RequestQuestion) => Promise<string>;

const ANSWER_MAX = 2_000;
/** What is left of a message once the reference and the words around a status question are gone. */
const STATUS_WORDS = /\b(what|whats|what's|where|wheres|where's|how|hows|how's|is|are|the|of|my|our|its|it's|status|progress|update|updates|news|any|please|can|could|you|tell|me|check|on|with|about|for|request|registration|reset|application|reference|happening|going|there|yet|so|far|hi|hello|thanks|thank|now|a|an|s)\b/g;

/** Whether a message is asking how the request is doing rather than answering NAS. */
export function asksForStatus(text: string, reference: string): boolean {
  const rest = normalise(text.replace(new RegExp(reference.replace('-', '[\\s-]?'), 'i'), ' '))
    .replace(/[?!.,:;'"“”()]/g, ' ')
    .replace(STATUS_WORDS, ' ')
    .trim();
  return rest.length === 0;
}

/** The answer as NAS will read it: the reference and a leading colon or dash taken off. */
export function answerText(text: string, reference: string): string {
  return text
    .replace(new RegExp(reference.replace('-', '[\\s-]?'), 'i'), ' ')
    .replace(/^[\s:–—,.-]+/, '')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, ANSWER_MAX);
}

const notHere = (reference: string) =>
  `I cannot find a request ${reference} made in this chat. Please check the reference: it was in my message when the request was made. If the request was made somewhere else, contact NAS (${ADMIN_EMAIL.care} for care providers, ${ADMIN_EMAIL.dental} for dental practices), quoting it.`;

const dayAndDate = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', weekday: 'long', day: 'numeric', month: 'long' });
/** "Wednesday 2 December at 3:58pm": times said as everywhere else in the chat. */
const lastChanged = (request: NasRequest) => `${dayAndDate.format(request.updatedAt)} at ${clockTime(request.updatedAt)}`;

/** Where a request stands, as the status message says it, with when it last changed. */
export function statusAnswer(request: NasRequest): string {
  const previous = request.history.length > 1 ? request.history[request.history.length - 2]!.status : request.status;
  const [headline, ...steps] = statusMessage(request, previous).text.split('\n\n');
  return [`${headline} Its status is ${STATUS_NAMES[request.status]}, since ${lastChanged(request)}.`, ...steps].join('\n\n');
}

/** How many of a conversation's requests are told about at once, newest first. */
const MOST_RECENT = 3;

/** The requests made in this conversation, newest first; the routing table's answer when there are none. */
async function requestsOfConversation(desk: BackOffice, conversationKey: string): Promise<string> {
  const mine = await desk.forConversation(conversationKey, MOST_RECENT + 1);
  if (mine.length === 0) return `I cannot find a request made in this chat. ${ROUTES.find((r) => r.id === 'requestStatus')!.answer()}`;
  if (mine.length === 1) return statusAnswer(mine[0]!);
  const lines = mine.slice(0, MOST_RECENT).map((r) => `• ${r.reference}: ${STATUS_NAMES[r.status]}, since ${lastChanged(r)} (${summaryOf(r)})`);
  return [
    `These are the ${mine.length > MOST_RECENT ? `latest ${MOST_RECENT} ` : ''}requests made in this chat:`,
    lines.join('\n'),
    'Tell me a reference (for example "status of ' + mine[0]!.reference + '") to hear more about one.',
  ].join('\n\n');
}

export function createRequestDesk(office: () => BackOffice | undefined): RequestDesk {
  return async ({ reference, text, answer, conversationKey }) => {
    const desk = office();
    if (!reference) return desk ? requestsOfConversation(desk, conversationKey) : ROUTES.find((r) => r.id === 'requestStatus')!.answer();
    if (!desk) return notHere(reference);
    const request = await desk.get(reference);
    if (!request || request.requester.conversationKey !== conversationKey) return notHere(reference);
    if (request.status !== 'waitingForRequester') return statusAnswer(request);
    const given = (answer ?? (asksForStatus(text, reference) ? '' : answerText(text, reference))).trim().slice(0, ANSWER_MAX);
    if (!given) return statusAnswer(request);
    const moved = await desk.changeStatus(reference, { status: 'inProgress', by: REQUESTER, answer: given }, request.version);
    if (moved.outcome !== 'updated') {
      // NAS moved it while the answer was typed: say where it is now.
      const now = moved.outcome === 'notFound' ? undefined : moved.request;
      return now ? statusAnswer(now) : notHere(reference);
    }
    return `Thank you. I have passed your answer to NAS: “${given}”\n\n${reference} is back in progress, and I will tell you here when it moves on.`;
  };
}
