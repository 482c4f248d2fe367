import type { AnyEventObject } from 'xstate';
import {
  ChosenOrganisation,
  MAX_CANDIDATES,
  RegistrationContext,
  passcodeChannel,
  verificationMethod,
} from '../machines/registration';
import { ADMIN_EMAIL, AdminKind, NATIONAL_HELPDESK } from './contacts';
import { normalise, parseChoice, parseYesNo, parseYesNoAnswer } from './parsing';
import { organisationChoiceCard } from './cards';
import { MEMBER_STEPS, Step } from './registrationMembers';
import * as validate from './validators';

/**
 * The registration steps after the pre-requisite checks (SPEC §1.2–1.3): what each step says,
 * how its answers are read, and what to say when a lookup or check fails.
 */

type Parse = AnyEventObject | { invalid: string } | undefined;


const ORGANISATION = 'Step 1 of 4 · Organisation details';
const VERIFICATION = 'Step 2 of 4 · Verification';

const answer = (question: string, value: unknown): AnyEventObject => ({ type: 'ANSWER', answer: { question, value } });

function kindOf(context: RegistrationContext): AdminKind {
  return context.answers.organisationKind === 'dental' ? 'dental' : 'care';
}

function admin(context: RegistrationContext): string {
  return ADMIN_EMAIL[kindOf(context)];
}

function kindWords(context: RegistrationContext): string {
  return kindOf(context) === 'dental' ? 'dental practices' : 'care providers';
}

export function formatDate(ms: number): string {
  return new Date(ms).toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'Europe/London' });
}

function formatDateTime(ms: number): string {
  return new Date(ms).toLocaleString('en-GB', {
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZone: 'Europe/London',
  });
}

function candidateLabel(o: { name: string; odsCode: string }): string {
  return `${o.name} – ${o.odsCode}`;
}

function secretName(context: RegistrationContext): string {
  return verificationMethod(context) === 'cqc-contact-id' ? 'CQC contact ID' : 'one-time passcode';
}

function cqcDetails(o: ChosenOrganisation | undefined): string {
  if (!o) return '';
  return [`• CQC location ID: ${o.cqcLocationId}`, `• Name: ${o.name}`, `• Address: ${[...o.addressLines, o.town, o.postcode].join(', ')}`].join('\n');
}

/** Reads a validator's result as an answer to `question`, or as the validator's message. */
function validated<T>(result: validate.Result<T>, toAnswer: (value: T) => AnyEventObject): Parse {
  return result.ok ? toAnswer(result.value) : { invalid: result.error };
}

