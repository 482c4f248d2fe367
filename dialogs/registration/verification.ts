import {
  type ChosenOrganisation,
  type RegistrationContext,
  PASSCODE_VALID_DAYS,
  kindOf,
  passcodeChannel,
  switchedToRouteB,
  verificationMethod,
  verificationRoute,
} from '../../machines/registration';
import { NATIONAL_HELPDESK } from '../contacts';
import { normalise, parseChoice, parseYesNo, parseYesNoAnswer } from '../parsing';
import { answer, type Step, validated } from '../step';
import { formatDate, formatDateTime, quote } from '../text';
import * as validate from '../validators';
import { admin, adminWithHours } from './common';
import { FIELDS } from './fields';

/** Part 3, verification (SPEC §1.3). */

const RESEND =
  /^(please )?(send (it |me |us )?(again|another( one)?)|resend( it)?|send (me |us )?(a )?new (one|passcode|code)|new (passcode|code)( please)?|(it|the code|the passcode|the email|the letter) (has not|hasn'?t|never|did not|didn'?t) (come|arrived|turn(ed)? up)|(it'?s |it is )?not (come|arrived|here)( yet)?|never (came|arrived|got it)|(i )?(didn'?t|did not|haven'?t|have not|never) (get|got|had|received?) (it|one|a code|the code|the passcode|the email|the letter)|nothing (came|has come|yet)|no (email|letter|code) (yet|came|has come))$/;
const GOT_IT = /(have|got|received|here'?s?).*(passcode|code|it|letter|email)|^(it('s| has) (come|arrived))|^(it came|arrived|got it|continue)$/;

function cqcDetails(o: ChosenOrganisation | undefined): string {
  if (!o) return '';
  return [`• CQC location ID: ${o.cqcLocationId}`, `• Name: ${quote(o.name)}`, `• Address: ${quote([...o.addressLines, o.town, o.postcode].join(', '))}`].join('\n');
}

const secretName = (c: RegistrationContext) => (verificationMethod(c) === 'cqc-contact-id' ? 'CQC contact ID' : 'one-time passcode');

/** Where a letter goes: the practice's CQC-registered address, as the directory holds it. */
const postalAddress = (o: ChosenOrganisation | undefined) => (o ? quote([...o.addressLines, o.town, o.postcode].join(', ')) : 'its CQC-registered address');

/**
 * Route B, said in full where it switches (the practice's passcode goes by post although the user
 * chose the CQC contact ID or email): why, what happens now, how long it takes, and who to ask.
 */
function routeBText(c: RegistrationContext): string {
  const chose = verificationRoute(c.answers) === 'cqc-contact-id' ? 'your CQC contact ID' : 'a passcode by email';
  const o = c.organisation;
  return [
    `A change of route: ${quote(o?.name ?? 'this practice')} registers by Route B. We do not yet hold all of the practice's details, so it cannot verify with ${chose}; it verifies by post instead. What happens:`,
    `1. After the CQC location ID, a one-time passcode is posted to the practice's CQC-registered address: ${postalAddress(o)}. Letters take a few working days; the passcode is valid for ${passcodeDays(c)} days.`,
    '2. When it comes, come back to this chat (your answers are kept) and type it.',
    '3. Then I show you the CQC details we hold for the practice, for you to confirm them.',
    `If that address is not right, contact ${adminWithHours(c)} before going on.`,
  ].join('\n');
}

/** Route B, said again while waiting: short. */
const ROUTE_B_REMINDER =
  'This practice registers by Route B: the passcode comes by post, and once it is checked you confirm the CQC details we hold.';

const where = (p: { channel: string; sentTo: string }) => (p.channel === 'email' ? `by email to ${p.sentTo}` : 'by post to your CQC-registered address');

function awaitingText(c: RegistrationContext): string {
  const sent = c.passcode;
  const lines: string[] = [];
  if (switchedToRouteB(c)) lines.push(ROUTE_B_REMINDER);
  if (c.notice?.kind === 'passcodeSentAgain' && sent) {
    lines.push(`Done: a new passcode was sent ${where(sent)} on ${formatDateTime(sent.issuedAt)}. Any earlier passcode that has not expired still works too.`);
  } else if (sent) {
    const validDays = Math.round((sent.expiresAt - sent.issuedAt) / 86_400_000);
    lines.push(`We have sent a one-time passcode ${where(sent)} (on ${formatDateTime(sent.issuedAt)}). It is valid for ${validDays} days, until ${formatDate(sent.expiresAt)}.`);
  } else {
    lines.push(`A one-time passcode was sent for ${quote(c.organisation?.name ?? 'this organisation')} a few minutes ago, from this chat or another one. Please use that passcode.`);
  }
  lines.push('Come back to this chat when it arrives (your answers so far are saved) and type the passcode, or say "I have my passcode".');
  return lines.join('\n');
}

export const VERIFICATION_STEPS = {
  'verification.cqcLocationId': {
    prompt: (c) => ({
      text: [
        switchedToRouteB(c) && !c.passcode ? routeBText(c) : '',
        `${passcodeChannel(c) && !c.passcode ? 'Before the passcode is sent: ' : ''}What is your CQC location ID? It starts with 1- followed by 9 to 11 digits, such as 1-1002733005.`,
      ]
        .filter(Boolean)
        .join('\n'),
    }),
    parse: (text) => validated(validate.cqcLocationId(text), (id) => answer('cqcLocationId', id)),
    hint: 'Please type your CQC location ID, such as 1-1002733005.',
    help: () => FIELDS.cqcLocationId.whereToFind,
    field: FIELDS.cqcLocationId,
    previous: (c) => c.cqcLocationId,
  },
  'verification.cannotSendPasscode': {
    prompt: (c) => ({
      text: `Sorry, the passcode could not be sent just now. Please try again in a few minutes (say "back", then give the CQC location ID again), or contact ${adminWithHours(c)}.`,
      choices: ['Back', 'Menu'],
    }),
    hint: 'Say "back" to try again.',
  },
  'verification.awaitingPasscode': {
    prompt: (c) => ({ text: awaitingText(c), choices: ['I have my passcode', 'Send it again'] }),
    parse: (text) => {
      const t = normalise(text);
      if (RESEND.test(t)) return { type: 'RESEND' };
      // Anything that reads as a passcode is the passcode ("Q4QN 29MM").
      const code = validate.oneTimePasscodeIn(text);
      if (code.ok) return answer('passcode', code.value);
      if (parseYesNo(text) || GOT_IT.test(t)) return { type: 'CONTINUE' };
      const location = validate.cqcLocationId(text);
      return location.ok ? answer('cqcLocationId', location.value) : undefined;
    },
    hint: 'Type the passcode when it has arrived, or say "send it again".',
    help: (c) =>
      c.passcode?.channel === 'post'
        ? `The letter goes to your CQC-registered address and takes a few working days. If it has not come after a week, say "send it again" (a letter can be sent once a day), or contact ${admin(c)}.`
        : `Emails usually arrive within minutes (check junk mail too). If nothing comes, say "send it again", or contact ${admin(c)}.`,
    field: FIELDS.passcode,
  },
  'verification.contactId': {
    prompt: () => ({ text: "What is your CQC contact ID (the registered manager's ID)? It looks like CON1-123456789." }),
    parse: (text) => validated(validate.cqcContactId(text), (id) => answer('contactId', id)),
    hint: 'Please type the CQC contact ID, such as CON1-123456789.',
    help: () => FIELDS.contactId.whereToFind,
    field: FIELDS.contactId,
  },
  'verification.passcode': {
    prompt: (c) => ({
      text: 'What is your one-time passcode? It has 8 letters and digits.',
      ...(c.passcode ? { choices: ['Send it again'] } : {}),
    }),
    parse: (text, c) => {
      if (c.passcode && RESEND.test(normalise(text))) return { type: 'RESEND' };
      return validated(validate.oneTimePasscodeIn(text), (code) => answer('passcode', code));
    },
    hint: 'Please type the 8-character passcode from your email or letter.',
    help: (c) => `The passcode is in the email or letter we sent. Passcodes never use 0, O, 1 or I. If yours has expired or never came, ${admin(c)} can help.`,
    field: FIELDS.passcode,
  },
  'verification.passcodeExpired': {
    prompt: (c) => ({
      text: `That passcode expired on ${c.expiredAt ? formatDate(c.expiredAt) : 'an earlier date'}. Shall we send you a new one?`,
      choices: newPasscodeChoices(c),
    }),
    parse: (text, c) => {
      const options = [
        { value: 'email', label: 'By email', synonyms: ['email', 'e-mail'] },
        { value: 'post', label: 'By post', synonyms: ['post', 'letter'] },
        { value: 'no', label: 'No', synonyms: ['no thanks', 'not now'] },
      ] as const;
      const choice = parseChoice(text, options.filter((o) => newPasscodeChoices(c).includes(o.label)));
      if (choice) return answer('newPasscode', choice);
      const yes = parseYesNo(text);
      if (yes === false) return answer('newPasscode', 'no');
      if (yes === true) return answer('newPasscode', c.passcode?.channel ?? passcodeChannel(c) ?? 'post');
      return undefined;
    },
    hint: 'Please choose how to receive a new passcode, or No.',
  },
  'verification.passcodeNotRenewed': {
    prompt: (c) => ({ text: `No new passcode has been sent. When you are ready, say "back" to ask for one, or contact ${adminWithHours(c)}.`, choices: ['Back', 'Menu'] }),
    hint: 'Say "back" to ask for a new passcode.',
  },
  'verification.locked': {
    prompt: (c) => {
      const until = c.lockedUntil ? formatDateTime(c.lockedUntil) : 'this time tomorrow';
      return {
        text: [
          `Those details could not be verified, and after 5 attempts in 24 hours verification of ${quote(c.organisation?.name ?? 'this organisation')} is locked until ${until}, to keep it safe. Nothing you have entered is lost. What to do next:`,
          `• Check the CQC location ID (on your CQC registration certificate, or your location's page at www.cqc.org.uk) and the ${secretName(c)}${verificationMethod(c) === 'otp' ? ' (in the email or letter; passcodes never use 0, O, 1 or I)' : " (on the registered manager's CQC certificate)"}.`,
          `• After ${until}, come back to this chat and say "try again".`,
          `• If you are sure the details are right, contact ${adminWithHours(c)}, quoting the ODS code ${c.organisation?.odsCode ?? ''}: they can check what is held for your organisation. The national helpdesk is there too: ${NATIONAL_HELPDESK.phone}, ${NATIONAL_HELPDESK.hours}.`,
        ].join('\n'),
        choices: ['Try again', 'Menu'],
      };
    },
    parse: (text) => (/^(try again|retry|try it again|again|unlock|is it unlocked|can i try again|continue|carry on)( now| please)?$/.test(normalise(text)) ? { type: 'CONTINUE' } : undefined),
    hint: `Say "try again" once verification is unlocked, or "menu" to see what else I can do.`,
    noBack: (c) => `Verification is locked for this organisation until ${c.lockedUntil ? formatDateTime(c.lockedUntil) : 'tomorrow'}, so there is nothing to go back to.`,
  },
  'verification.confirmCqcDetails': {
    prompt: (c) => ({ text: `Are these your CQC registration details?\n${cqcDetails(c.organisation)}`, choices: ['Yes', 'No'] }),
    parse: (text) => {
      const yes = parseYesNoAnswer(text);
      return yes === undefined ? undefined : answer('cqcDetailsCorrect', yes);
    },
    hint: 'Please answer yes or no.',
    noBack: 'Your passcode and CQC location ID have been checked, so there is no going back to them; please say whether these details are yours.',
  },
  'verification.cqcDetailsRejected': {
    prompt: (c) => ({
      text: `Please check the CQC location ID and passcode you entered (say "back" to see the details again), or contact ${adminWithHours(c)}, who will help.`,
      choices: ['Back', 'Start again', 'Menu'],
    }),
    hint: 'Say "back" to see the details again, or "start again".',
  },
} satisfies Record<string, Step<RegistrationContext>>;

function newPasscodeChoices(c: RegistrationContext): string[] {
  return passcodeChannel(c) === 'post' && (c.organisation?.kind === 'dental' && c.organisation.fullDetailsHeld === false) ? ['By post', 'No'] : ['By email', 'By post', 'No'];
}

/** Why a verification step is asked again. */
export function verificationProblem(c: RegistrationContext): string | undefined {
  switch (c.problem) {
    case 'notVerified': {
      const left =
        c.failuresLeft === undefined ? '' : ` You have ${c.failuresLeft} ${c.failuresLeft === 1 ? 'attempt' : 'attempts'} left in the next 24 hours.`;
      return `These details could not be verified. Please check your CQC location ID and ${secretName(c)}, and try again.${left}`;
    }
    case 'stillLocked':
      return `Verification is still locked, until ${c.lockedUntil ? formatDateTime(c.lockedUntil) : 'later'}. Please try again after that.`;
    case 'cqcLocationIdFirst':
      return 'Thank you. Before the passcode I need your CQC location ID; then please type the passcode again.';
    case 'passcodeTooSoon': {
      const next = c.nextPasscodeAt ? formatDateTime(c.nextPasscodeAt) : 'later';
      if (c.passcode?.channel === 'post') {
        return `No new letter was sent: one was posted on ${formatDateTime(c.passcode.issuedAt)}, and a letter can be sent once a day, so the next can go from ${next}. Letters take a few working days to arrive, so it may still be on its way. If it has not come after a week, contact ${admin(c)}.`;
      }
      return `No new passcode was sent: one was sent ${c.passcode ? `on ${formatDateTime(c.passcode.issuedAt)}` : 'a few minutes ago'}, and another can be sent from ${next}. Emails can take a few minutes, so please check again first (including junk mail).`;
    }
    case 'passcodeDailyLimit':
      return `No new passcode was sent: 3 passcodes have already been sent for this organisation in the last 24 hours. Another can be sent from ${c.nextPasscodeAt ? formatDateTime(c.nextPasscodeAt) : 'tomorrow'}; any of them that has not expired still works. If none has come, contact ${admin(c)}.`;
    default:
      return undefined;
  }
}

/** The passcode's validity for the kind of organisation, in days. */
export const passcodeDays = (c: RegistrationContext) => PASSCODE_VALID_DAYS[kindOf(c)];
