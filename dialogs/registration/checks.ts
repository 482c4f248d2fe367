import {
  QUESTION_ORDER,
  type OrganisationKind,
  type OtpDelivery,
  type PrerequisiteAnswers,
  type QuestionId,
  type RegistrationContext,
  PASSCODE_VALID_DAYS,
  kindOf,
  verificationRoute,
} from '../../machines/registration';
import { ADMIN_EMAIL, NATIONAL_HELPDESK, ODS_HELPDESK_EMAIL } from '../contacts';
import { ChoiceOption, parseChoice, parseContinue, parseYesNoAnswer } from '../parsing';
import { answer, type Step } from '../step';
import { FIELDS } from './fields';

/** Part 1, the checks before anything else (SPEC §1.1): one question at a time, and the stops. */

export const KIND_OPTIONS: readonly ChoiceOption<OrganisationKind>[] = [
  {
    value: 'care',
    label: 'Care provider',
    synonyms: ['care', 'care home', 'nursing home', 'residential home', 'home care', 'domiciliary care', 'domiciliary', 'social care', 'care provider organisation', 'carehome'],
  },
  { value: 'dental', label: 'Dental practice', synonyms: ['dental', 'dentist', 'dentists', 'dentistry', 'dental surgery', 'dental practise'] },
  { value: 'hospice', label: 'Hospice', synonyms: ['a hospice'] },
];

const DELIVERY_OPTIONS: readonly ChoiceOption<OtpDelivery>[] = [
  { value: 'email', label: 'Email', synonyms: ['e-mail', 'by email', 'by e-mail', 'send an email', 'email it', 'email please'] },
  { value: 'post', label: 'Post', synonyms: ['by post', 'letter', 'a letter', 'by letter', 'postal', 'post it', 'mail it', 'post please'] },
];

const YES_NO = ['Yes', 'No'];
export const STOP_CHOICES = ['Back', 'Start again', 'Menu'];

const TITLES: Record<QuestionId, string> = {
  organisationKind: 'kind of organisation',
  existingAccount: 'existing NHSmail account',
  toolkit: 'security toolkit',
  otpInHand: 'one-time passcode in hand',
  cqcContactId: 'CQC contact ID',
  otpDelivery: 'how to receive a passcode',
};

const dental = (a: PrerequisiteAnswers) => a.organisationKind === 'dental';
const days = (c: RegistrationContext) => PASSCODE_VALID_DAYS[kindOf(c)];
const yesNo = (value: boolean | undefined) => (value === undefined ? 'not answered' : value ? 'yes' : 'no');

function where(question: QuestionId): string {
  return ` · check ${QUESTION_ORDER.indexOf(question) + 1} of ${QUESTION_ORDER.length}`;
}

/** The answer given to a question, as the user would say it. */
export function displayAnswer(question: QuestionId, answers: PrerequisiteAnswers): string | undefined {
  switch (question) {
    case 'organisationKind':
      return KIND_OPTIONS.find((o) => o.value === answers.organisationKind)?.label;
    case 'otpDelivery':
      return DELIVERY_OPTIONS.find((o) => o.value === answers.otpDelivery)?.label;
    case 'existingAccount':
      return answers.hasNhsmailAccount === undefined ? undefined : yesNo(answers.hasNhsmailAccount);
    case 'toolkit':
      return answers.toolkitPublished === undefined ? undefined : yesNo(answers.toolkitPublished);
    case 'otpInHand':
      return answers.otpInHand === undefined ? undefined : yesNo(answers.otpInHand);
    case 'cqcContactId':
      return answers.knowsCqcContactId === undefined ? undefined : yesNo(answers.knowsCqcContactId);
  }
}

/** What is done and left while in the checks. */
export function checksProgress(question: QuestionId, answers: PrerequisiteAnswers, later: string[]) {
  const at = QUESTION_ORDER.indexOf(question);
  const done = QUESTION_ORDER.slice(0, at).filter((q) => displayAnswer(q, answers) !== undefined);
  return {
    done: done.map((q) => `${TITLES[q]}: ${displayAnswer(q, answers)}`),
    left: [`the remaining checks (from "${TITLES[question]}")`, ...later],
  };
}

