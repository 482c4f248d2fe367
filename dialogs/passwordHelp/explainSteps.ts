/**
 * The steps that explain (SPEC §2): what is happening?, a forgotten password (self-service first),
 * locked out (who unlocks it), first login, a temporary password that never came, an unused
 * account, the password rules and the mobile in the NHS Directory. None asks for a password.
 */
import type { PasswordHelpContext } from '../../machines/passwordHelp';
import type { Reply } from '../types';
import { NATIONAL_HELPDESK } from '../contacts';
import { answer, kindOf, nasNow, whoIsOpen, type FieldInfo, type Step } from './common';
import { isVagueAccountTrouble, looksLikeAddress, nhsmailAddress, readTopic, saysCannotAnswerQuestions, saysDone, saysItWorked, saysRaiseRequest, vouchCode } from './read';
import { adminEmailFor, firstLoginText, inactivityText, mobileInDirectoryText, passwordRulesText, renderHelpText } from './texts';
import { quoteInline } from '../text';

export const TRIAGE_CHOICES = [
  'I forgot my password',
  'My account is locked',
  'First login and activation',
  'My temporary password never came',
  'My account has not been used for a while',
  'Password rules',
  'Show or hide my mobile number',
] as const;
const TRIAGE_TOPICS = ['forgotten', 'locked', 'notActivated', 'temporaryPasswordMissing', 'inactive', 'passwordRules', 'mobileInDirectory'] as const;

const RAISE = 'Raise a reset request';
const DONE = 'Done, thanks';

/** "1" … "7", or the text itself: what is happening. */
function triageAnswer(text: string) {
  const number = /^\s*(\d)\s*\.?\s*$/.exec(text)?.[1];
  const byNumber = number ? TRIAGE_TOPICS[Number(number) - 1] : undefined;
  const topic = byNumber ?? readTopic(text);
  return topic ? answer('topic', topic) : undefined;
}

/** The choices after an explanation: a reset request, finished, or a button of its own. */
function afterExplaining(text: string, extra: (t: string) => ReturnType<typeof triageAnswer> = () => undefined) {
  const t = text.toLowerCase();
  return extra(t) ?? (saysRaiseRequest(t) ? answer('next', 'reset') : saysDone(t) ? answer('next', 'done') : triageAnswer(text));
}

const explained = (text: string, choices: string[]): Reply => ({ text, choices });

export const ADDRESS_FIELD: FieldInfo = {
  name: 'your NHSmail address',
  why: 'Your NHSmail address tells me which account this is about, so that the right people are asked to help: NAS for accounts made through the registration portal or a bulk upload, or the local IT helpdesk of the organisation that hosts your account.',
  whereToFind:
    'It is the address you log in to NHSmail with, ending @nhs.net — usually your first name and last name with a dot between them. It is in the welcome email you were sent when your account was made, and colleagues can find you in the NHS Directory.',
};

