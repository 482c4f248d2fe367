import type { AnyMachineSnapshot } from 'xstate';
import {
  Answer,
  OrganisationKind,
  OtpDelivery,
  PrerequisiteAnswers,
  QuestionId,
  RegistrationContext,
  verificationRoute,
} from '../machines/registration';
import { ADMIN_EMAIL, AdminKind, NATIONAL_HELPDESK, ODS_HELPDESK_EMAIL, OTP_VALID_DAYS } from './contacts';
import { ChoiceOption, normalise, parseChoice, parseYesNo, parseYesNoAnswer } from './parsing';
import { parseRegistrationCard } from './registrationCards';
import { memberProblemText } from './registrationMembers';
import { STEPS, stepProblemText, stepStopText } from './registrationSteps';
import type { FlowDialog, Reply } from './types';

const KIND_OPTIONS: readonly ChoiceOption<OrganisationKind>[] = [
  {
    value: 'care',
    label: 'Care provider',
    synonyms: ['care', 'care home', 'nursing home', 'residential home', 'home care', 'domiciliary care', 'domiciliary', 'social care', 'care provider organisation'],
  },
  { value: 'dental', label: 'Dental practice', synonyms: ['dental', 'dentist', 'dentists', 'dentistry', 'dental surgery'] },
  { value: 'hospice', label: 'Hospice', synonyms: ['a hospice'] },
];

const DELIVERY_OPTIONS: readonly ChoiceOption<OtpDelivery>[] = [
  { value: 'email', label: 'Email', synonyms: ['e-mail', 'by email', 'by e-mail', 'send an email', 'email it'] },
  { value: 'post', label: 'Post', synonyms: ['by post', 'letter', 'a letter', 'by letter', 'postal', 'post it', 'mail it'] },
];

const YES_NO = ['Yes', 'No'];
const STEP_CHOICES = ['Back', 'Start again', 'Menu'];

const QUESTION_ORDER: readonly QuestionId[] = [
  'organisationKind',
  'existingAccount',
  'toolkit',
  'otpInHand',
  'cqcContactId',
  'otpDelivery',
];

const QUESTION_TITLES: Record<QuestionId, string> = {
  organisationKind: 'kind of organisation',
  existingAccount: 'existing NHSmail account',
  toolkit: 'security toolkit',
  otpInHand: 'one-time passcode in hand',
  cqcContactId: 'CQC contact ID',
  otpDelivery: 'how to receive a passcode',
};

function contextOf(snapshot: AnyMachineSnapshot): RegistrationContext {
  return snapshot.context as RegistrationContext;
}

function stateOf(snapshot: AnyMachineSnapshot): string {
  return String(snapshot.value);
}

/** Care wording unless the user said they are a dental practice. */
function adminKind(answers: PrerequisiteAnswers): AdminKind {
  return answers.organisationKind === 'dental' ? 'dental' : 'care';
}

function where(question: QuestionId): string {
  return `Before you start · check ${QUESTION_ORDER.indexOf(question) + 1} of ${QUESTION_ORDER.length}`;
}

function questionText(question: QuestionId, answers: PrerequisiteAnswers): string {
  const kind = adminKind(answers);
  switch (question) {
    case 'organisationKind':
      return 'What kind of organisation are you registering? A care provider is a care home or a home care (domiciliary care) service.';
    case 'existingAccount':
      return 'Do you already have an NHSmail account of your own?';
    case 'toolkit':
      return kind === 'dental'
        ? 'Has your practice submitted an Information Governance Toolkit return (version 14.1, level 2) or a Data Security and Protection Toolkit (DSPT)?'
        : 'Has your organisation published its Data Security and Protection Toolkit (DSPT) at "Approaching Standards" or higher? (The old name for that level was "entry level".)';
    case 'otpInHand':
      return `Have you received an email or a letter with a one-time passcode that is still valid? ${kind === 'dental' ? 'Dental' : 'Care'} passcodes last ${OTP_VALID_DAYS[kind]} days from when they were issued.`;
    case 'cqcContactId':
      return "Do you know your CQC contact ID? It is also called the registered manager's ID or manager ID, and it is printed on the registered manager's CQC certificate.";
    case 'otpDelivery':
      return `You will need a one-time passcode to prove you act for the ${kind === 'dental' ? 'practice' : 'organisation'}. Shall we send it by email, to the registered manager's email address we hold, or by post, to your CQC-registered address?`;
  }
}

function choicesFor(question: QuestionId): string[] {
  if (question === 'organisationKind') return KIND_OPTIONS.map((o) => o.label);
  if (question === 'otpDelivery') return DELIVERY_OPTIONS.map((o) => o.label);
  return YES_NO;
}