function yesNoQuestion(question: Exclude<QuestionId, 'organisationKind' | 'otpDelivery'>, text: (c: RegistrationContext) => string, help: (c: RegistrationContext) => string): Step<RegistrationContext> {
  return {
    where: () => where(question),
    prompt: (c) => ({ text: text(c), choices: YES_NO }),
    parse: (t) => {
      const value = parseYesNoAnswer(t);
      return value === undefined ? undefined : answer(question, value);
    },
    hint: 'Please answer yes or no.',
    help,
    field: FIELDS[question],
    previous: (c) => displayAnswer(question, c.answers),
  };
}

const stop = (text: (c: RegistrationContext) => string): Step<RegistrationContext> => ({
  where: () => ' · this route is not for you',
  prompt: (c) => ({ text: text(c), choices: STOP_CHOICES }),
  hint: 'You can say "back" to change your last answer, "start again", or "menu".',
});

const ROUTE_TEXT = {
  'otp-in-hand': (d: number) => `You will verify with the one-time passcode you have received (it is valid for ${d} days after it was issued).`,
  'cqc-contact-id': () => "You will verify with your CQC contact ID (the registered manager's ID).",
  'otp-by-email': (d: number) =>
    `We will email a one-time passcode to the registered manager's email address we hold for you; you will be asked for that address to check it. The passcode is valid for ${d} days.`,
  'otp-by-post': (d: number) => `We will post a one-time passcode to your CQC-registered address. It is valid for ${d} days, and you can come back to this chat when it arrives.`,
} as const;

function answerSummary(answers: PrerequisiteAnswers): string[] {
  const lines = [
    `• Organisation: ${displayAnswer('organisationKind', answers) ?? 'not answered'}`,
    `• NHSmail account of your own: ${yesNo(answers.hasNhsmailAccount)}`,
    `• ${dental(answers) ? 'IG Toolkit or DSPT submitted' : 'DSPT published'}: ${yesNo(answers.toolkitPublished)}`,
    `• Valid one-time passcode received: ${yesNo(answers.otpInHand)}`,
    `• CQC contact ID known: ${yesNo(answers.knowsCqcContactId)}`,
  ];
  if (!answers.otpInHand && !answers.knowsCqcContactId && answers.otpDelivery) lines.push(`• Passcode to be sent by: ${answers.otpDelivery}`);
  return lines;
}