export const explainSteps = {
  triage: {
    prompt: () => ({ text: 'What is happening with your NHSmail account?', choices: [...TRIAGE_CHOICES] }),
    parse: (text) => triageAnswer(text),
    hint: 'Choose what fits best, by its button or its number, or tell me in your own words (for example "I forgot my password" or "it says my account is locked").',
    help: () =>
      'Tell me what goes wrong when you try to get into NHSmail, and I will tell you what to do and who can help. I never need your password: never type it here. ' +
      `The national helpdesk is there ${NATIONAL_HELPDESK.hours} on ${NATIONAL_HELPDESK.phone}.`,
    noBack: 'This is the first question of password help.',
  },

  forgotten: {
    prompt: (c) =>
      explained(
        [
          'You can usually reset a forgotten password yourself, straight away:',
          '1. Go to www.nhs.net, choose Login and pick the option for a forgotten password (NHSmail calls it self-service password management).',
          '2. Give your NHSmail address.',
          '3. Answer your security questions (the account secret you set up at your first login).',
          '4. Choose a new password that follows the password rules.',
          'If you cannot answer your security questions, I can raise a password reset request for you: NAS checks that it is you — by a code texted to the mobile on your account, or by your shared mailbox owner — and then texts you a temporary password.',
          whoIsOpen(c),
        ].join('\n'),
        ["I can't answer my security questions", 'That worked', 'Password rules'],
      ),
    parse: (text) => {
      const t = text.toLowerCase();
      if (saysCannotAnswerQuestions(t)) return answer('selfService', 'cannotAnswer');
      if (saysRaiseRequest(t)) return answer('next', 'reset');
      if (saysItWorked(t)) return answer('selfService', 'worked');
      return triageAnswer(text);
    },
    hint: 'Say "I can\'t answer my security questions" and I will raise a reset request, or "that worked" if you are back in.',
    help: () =>
      'Self-service reset needs the answers to the security questions you set at your first login. If you never set them, or cannot remember them, say "I can\'t answer my security questions".',
  },

  'locked.address': {
    prompt: () => ({ text: 'Which NHSmail address is locked? For example jane.smith@nhs.net. I will check who looks after that account.' }),
    parse: (text) => {
      const typed = nhsmailAddress(text);
      if (typed.ok) return answer('address', typed.value);
      if (looksLikeAddress(text)) return { invalid: typed.error };
      return triageAnswer(text);
    },
    hint: 'Please type the NHSmail address that is locked, ending @nhs.net.',
    field: ADDRESS_FIELD,
    help: () => `An account locks after too many wrong passwords. Who unlocks it depends on who made it, which the address tells me. ${ADDRESS_FIELD.whereToFind}`,
    previous: (c) => c.address && quoteInline(c.address),
  },

  'locked.advice': {
    prompt: (c) => {
      const admin = c.administrator;
      if (admin?.kind === 'local') {
        return explained(
          [
            `That account is looked after by ${admin.name}, not by NAS, so its IT helpdesk unlocks it and resets its password. Please contact:`,
            `• ${admin.helpdesk.name}: ${admin.helpdesk.phone}, ${admin.helpdesk.email}`,
            'I cannot raise a reset request with NAS for this account.',
          ].join('\n'),
          [DONE],
        );
      }
      const intro =
        admin?.kind === 'nas'
          ? `That account was made through NHSmail's registration (or a bulk upload), so the National Administration Service unlocks it, at ${adminEmailFor(admin.queue)}.`
          : [
              'Who unlocks an account depends on who made it:',
              `• made through the NHSmail registration portal or a bulk upload (most care providers and dental practices): the National Administration Service, at ${adminEmailFor(undefined)}`,
              '• made by a local NHS organisation (a CCG or CSU): that organisation’s IT helpdesk',
            ].join('\n');
      return explained(
        [intro, 'I can also raise a password reset request for you now: once NAS has checked it is you, it unlocks the account and texts you a temporary password.', whoIsOpen(c)].join('\n'),
        [RAISE, DONE],
      );
    },
    parse: (text) => afterExplaining(text),
    hint: (c) => (c.administrator?.kind === 'local' ? 'Contact the helpdesk above; say "done" when you have what you need.' : 'Say "raise a reset request", or "done".'),
  },

  notActivated: {
    prompt: (c) => explained(renderHelpText(firstLoginText(kindOf(c))), ['My temporary password never came', RAISE, DONE]),
    parse: (text) => afterExplaining(text, (t) => (readTopic(t) === 'temporaryPasswordMissing' ? answer('next', 'temporaryPasswordMissing') : undefined)),
    hint: 'Say "my temporary password never came", "raise a reset request" if it has expired, or "done".',
  },

  temporaryPasswordMissing: {
    prompt: (c) =>
      explained(
        [
          'Your temporary password is sent by text message to the mobile number given for you when your account was asked for. It only works for your first login.',
          '• Look for a text from NHSmail on that phone, including any blocked or filtered messages.',
          '• Check with whoever asked for your account (often your registered manager) which mobile number they gave.',
          'If it never came, the number was wrong or the password has expired, I can raise a reset request: once NAS has checked it is you, it texts you a new temporary password.',
          whoIsOpen(c),
        ].join('\n'),
        [RAISE, DONE],
      ),
    parse: (text) => afterExplaining(text),
    hint: 'Say "raise a reset request", or "done".',
  },

  inactive: {
    prompt: (c) => explained(`${renderHelpText(inactivityText(kindOf(c)))}\nTo use an inactive account again, I can raise a reset request: once NAS has checked it is you, it reactivates the account and texts you a temporary password.`, [RAISE, DONE]),
    parse: (text) => afterExplaining(text),
    hint: 'Say "raise a reset request" to get back into an inactive account, or "done".',
  },

  passwordRules: {
    prompt: () => explained(renderHelpText(passwordRulesText()), ['I forgot my password', DONE]),
    parse: (text) => afterExplaining(text),
    hint: 'Say "done", or tell me what else is happening with your account.',
  },

  mobileInDirectory: {
    prompt: () => explained(renderHelpText(mobileInDirectoryText()), [DONE]),
    parse: (text) => afterExplaining(text),
    hint: 'Say "done", or tell me what else is happening with your account.',
  },
} satisfies Record<string, Step>;

/** Whether text at the menu asks for password help, and where to start (undefined: it does not). */
export function passwordHelpStart(text: string): { topic?: ReturnType<typeof readTopic>; vouchCode?: string } | undefined {
  const topic = readTopic(text);
  // "vouch 7KD9-QX2P-M4TN" from the owner's email: straight to the request it names.
  const code = topic === 'vouch' ? vouchCode(text) : undefined;
  if (code) return { vouchCode: code };
  if (topic) return { topic };
  return isVagueAccountTrouble(text) ? {} : undefined;
}

export { nasNow };
export type { PasswordHelpContext };