function stopText(state: string, answers: PrerequisiteAnswers): string {
  const kind = adminKind(answers);
  switch (state) {
    case 'hospiceStop':
      return `Hospices cannot join NHSmail through this registration route. Please use the third-party joining process instead; the national helpdesk (${NATIONAL_HELPDESK.email}, ${NATIONAL_HELPDESK.phone}, ${NATIONAL_HELPDESK.hours}) can point you to it.`;
    case 'existingAccountStop':
      return [
        'Please do not register: it would give you a second, duplicate NHSmail account.',
        "Once your organisation's shared mailbox exists, its shared mailbox owner can give your existing account access to it.",
        'If your organisation still needs a shared mailbox of its own, the registration must be made by someone who does not have an NHSmail account yet.',
        `Questions? Contact ${ADMIN_EMAIL[kind]}.`,
      ].join(' ');
    case 'toolkitStop':
      return kind === 'dental'
        ? `A practice can only register once it has submitted an IG Toolkit return (version 14.1, level 2) or a DSPT. Please submit one, then come back and start again. The ODS helpdesk (${ODS_HELPDESK_EMAIL}) answers DSPT questions, and ${ADMIN_EMAIL.dental} can help with the registration itself.`
        : `An organisation can only register once its DSPT is published at "Approaching Standards" or higher. Please complete and publish it, then come back and start again. The ODS helpdesk (${ODS_HELPDESK_EMAIL}) answers DSPT and ODS code questions, and ${ADMIN_EMAIL.care} can help with the registration itself.`;
    default:
      return '';
  }
}

const ROUTE_TEXT = {
  'otp-in-hand': (days: number) =>
    `You will verify with the one-time passcode you have received (it is valid for ${days} days after it was issued).`,
  'cqc-contact-id': () => "You will verify with your CQC contact ID (the registered manager's ID).",
  'otp-by-email': (days: number) =>
    `We will email a one-time passcode to the registered manager's email address we hold for you; you will be asked for that address to check it. The passcode is valid for ${days} days.`,
  'otp-by-post': (days: number) =>
    `We will post a one-time passcode to your CQC-registered address. It is valid for ${days} days, and you can come back to this chat when it arrives.`,
} as const;

function yesNo(value: boolean | undefined): string {
  return value === undefined ? 'not answered' : value ? 'yes' : 'no';
}

function answerSummary(answers: PrerequisiteAnswers): string[] {
  const kindLabel = KIND_OPTIONS.find((o) => o.value === answers.organisationKind)?.label ?? 'not answered';
  const lines = [
    `• Organisation: ${kindLabel}`,
    `• NHSmail account of your own: ${yesNo(answers.hasNhsmailAccount)}`,
    `• ${answers.organisationKind === 'dental' ? 'IG Toolkit or DSPT submitted' : 'DSPT published'}: ${yesNo(answers.toolkitPublished)}`,
    `• Valid one-time passcode received: ${yesNo(answers.otpInHand)}`,
    `• CQC contact ID known: ${yesNo(answers.knowsCqcContactId)}`,
  ];
  if (!answers.otpInHand && !answers.knowsCqcContactId && answers.otpDelivery) {
    lines.push(`• Passcode to be sent by: ${answers.otpDelivery}`);
  }
  return lines;
}

function summaryText(answers: PrerequisiteAnswers): string {
  const route = verificationRoute(answers);
  const days = OTP_VALID_DAYS[adminKind(answers)];
  return [
    'Before you start · all checks done. Your organisation can use this registration route.',
    ...answerSummary(answers),
    route ? ROUTE_TEXT[route](days) : '',
    'Next come your organisation details, verification, your town and your staff members. Say "continue" when you are ready, or "back" to change an answer.',
  ]
    .filter(Boolean)
    .join('\n');
}

function parseAnswer(question: QuestionId, text: string): Answer | undefined {
  if (question === 'organisationKind') {
    const value = parseChoice(text, KIND_OPTIONS);
    return value && { question, value };
  }
  if (question === 'otpDelivery') {
    const value = parseChoice(text, DELIVERY_OPTIONS);
    return value && { question, value };
  }
  const value = parseYesNoAnswer(text);
  return value === undefined ? undefined : { question, value };
}

function isQuestion(state: string): state is QuestionId {
  return (QUESTION_ORDER as readonly string[]).includes(state);
}

