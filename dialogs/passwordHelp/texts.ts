/**
 * What the password help says when asked about the password rules, first login and activation,
 * accounts left unused, and the mobile number in the NHS Directory (SPEC §2). Every figure comes
 * from machines/passwordHelp/rules.ts and every contact from dialogs/contacts.ts, so a rule changed
 * there is said correctly here. The steps follow the guides; the words are the project's own.
 *
 * These explain; none of them asks for a password, and the assistant never does.
 */
import { INACTIVITY_RULES, LEAVER_DELETED_AFTER_DAYS, PASSWORD_RULES, inactivityDates } from '../../machines/passwordHelp/rules';
import { ADMIN_EMAIL, NATIONAL_HELPDESK, type AdminKind } from '../contacts';

export type PasswordHelpTopic = 'passwordRules' | 'firstLogin' | 'inactivity' | 'mobileInDirectory';

export interface HelpText {
  topic: PasswordHelpTopic;
  /** A short heading, also the button label that offers it. */
  title: string;
  /** An opening sentence or two. */
  intro: string;
  /** The points or steps, in order (shown as a list; `numbered` for steps to follow). */
  points: readonly string[];
  numbered: boolean;
  /** What to remember, or where to go next. */
  after: string;
}

/** careadmin@nhs.net, dentistadmin@nhs.net, or both when the kind of organisation is not known. */
export function adminEmailFor(kind: AdminKind | undefined): string {
  return kind ? ADMIN_EMAIL[kind] : `${ADMIN_EMAIL.care} (care providers) or ${ADMIN_EMAIL.dental} (dental practices)`;
}

const NEVER_SHARE = 'Never give your password to anyone — not to NAS, not to the helpdesk and not to me. Nobody genuine will ask for it.';

export function passwordRulesText(): HelpText {
  const r = PASSWORD_RULES;
  return {
    topic: 'passwordRules',
    title: 'Password rules',
    intro: 'An NHSmail password has to:',
    points: [
      `be at least ${r.minLength} characters long`,
      `mix at least ${r.characterKindsNeeded} of these ${r.characterKinds} kinds of character: capital letters, small letters, numbers and symbols (such as ! £ $ % ^ & *)`,
      'leave out your username (the part of your email address before the @)',
      'have no spaces and no commas',
      `be different from each of your last ${r.previousPasswordsRefused} passwords`,
    ],
    numbered: false,
    after:
      `You need to change it at least every ${r.maxAgeDays} days; NHSmail sends you reminder emails before it runs out. ` +
      `Pick something you will remember but others could not guess. ${NEVER_SHARE}`,
  };
}

export function firstLoginText(kind?: AdminKind): HelpText {
  return {
    topic: 'firstLogin',
    title: 'First login and activation',
    intro: 'To start using a new NHSmail account:',
    points: [
      'Find your username in the welcome email. It went to the email address given when your account was asked for.',
      'Find the temporary password in the text message sent to the mobile given for you. It only works for your first login.',
      'Go to www.nhs.net and choose Login. Type your username (@nhs.net is filled in for you), then the temporary password.',
      'Choose a new password that follows the password rules.',
      'Accept the acceptable use policy (AUP).',
      'Set up your security questions (your account secret). They let you reset a forgotten password yourself, so choose answers you will remember.',
      'If you want colleagues to find your mobile number in the NHS Directory, you can choose to show it now. It stays hidden unless you do.',
      'Log in again with your new password: your account is now active.',
    ],
    numbered: true,
    after:
      'Your organisation’s shared mailbox needs no activation and no password of its own: you open it from your personal mailbox. ' +
      `If the text with your temporary password never came, contact the National Administration Service at ${adminEmailFor(kind)} or the national helpdesk on ${NATIONAL_HELPDESK.phone}.`,
  };
}

export function inactivityText(kind?: AdminKind): HelpText {
  const r = INACTIVITY_RULES;
  return {
    topic: 'inactivity',
    title: 'Accounts that are not used',
    intro: 'NHSmail deletes personal accounts that nobody uses:',
    points: [
      `an account that is not signed in to for ${r.inactiveAfterDays} days becomes inactive`,
      `${r.deletedAfterInactiveDays} days after that, it is deleted for good, with its emails`,
      `so sign in at least once every ${r.inactiveAfterDays} days; changing your password when it is due (at least every ${PASSWORD_RULES.maxAgeDays} days) counts, since you sign in to do it`,
    ],
    numbered: false,
    after:
      `If your account has already become inactive, contact the National Administration Service at ${adminEmailFor(kind)} (or your local IT helpdesk, if a CCG or CSU looks after your account) before it is deleted. ` +
      `Shared mailboxes are never deleted for being unused, but open yours often so that referrals and urgent messages are not missed. ` +
      `(A leaver’s account is deleted ${LEAVER_DELETED_AFTER_DAYS} days after it is marked, unless another organisation takes it on.)`,
  };
}

/** For an account the directory says is inactive: when it stopped being used and when it will be deleted. */
export function inactiveAccountSentence(lastSignInOn: string): string {
  const { inactiveOn, deletedOn } = inactivityDates(lastSignInOn);
  return `This account was last used on ${longDate(lastSignInOn)}, became inactive on ${longDate(inactiveOn)} and will be deleted on ${longDate(deletedOn)} unless it is used again before then.`;
}

export function mobileInDirectoryText(): HelpText {
  return {
    topic: 'mobileInDirectory',
    title: 'Your mobile number in the NHS Directory',
    intro:
      'The mobile number on your account is how your temporary password reaches you, and how the helpdesk checks it is really you when you need a password reset. ' +
      'It is hidden from the NHS Directory unless you choose to show it. To show or hide it:',
    points: [
      'Log in to your account at www.nhs.net.',
      'Choose Profile at the top of the page.',
      'Open the My Profile tab, if it is not open already.',
      'Tick “Hide mobile number from address book” to hide your number, or clear the tick to show it.',
    ],
    numbered: true,
    after:
      'Hidden or shown, NAS can still see the number to confirm who you are. Keep it up to date and do not remove it: without it, your shared mailbox owner has to vouch for you before your password can be reset. ' +
      'Shared mailbox owners especially should keep theirs, as NAS calls on them when a colleague needs vouching for.',
  };
}

export function passwordHelpText(topic: PasswordHelpTopic, kind: AdminKind = 'care'): HelpText {
  switch (topic) {
    case 'passwordRules':
      return passwordRulesText();
    case 'firstLogin':
      return firstLoginText(kind);
    case 'inactivity':
      return inactivityText(kind);
    case 'mobileInDirectory':
      return mobileInDirectoryText();
  }
}

/** The text as one message: intro, the points (numbered or bulleted), then the closing paragraph. */
export function renderHelpText(text: HelpText): string {
  const points = text.points.map((p, i) => (text.numbered ? `${i + 1}. ${p}` : `• ${p}`));
  return [text.intro, ...points, text.after].join('\n');
}

const LONG_DATE = new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', day: 'numeric', month: 'long', year: 'numeric' });

function longDate(date: string): string {
  return LONG_DATE.format(Date.parse(`${date}T00:00:00Z`));
}
