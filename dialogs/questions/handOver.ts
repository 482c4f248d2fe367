/**
 * Handing a question to a person (SPEC §4): what goes to NAS — the question, why it came to a
 * person, where the conversation was and its recent turns, all without personal data — and what
 * the user is told: the reference, who is there now (NAS's hours against the clock and the
 * bank-holiday calendar, and the helpdesk that never closes) and that the answer comes back here.
 */
import type { QuestionRequestDetails } from '../../adapters/nasRequests';
import type { Availability } from '../../machines/contactHours';
import { describeHelpdesk, describeNas } from '../contactHours';
import { ADMIN_EMAIL, type AdminKind } from '../contacts';
import { bold } from '../text';
import type { QuestionMemory } from './memory';

/** A question to hand over, as the dialog reads it; the bot submits it (bot/handOver.ts). */
export interface HandOver {
  details: QuestionRequestDetails;
  /** The NAS team that answers it: the kind's, or careadmin when the kind is not known. */
  queue: AdminKind;
}

export function handOverOf(input: {
  question: string;
  reason: QuestionRequestDetails['reason'];
  memory: QuestionMemory;
  kind?: AdminKind;
  where?: string;
}): HandOver {
  const question = input.question.trim() || '(no question typed: the person asked to talk to someone)';
  const summary = `Question: “${question.length > 80 ? `${question.slice(0, 79)}…` : question}”`;
  return {
    details: {
      summary,
      question,
      reason: input.reason,
      recentTurns: input.memory.turns.map((t) => ({ ...t })),
      ...(input.where ? { where: input.where } : {}),
      ...(input.kind ? { organisationKind: input.kind } : {}),
    },
    queue: input.kind ?? 'care',
  };
}

const WHY: Record<QuestionRequestDetails['reason'], string> = {
  asked: 'I have passed your question to a person',
  notUnderstood: 'I could not find an answer to that, so I have passed your question to a person',
  notHelpful: 'My answers did not help, so I have passed your question to a person',
};

/** What the user is told once the request is made: its reference and who is there now. */
export function handedOverText(input: { reference: string; reason: QuestionRequestDetails['reason']; availability: Availability; kind?: AdminKind; repeated?: boolean }): string {
  const team = input.kind ? ADMIN_EMAIL[input.kind] : ADMIN_EMAIL.care;
  const first = input.repeated
    ? `I passed this question to the National Administration Service (NAS) earlier: the reference is ${bold(input.reference)}.`
    : `${WHY[input.reason]} at the National Administration Service (NAS, ${team}), with our recent messages and without your personal details. The reference is ${bold(input.reference)}.`;
  const nas = describeNas(input.availability, input.kind ?? 'care');
  const reply = input.availability.nas.open ? 'They will answer you in this chat as soon as they can.' : 'They will answer you in this chat once they are back.';
  return [first, `${nas} ${reply}`, `If it cannot wait: ${describeHelpdesk().replace(/^The/, 'the')}`].join('\n');
}

/** When the request could not be made: who to contact instead, and whether they are there now. */
export function handOverFailedText(availability: Availability, kind?: AdminKind): string {
  return [
    'Sorry, I could not pass your question on just now. Please try again in a minute, or contact a person yourself:',
    describeNas(availability, kind ?? 'care'),
    describeHelpdesk(),
  ].join('\n');
}

/** "Talk to a person" with no question yet: what to ask them. */
export const ASK_FOR_QUESTION = [
  'I can pass your question to a person at the National Administration Service (NAS), with our recent messages but without your personal details, and they will answer you in this chat. What would you like to ask them? Type it in one message.',
  `If you would rather speak to someone: ${describeHelpdesk().replace(/^The/, 'the')}`,
].join('\n');