export const CHECK_STEPS = {
  'checks.organisationKind': {
    where: () => where('organisationKind'),
    prompt: () => ({
      text: 'What kind of organisation are you registering? A care provider is a care home or a home care (domiciliary care) service.',
      choices: KIND_OPTIONS.map((o) => o.label),
    }),
    parse: (text) => {
      const value = parseChoice(text, KIND_OPTIONS);
      return value && answer('organisationKind', value);
    },
    hint: 'Please choose Care provider, Dental practice or Hospice (or type 1, 2 or 3).',
    help: () =>
      'Care homes and home care (domiciliary care) services register as care providers; dental practices have their own route. Hospices join NHSmail another way, so choose Hospice if that is you and I will explain.',
    field: FIELDS.organisationKind,
    previous: (c) => displayAnswer('organisationKind', c.answers),
    noBack: 'This is the first question, so there is nothing to go back to.',
  },
  'checks.hospiceStop': stop(
    () =>
      `Hospices cannot join NHSmail through this registration route. Please use the third-party joining process instead; the national helpdesk (${NATIONAL_HELPDESK.email}, ${NATIONAL_HELPDESK.phone}, ${NATIONAL_HELPDESK.hours}) can point you to it.`,
  ),
  'checks.existingAccount': yesNoQuestion(
    'existingAccount',
    () => 'Do you already have an NHSmail account of your own?',
    (c) => `Each person can have only one NHSmail account. If you already have one (for example from another job in health or care), someone without an account must make the registration. ${ADMIN_EMAIL[kindOf(c)]} can advise.`,
  ),
  'checks.existingAccountStop': stop((c) =>
    [
      'Please do not register: it would give you a second, duplicate NHSmail account.',
      "Once your organisation's shared mailbox exists, its shared mailbox owner can give your existing account access to it.",
      'If your organisation still needs a shared mailbox of its own, the registration must be made by someone who does not have an NHSmail account yet.',
      `Questions? Contact ${ADMIN_EMAIL[kindOf(c)]}.`,
    ].join(' '),
  ),
  'checks.toolkit': yesNoQuestion(
    'toolkit',
    (c) =>
      dental(c.answers)
        ? 'Has your practice submitted an Information Governance Toolkit return (version 14.1, level 2) or a Data Security and Protection Toolkit (DSPT)?'
        : 'Has your organisation published its Data Security and Protection Toolkit (DSPT) at "Approaching Standards" or higher? (The old name for that level was "entry level".)',
    () => `The Data Security and Protection Toolkit (DSPT) is how an organisation shows it handles data safely. The ODS helpdesk (${ODS_HELPDESK_EMAIL}) can tell you whether yours is published.`,
  ),
  'checks.toolkitStop': stop((c) =>
    dental(c.answers)
      ? `A practice can only register once it has submitted an IG Toolkit return (version 14.1, level 2) or a DSPT. Please submit one, then come back and start again. The ODS helpdesk (${ODS_HELPDESK_EMAIL}) answers DSPT questions, and ${ADMIN_EMAIL.dental} can help with the registration itself.`
      : `An organisation can only register once its DSPT is published at "Approaching Standards" or higher. Please complete and publish it, then come back and start again. The ODS helpdesk (${ODS_HELPDESK_EMAIL}) answers DSPT and ODS code questions, and ${ADMIN_EMAIL.care} can help with the registration itself.`,
  ),
  'checks.otpInHand': yesNoQuestion(
    'otpInHand',
    (c) =>
      `Have you received an email or a letter with a one-time passcode that is still valid? ${dental(c.answers) ? 'Dental' : 'Care'} passcodes last ${days(c)} days from when they were issued.`,
    (c) => `A one-time passcode is an 8-character code we send by email or letter to prove you act for the organisation. Say yes only if you have one that was issued in the last ${days(c)} days.`,
  ),
  'checks.cqcContactId': yesNoQuestion(
    'cqcContactId',
    () => "Do you know your CQC contact ID? It is also called the registered manager's ID or manager ID, and it is printed on the registered manager's CQC certificate.",
    () =>
      "The CQC contact ID is the registered manager's ID, shown on the registered manager's CQC certificate; it looks like CON1-123456789. If you cannot find it, say no and we will send a one-time passcode instead.",
  ),
  'checks.otpDelivery': {
    where: () => where('otpDelivery'),
    prompt: (c) => ({
      text: `You will need a one-time passcode to prove you act for the ${dental(c.answers) ? 'practice' : 'organisation'}. Shall we send it by email, to the registered manager's email address we hold, or by post, to your CQC-registered address?`,
      choices: DELIVERY_OPTIONS.map((o) => o.label),
    }),
    parse: (text) => {
      const value = parseChoice(text, DELIVERY_OPTIONS);
      return value && answer('otpDelivery', value);
    },
    hint: 'Please choose Email or Post (or type 1 or 2).',
    help: () => "Email is quickest: the passcode goes to the registered manager's address that we hold. By post, a letter goes to the address registered with the CQC and can take a few days.",
    field: FIELDS.otpDelivery,
    previous: (c) => displayAnswer('otpDelivery', c.answers),
  },
  'checks.passed': {
    where: () => ' · all checks done. Your organisation can use this registration route.',
    prompt: (c) => {
      const route = verificationRoute(c.answers);
      return {
        text: [
          ...answerSummary(c.answers),
          route ? ROUTE_TEXT[route](days(c)) : '',
          'Next come your organisation details, verification, your town and your staff members. Say "continue" when you are ready, or "back" to change an answer.',
        ]
          .filter(Boolean)
          .join('\n'),
        choices: ['Continue', 'Back', 'Start again'],
      };
    },
    parse: (text) => (parseContinue(text) ? { type: 'CONTINUE' } : undefined),
    hint: 'Say "continue" to go on to your organisation details, or "back" to change an answer.',
  },
} satisfies Record<string, Step<RegistrationContext>>;
