import { ADMIN_EMAIL, NAS_HOURS, NATIONAL_HELPDESK } from './contacts';
import { NAS_REFERENCE_PREFIXES } from '../adapters/nasRequests';
import { OTP_ALPHABET } from '../adapters/oneTimePasscodes';
import { normalise } from './parsing';
import { ownerRequestsStart } from './ownerRequests/read';
import { passwordHelpStart } from './passwordHelp/explainSteps';

/**
 * What to say when someone asks for something the assistant cannot do in this chat yet: a short,
 * useful answer with who to contact and when they are open, instead of "not understood". One
 * line per topic; when a flow for a topic lands, its line is replaced by that flow (its menu
 * entry or its own answers). Questions the guides answer (DSPT, ODS codes, many sites…) are the
 * knowledge base's (dialogs/knowledge, read by dialogs/questions after this table).
 */

export interface Route {
  id: string;
  /** Matched against the normalised text (lower case, single spaces)… */
  pattern?: RegExp;
  /** …or, for a flow that reads its own text, by the flow. */
  matches?: (text: string) => boolean;
  /** A flow that now does this: started where the text says (when no other flow is in progress). */
  flow?: { id: string; start: (text: string) => Record<string, unknown> };
  /** What to say otherwise (in the middle of another flow). */
  answer: () => string;
}

const NAS = `NAS (${ADMIN_EMAIL.care} for care providers, ${ADMIN_EMAIL.dental} for dental practices; ${NAS_HOURS})`;
const HELPDESK = `the national helpdesk (${NATIONAL_HELPDESK.phone} or ${NATIONAL_HELPDESK.email}, ${NATIONAL_HELPDESK.hours})`;

export const ROUTES: readonly Route[] = [
  {
    id: 'thanks',
    pattern: /^(thanks?( you)?( very much| so much| a lot)?|ta|cheers|many thanks|great thanks|lovely|brilliant|perfect|bye|goodbye|see you)( thanks?)?$/,
    answer: () => `You're welcome. If anything else comes up, I'm here, and ${HELPDESK} is always there too.`,
  },
  {
    // Password and account help is a flow: free text that asks for it starts it where it says.
    id: 'passwordHelp',
    matches: (text) => passwordHelpStart(text) !== undefined,
    flow: { id: 'passwordHelp', start: (text) => passwordHelpStart(text) ?? {} },
    answer: () =>
      `For a forgotten password, a locked account, your first login or your mobile number in the directory, say "menu" and choose "Password and account help". Or ask ${HELPDESK}.`,
  },
  {
    // Leavers, new starters and the other owners' requests are a flow: free text that asks for one starts it with what it says.
    id: 'ownerRequests',
    matches: (text) => ownerRequestsStart(text) !== undefined,
    flow: { id: 'ownerRequests', start: (text) => ownerRequestsStart(text) ?? {} },
    answer: () =>
      `For a leaver, a new starter, a joiner or a handover of the shared mailbox, say "menu" and choose "Leavers, new starters and owners". Or contact ${NAS}.`,
  },
  {
    id: 'requestStatus',
    pattern: /\b(status|progress|update|news)\b.*\b(request|registration|application|reference)\b|\bwhere('s| is) (my|our) (request|registration|application)\b|\b(heard nothing|not heard back|haven'?t heard)\b/,
    answer: () =>
      `Tell me the reference and I will check where it is, for example "status of REG-7KD9QX2P" (it starts with REG- for a registration, PWD- for a password reset, and was in my message when the request was made). You are also told in this chat when NAS changes its status; or contact ${NAS}, quoting the reference.`,
  },
  {
    // "Talk to a person": the question is handed to NAS (dialogs/questions); this answer where it cannot be.
    id: 'person',
    pattern: /\b(speak|talk|chat) (to|with) (a |an |some)?(person|human|someone|somebody|real person|agent|adviser|advisor|operator)\b|\b(real|actual) (person|human)\b|\bhuman\b|\bcall (you|someone|somebody)\b|\bphone number\b.*\b(you|nas|helpdesk)\b/,
    answer: () => `You can reach a person at ${NAS}, or at ${HELPDESK}.`,
  },
];

/** A short useful answer for a request that is not built yet, if the text asks for one. */
export function route(text: string): Route | undefined {
  const t = normalise(text);
  if (!t) return undefined;
  return ROUTES.find((r) => (r.matches ? r.matches(text) : r.pattern?.test(t)));
}

/** A NAS reference anywhere in a message, as people type it (any case, a space for the dash). */
const REFERENCE_IN_TEXT = new RegExp(`\\b(${Object.values(NAS_REFERENCE_PREFIXES).join('|')})[\\s-]?([${OTP_ALPHABET}]{8})\\b`, 'i');

/**
 * A message about a NAS request, anywhere in a conversation: one that names its reference ("what
 * is the status of REG-7KD9QX2P?", or an answer to NAS's question: "REG-7KD9QX2P: the town is
 * Leeds"). The bot looks the request up (bot/backOffice/requestDesk.ts). No flow question takes
 * an answer shaped like a reference, so this comes before the flow in progress.
 */
export function requestAsked(text: string): { reference: string; text: string } | undefined {
  const found = REFERENCE_IN_TEXT.exec(text);
  return found ? { reference: `${found[1]!.toUpperCase()}-${found[2]!.toUpperCase()}`, text } : undefined;
}
