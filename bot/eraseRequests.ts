import { ADMIN_EMAIL, NATIONAL_HELPDESK } from '../dialogs/contacts';
import { normalise } from '../dialogs/parsing';
import type { Reply } from '../dialogs/types';

/**
 * "Delete my data": said anywhere in a conversation, the assistant says what would be deleted
 * and what NAS keeps (and why), and asks once; yes erases the conversation's stored state.
 */

/** How long the question stays open: after that, "yes" is an ordinary answer again. */
export const ERASE_QUESTION_MS = 10 * 60 * 1000;

const ERASE_REQUEST =
  /^(?:please |can you |could you |i want you to |i'd like you to |i would like you to )?(?:delete|erase|remove|forget|wipe|clear)(?: all)?(?: of)? my (?:data|details|information|info|personal data|personal information|answers|conversation)(?: please)?$|^forget (?:me|about me)(?: please)?$|^right to (?:erasure|be forgotten)$/;
const CONFIRM = /^(?:yes|y|yeah|yep|ok|okay|confirm|delete|delete it|yes delete|yes delete it|yes delete my data|yes please|yes please delete it)$/;
const KEEP = /^(?:no|n|nope|keep|keep it|no keep it|no thanks|cancel|dont|don't|do not delete)$/;

export const ERASE_CHOICES = ['Yes, delete my data', 'No, keep it'];

export type EraseStep = 'ask' | 'confirm' | 'keep';

const plain = (text: string) => normalise(text).replace(/[,.!?]/g, '').replace(/\s+/g, ' ').trim();

/** What this message means for erasing, given whether the question is open. */
export function eraseStep(text: string | undefined, questionOpen: boolean): EraseStep | undefined {
  if (text === undefined) return undefined;
  const said = plain(text);
  if (ERASE_REQUEST.test(said)) return 'ask';
  if (!questionOpen) return undefined;
  if (CONFIRM.test(said)) return 'confirm';
  if (KEEP.test(said)) return 'keep';
  return undefined;
}

export const ERASE_QUESTION: Reply = {
  text: [
    'You asked me to delete your data. If you go ahead, I will delete everything I keep about this conversation: your answers so far and where you are in it (a registration you have not finished, for example). This cannot be undone.',
    `Requests already sent to the National Administration Service (NAS), such as a submitted registration with its reference, are not deleted: NAS keeps them for 2 years, to carry them out, answer questions about them and keep a record of changes to NHSmail accounts. To ask NAS about what it holds, email ${ADMIN_EMAIL.care} (care providers) or ${ADMIN_EMAIL.dental} (dental practices).`,
    'Shall I delete your data?',
  ].join('\n'),
  choices: ERASE_CHOICES,
};

export const ERASED: Reply = {
  text: `Done: I have deleted what I kept about this conversation. If you write again, we start afresh. For anything else about NHSmail, the national helpdesk is ${NATIONAL_HELPDESK.email} or ${NATIONAL_HELPDESK.phone}.`,
};

export const KEPT: Reply = { text: 'Nothing was deleted.' };