function displayAnswer(question: QuestionId, answers: PrerequisiteAnswers): string | undefined {
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

const HELP: Record<QuestionId, (answers: PrerequisiteAnswers) => string> = {
  organisationKind: () =>
    'Care homes and home care (domiciliary care) services register as care providers; dental practices have their own route. Hospices join NHSmail another way, so choose Hospice if that is you and I will explain.',
  existingAccount: (a) =>
    `Each person can have only one NHSmail account. If you already have one (for example from another job in health or care), someone without an account must make the registration. ${ADMIN_EMAIL[adminKind(a)]} can advise.`,
  toolkit: () =>
    `The Data Security and Protection Toolkit (DSPT) is how an organisation shows it handles data safely. The ODS helpdesk (${ODS_HELPDESK_EMAIL}) can tell you whether yours is published.`,
  otpInHand: (a) =>
    `A one-time passcode is an 8-character code we send by email or letter to prove you act for the organisation. Say yes only if you have one that was issued in the last ${OTP_VALID_DAYS[adminKind(a)]} days.`,
  cqcContactId: () =>
    "The CQC contact ID is the registered manager's ID, shown on the registered manager's CQC certificate; it looks like CON1-123456789. If you cannot find it, say no and we will send a one-time passcode instead.",
  otpDelivery: () =>
    'Email is quickest: the passcode goes to the registered manager\'s address that we hold. By post, a letter goes to the address registered with the CQC and can take a few days.',
};

export const registrationDialog: FlowDialog = {
  id: 'registration',
  menuLabel: 'Register my organisation for NHSmail',
  menuSynonyms: ['register', 'registration', 'register my organisation', 'join', 'join nhsmail', 'sign up', 'apply', 'new registration'],
  offer: 'register a care home, home care provider or dental practice for NHSmail (a shared mailbox and 2 to 10 staff accounts)',

  intro: () =>
    'Registering takes about 10 minutes. First, a few quick checks to make sure this is the right route for you.',

  parse(text, snapshot) {
    const state = stateOf(snapshot);
    const step = STEPS[state];
    if (step) return step.parse?.(text, contextOf(snapshot));
    if (state === 'prerequisitesMet') {
      const t = normalise(text);
      return parseYesNo(text) || ['continue', 'next', 'carry on', 'go on', 'ready', "i'm ready", 'i am ready'].includes(t) || t === '1'
        ? { type: 'CONTINUE' }
        : undefined;
    }
    if (!isQuestion(state)) return undefined;
    const answer = parseAnswer(state, text);
    return answer && { type: 'ANSWER', answer };
  },

  problem(snapshot) {
    return stepProblemText(contextOf(snapshot)) ?? memberProblemText(contextOf(snapshot));
  },

  parseCard(value, snapshot) {
    return parseRegistrationCard(value, stateOf(snapshot), contextOf(snapshot));
  },

  prompt(snapshot, form): Reply {
    const state = stateOf(snapshot);
    const context = contextOf(snapshot);
    const { answers } = context;
    const step = STEPS[state];
    if (step) {
      const reply = step.prompt(context, form);
      return { ...reply, text: `${step.where(context)}\n${reply.text}` };
    }
    const stop = stepStopText(state, context);
    if (stop) return { text: stop, choices: STEP_CHOICES };
    if (isQuestion(state)) {
      return { text: `${where(state)}\n${questionText(state, answers)}`, choices: choicesFor(state) };
    }
    if (state === 'prerequisitesMet') return { text: summaryText(answers), choices: ['Continue', ...STEP_CHOICES.slice(0, 2)] };
    return { text: `Before you start · this route is not for you\n${stopText(state, answers)}`, choices: STEP_CHOICES };
  },

  hint(snapshot) {
    const state = stateOf(snapshot);
    const step = STEPS[state];
    if (step) return step.hint;
    if (state === 'prerequisitesMet') return 'Say "continue" to go on to your organisation details, or "back" to change an answer.';
    if (state === 'organisationKind') return 'Please choose Care provider, Dental practice or Hospice (or type 1, 2 or 3).';
    if (state === 'otpDelivery') return 'Please choose Email or Post (or type 1 or 2).';
    if (isQuestion(state)) return 'Please answer yes or no.';
    return 'You can say "back" to change your last answer, "start again", or "menu".';
  },

  help(snapshot) {
    const state = stateOf(snapshot);
    const { answers } = contextOf(snapshot);
    const stepHelp = STEPS[state]?.help?.(contextOf(snapshot));
    if (stepHelp) return stepHelp;
    if (isQuestion(state)) return HELP[state](answers);
    return `You can say "back" to change your last answer, "start again" to answer the checks again, or "menu". For help with NHSmail at any time, the national helpdesk is ${NATIONAL_HELPDESK.email} or ${NATIONAL_HELPDESK.phone}.`;
  },

  previousAnswer(snapshot) {
    const state = stateOf(snapshot);
    return isQuestion(state) ? displayAnswer(state, contextOf(snapshot).answers) : undefined;
  },

  progress(snapshot) {
    const state = stateOf(snapshot);
    const { answers } = contextOf(snapshot);
    const later = ['organisation details', 'verification', 'town and members', 'review and confirm'];
    if (!isQuestion(state)) {
      const context = contextOf(snapshot);
      if (state === 'prerequisitesMet') return { done: ['the checks before you start'], left: later };
      if (context.verifiedBy) {
        return { done: ['the checks before you start', `organisation details (${context.organisation?.name})`, 'verification'], left: later.slice(2) };
      }
      if (context.organisation) {
        return { done: ['the checks before you start', `organisation details (${context.organisation.name})`], left: later.slice(1) };
      }
      return STEPS[state] ? { done: ['the checks before you start'], left: later } : { done: [], left: [] };
    }
    const at = QUESTION_ORDER.indexOf(state);
    const done = QUESTION_ORDER.slice(0, at).filter((q) => displayAnswer(q, answers) !== undefined);
    return {
      done: done.map((q) => `${QUESTION_TITLES[q]}: ${displayAnswer(q, answers)}`),
      left: [`the remaining checks (from "${QUESTION_TITLES[state]}")`, ...later],
    };
  },
};
