import { MAILBOX_TOWN_MAX_LETTERS, MIN_MEMBERS, MAX_MEMBERS, type RegistrationContext, mailboxAddressOf, sameTown, townLetters } from '../../machines/registration';
import { REQUEST_KEPT_FOR } from '../contacts';
import { parseContinue, parseYesNo } from '../parsing';
import { answer, type Step, validated } from '../step';
import { address, quote } from '../text';
import type { FlowParse } from '../types';
import * as validate from '../validators';
import { AFTER_VERIFICATION } from './common';
import { FIELDS } from './fields';

/** Part 4, the town and the shared mailbox address (SPEC §1.4). */

function townAnswer(question: 'town' | 'townConfirm', text: string) {
  // "Leeds please", "it's Leeds": the town alone.
  const inner = validate.townName(validate.core(text));
  const town = inner.ok ? inner : validate.townName(text);
  if (!town.ok) return { invalid: town.error };
  const letters = validate.mailboxTown(town.value);
  if (!letters.ok) return { invalid: letters.error };
  return answer(question, town.value);
}

/** The town typed again after it was taken (people expect to confirm it): said kindly, nothing changes. */
function sameTownAgain(text: string, c: RegistrationContext): FlowParse {
  const typed = validate.townName(validate.core(text));
  if (!typed.ok || !c.town || !sameTown(typed.value, c.town)) return undefined;
  return { say: `Thank you: ${quote(c.town)} is already taken as your town, so there is no need to type it again.` };
}

/** Before anyone's details are given: what is kept, for whom and for how long. */
export const PRIVACY_NOTICE = [
  'Before you add people, what happens to their details: their names, email addresses, mobile numbers and roles go to the National Administration Service (NAS) to create their NHSmail accounts.',
  `NAS keeps the request for ${REQUEST_KEPT_FOR}. This chat keeps your answers only while you register, and they are deleted automatically once the chat has not been used for a while.`,
].join(' ');

export const TOWN_STEPS = {
  'town.town': {
    prompt: (c) => ({
      text: `${quote(c.organisation?.name ?? 'Your organisation')} is verified. What is its postcode town (the town in its postal address)?${c.organisation?.town ? ` Our records give ${quote(c.organisation.town)}: choose it, or type the town if it is another.` : ''}`,
      ...(c.organisation?.town ? { choices: [c.organisation.town] } : {}),
    }),
    parse: (text) => townAnswer('town', text),
    hint: 'Please type the postcode town, such as Leeds.',
    help: () => 'The postcode town is the town in your postal address. It becomes the first part of your shared mailbox address.',
    field: FIELDS.town,
    previous: (c) => c.town && quote(c.town),
    noBack: AFTER_VERIFICATION,
  },
  'town.townConfirm': {
    prompt: () => ({ text: 'Please type the town again, to confirm it.' }),
    parse: (text) => townAnswer('townConfirm', text),
    hint: 'Please type the same town again.',
    field: FIELDS.town,
  },
  'town.townAbbreviation': {
    prompt: (c) => {
      const proposal = townLetters(c.town ?? '').slice(0, MAILBOX_TOWN_MAX_LETTERS);
      return {
        text: `The town part of a shared mailbox address can have at most ${MAILBOX_TOWN_MAX_LETTERS} letters, and "${quote(c.town ?? '')}" has more. Shall we use "${proposal}"? Say yes, or type your own abbreviation of at most ${MAILBOX_TOWN_MAX_LETTERS} letters.`,
        choices: ['Yes', 'Back'],
      };
    },
    parse: (text, c) => {
      if (parseYesNo(text) === true) return answer('townAbbreviation', townLetters(c.town ?? '').slice(0, MAILBOX_TOWN_MAX_LETTERS));
      const again = sameTownAgain(text, c);
      if (again) return again;
      return validated(validate.townAbbreviation(text), (value) => answer('townAbbreviation', value));
    },
    hint: 'Say yes to use the abbreviation shown, or type one of at most 10 letters.',
    field: FIELDS.townAbbreviation,
  },
  'town.mailboxAddress': {
    prompt: (c) => ({
      text: c.reviewing
        ? `Your shared mailbox address will be:\n${address(mailboxAddressOf(c) ?? '')}\nSay "continue" to go back to the review, or "back" to change the town again.`
        : [
            `Your shared mailbox address will be:\n${address(mailboxAddressOf(c) ?? '')}`,
            `Next, the people who need a new NHSmail account: at least ${MIN_MEMBERS} and at most ${MAX_MEMBERS}. The first person you add is the shared mailbox owner.`,
            'Anyone who already has an NHSmail account must not be added: the owner can give them access to the shared mailbox later.',
            ...(c.members.length === 0 ? [PRIVACY_NOTICE] : []),
          ].join('\n'),
      choices: ['Continue', 'Back'],
    }),
    parse: (text, c) => (parseContinue(text) ? { type: 'CONTINUE' } : sameTownAgain(text, c)),
    hint: 'Say "continue" to add the people who need accounts, or "back" to change the town.',
    help: () =>
      'This will be the address of your organisation\'s shared mailbox, made from the town, the organisation\'s name and its ODS code. It cannot be chosen freely. Say "back" to change the town part, or "continue" to add the people who need accounts.',
  },
} satisfies Record<string, Step<RegistrationContext>>;

export function townProblem(c: RegistrationContext): string | undefined {
  return c.problem === 'townMismatch' ? 'The two towns did not match. Please type the postcode town again.' : undefined;
}