export const STEPS: Record<string, Step> = {
  postcode: {
    where: () => ORGANISATION,
    prompt: () => ({
      text: "What is your organisation's postcode? A full postcode (such as LS1 4AP) or just its first part (LS1) will do.",
    }),
    parse: (text) => validated(validate.postcode(text), (p) => answer('postcode', p.postcode)),
    hint: 'Please type a postcode, such as LS1 4AP, or its first part, such as LS1.',
    help: (c) =>
      `I look up the ${kindWords(c)} registered at that postcode so you can pick yours. If yours is not found, ${admin(c)} will help.`,
  },
  chooseOrganisation: {
    where: () => ORGANISATION,
    prompt: (c) => {
      const list = c.candidates ?? [];
      if (list.length > MAX_CANDIDATES) {
        return { text: `There are many ${kindWords(c)} at ${c.postcode}. Please type your ODS code, or your full postcode.` };
      }
      const intro = `These ${kindWords(c)} are registered at ${c.postcode}. Which is yours? Choose it, or type its ODS code.`;
      return { text: intro, choices: list.map(candidateLabel), card: organisationChoiceCard(ORGANISATION, intro, list) };
    },
    parse: (text, c) => {
      const list = (c.candidates ?? []).slice(0, MAX_CANDIDATES);
      const picked = parseChoice(
        text,
        list.map((o) => ({ value: o.odsCode, label: candidateLabel(o), synonyms: [normalise(o.name), o.odsCode.toLowerCase()] })),
      );
      if (picked) return answer('organisation', picked);
      const code = validate.odsCode(text);
      const place = validate.postcode(text);
      if (place.ok && place.value.kind === 'full') return answer('postcode', place.value.postcode);
      if (code.ok) return answer('organisation', code.value);
      return undefined;
    },
    hint: 'Choose your organisation from the list (by its number or name), or type its ODS code.',
    help: () =>
      'Your ODS code is the code NHS England gives your organisation; care sites\' codes usually begin with V. The ODS helpdesk (exeter.helpdesk@nhs.net) can tell you yours.',
  },
  managerEmail: {
    where: () => ORGANISATION,
    prompt: (c) => ({
      text: `What is the registered manager's email address? It must be the one we hold for ${c.organisation?.name}: the passcode will be sent there.`,
    }),
    parse: (text) => validated(validate.email(text, { nhsmailDomains: [] }), (e) => answer('managerEmail', e)),
    hint: "Please type the registered manager's email address, such as manager@example.co.uk.",
    help: (c) => `This is the registered manager's email address held for your organisation. If it has changed, ${admin(c)} can help.`,
  },
  awaitingPasscode: {
    where: () => VERIFICATION,
    prompt: (c) => {
      const sent = c.passcode;
      const how = sent?.channel === 'email' ? `by email to ${sent.sentTo}` : 'by post to your CQC-registered address';
      const days = sent ? Math.round((sent.expiresAt - sent.issuedAt) / 86_400_000) : 0;
      return {
        text: [
          `We have sent a one-time passcode ${how}. It is valid for ${days} days, until ${sent ? formatDate(sent.expiresAt) : ''}.`,
          'Come back to this chat when it arrives (your answers so far are saved) and say "I have my passcode".',
        ].join('\n'),
        choices: ['I have my passcode', 'Send it again'],
      };
    },
    parse: (text) => {
      const t = normalise(text);
      if (/^(send (it )?again|resend|send (me )?(a )?new (one|passcode|code)|it has not come|not arrived)$/.test(t)) return { type: 'RESEND' };
      if (parseYesNo(text) || /(have|got|received).*(passcode|code|it|letter|email)|^(it('s| has) (come|arrived))|^continue$/.test(t)) {
        return { type: 'CONTINUE' };
      }
      const location = validate.cqcLocationId(text);
      return location.ok ? answer('cqcLocationId', location.value) : undefined;
    },
    hint: 'Say "I have my passcode" when it has arrived, or "send it again".',
    help: (c) =>
      `Emails usually arrive within minutes; letters take a few days. If nothing comes, say "send it again", or contact ${admin(c)}.`,
  },
  cqcLocationId: {
    where: () => VERIFICATION,
    prompt: () => ({ text: 'What is your CQC location ID? It starts with 1- followed by 9 to 11 digits, such as 1-1002733005.' }),
    parse: (text) => validated(validate.cqcLocationId(text), (id) => answer('cqcLocationId', id)),
    hint: 'Please type your CQC location ID, such as 1-1002733005.',
    help: () => "Your CQC location ID is on your CQC registration and on your location's page on the CQC website.",
  },
  enterContactId: {
    where: () => VERIFICATION,
    prompt: () => ({ text: "What is your CQC contact ID (the registered manager's ID)? It looks like CON1-123456789." }),
    parse: (text) => validated(validate.cqcContactId(text), (id) => answer('contactId', id)),
    hint: 'Please type the CQC contact ID, such as CON1-123456789.',
    help: () => "The CQC contact ID is printed on the registered manager's CQC certificate.",
  },
  enterPasscode: {
    where: () => VERIFICATION,
    prompt: () => ({ text: 'What is your one-time passcode? It has 8 letters and digits.' }),
    parse: (text) => validated(validate.oneTimePasscode(text), (code) => answer('passcode', code)),
    hint: 'Please type the 8-character passcode from your email or letter.',
    help: (c) =>
      `The passcode is in the email or letter we sent. Passcodes never use 0, O, 1 or I. If yours has expired or never came, ${admin(c)} can help.`,
  },
  passcodeExpired: {
    where: () => VERIFICATION,
    prompt: (c) => ({
      text: `That passcode expired on ${c.expiredAt ? formatDate(c.expiredAt) : 'an earlier date'}. Shall we send you a new one?`,
      choices: passcodeChannel(c) === 'post' || kindOf(c) === 'dental' && c.organisation?.fullDetailsHeld === false ? ['By post', 'No'] : ['By email', 'By post', 'No'],
    }),
    parse: (text, c) => {
      const options = [
        { value: 'email', label: 'By email', synonyms: ['email', 'e-mail'] },
        { value: 'post', label: 'By post', synonyms: ['post', 'letter'] },
        { value: 'no', label: 'No', synonyms: ['no thanks', 'not now'] },
      ] as const;
      const choice = parseChoice(text, options.filter((o) => STEPS.passcodeExpired!.prompt(c).choices!.includes(o.label)));
      if (choice) return answer('newPasscode', choice);
      const yes = parseYesNo(text);
      if (yes === false) return answer('newPasscode', 'no');
      if (yes === true) return answer('newPasscode', passcodeChannel(c) ?? 'post');
      return undefined;
    },
    hint: 'Please choose how to receive a new passcode, or No.',
  },
  confirmCqcDetails: {
    where: () => VERIFICATION,
    prompt: (c) => ({ text: `Are these your CQC registration details?\n${cqcDetails(c.organisation)}`, choices: ['Yes', 'No'] }),
    parse: (text) => {
      const yes = parseYesNoAnswer(text);
      return yes === undefined ? undefined : answer('cqcDetailsCorrect', yes);
    },
    hint: 'Please answer yes or no.',
  },
  ...MEMBER_STEPS,
};

/** Stops after the questionnaire: the reason, and who helps. */
export function stepStopText(state: string, c: RegistrationContext): string | undefined {
  const name = c.organisation?.name ?? 'This organisation';
  switch (state) {
    case 'sharedMailboxExistsStop':
      return `${name} already has an NHSmail shared mailbox, so it cannot be registered again. Its shared mailbox owner can give you access; if you do not know who that is, contact ${admin(c)}.`;
    case 'registrationPendingStop':
      return `A registration for ${name} is already being processed by the National Administration Service, so it cannot be made again. For its progress, contact ${admin(c)} (${'9am to 5pm, Monday to Friday'}).`;
    case 'cannotSendPasscode':
      return `Sorry, the passcode could not be sent just now. Please try again later (say "back" and choose your organisation again), or contact ${admin(c)}.`;
    case 'passcodeNotRenewedStop':
      return `No new passcode has been sent. When you are ready, say "back" to ask for one, or contact ${admin(c)}.`;
    case 'verificationLocked':
      return `Those details could not be verified, and there have been too many attempts for this organisation, so verification is locked until ${c.lockedUntil ? formatDateTime(c.lockedUntil) : 'tomorrow'}. Please contact ${admin(c)} for help (or the national helpdesk, ${NATIONAL_HELPDESK.phone}).`;
    case 'cqcDetailsRejectedStop':
      return `Please check the CQC location ID and passcode you entered (say "back" to see the details again), or contact ${admin(c)}, who will help.`;
    default:
      return undefined;
  }
}

/** Why a step is asked again. */
export function stepProblemText(c: RegistrationContext): string | undefined {
  switch (c.problem) {
    case 'noOrganisationsFound':
      return `I could not find any ${kindWords(c)} registered at ${c.postcode}. Please check the postcode, or try just its first part. If yours is still not found, contact ${admin(c)}, who will help.`;
    case 'tooManyOrganisations':
      return `There are more than ${MAX_CANDIDATES} ${kindWords(c)} at ${c.postcode}.`;
    case 'unknownOrganisation':
      return `No ${kindOf(c) === 'dental' ? 'dental practice' : 'care provider'} has that ODS code. Please choose from the list, or check the code.`;
    case 'otherKindOfOrganisation':
      return `That organisation is not a ${kindOf(c) === 'dental' ? 'dental practice' : 'care provider'}, which is what you said you are registering. Choose another, or say "start again" to change your answer.`;
    case 'managerEmailMismatch':
      return `That email address does not match the registered manager's address we hold for ${c.organisation?.name}. Please check it; if it has changed, contact ${admin(c)}.`;
    case 'notVerified': {
      const left = c.failuresLeft === undefined ? '' : ` You have ${c.failuresLeft} ${c.failuresLeft === 1 ? 'attempt' : 'attempts'} left today.`;
      return `These details could not be verified. Please check your CQC location ID and ${secretName(c)}, and try again.${left}`;
    }
    case 'serviceUnavailable':
      return 'Sorry, I could not check that just now. Please try again in a minute.';
    default:
      return undefined;
  }
}
