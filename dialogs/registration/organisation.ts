import { MAX_CANDIDATES, type ExistingRegistration, type RegistrationContext } from '../../machines/registration';
import { normalise, parseChoice } from '../parsing';
import { answer, type Step, validated } from '../step';
import { formatDate, quote } from '../text';
import * as validate from '../validators';
import { organisationChoiceCard } from './cards';
import { admin, adminWithHours, kindWord, kindWords } from './common';
import { FIELDS } from './fields';

/** Part 2, the organisation (SPEC §1.2): postcode, the organisations there, the manager's email. */

export const NONE_LABEL = 'None of these';

/** "None of these": what to try, and who adds or corrects an organisation. */
const notListed = (c: RegistrationContext) => ({
  say: `If your organisation is not in the list, check the postcode (say "back" to type another, or type it here) or type your ODS code. If it is still not found, ${adminWithHours(c)} will help: NAS can add or correct an organisation's details.`,
});

export const candidateLabel = (o: { name: string; odsCode: string }) => `${o.name} – ${o.odsCode}`;

const NONE_OF_THESE = /^(none|none of (these|them|those)|not (listed|there|here|in the list)|it'?s not (listed|there|here)|mine is not (listed|there)|neither|not any of (these|them)|no(ne)? match|other)$/;

const CHANNEL_NAMES: Record<string, string> = { msteams: 'Microsoft Teams', webchat: 'web chat', directline: 'web chat', emulator: 'the Bot Framework Emulator', terminal: 'the terminal chat' };

const STATUS_WORDS: Record<string, string> = {
  received: 'received by NAS',
  inProgress: 'being worked on by NAS',
  waitingForRequester: 'waiting for an answer from the person who made it',
};

/** What may be said of someone else's registration: its reference, status, when and through which channel (never who). */
export function describeExisting(existing: ExistingRegistration): string {
  const facts = [
    existing.reference ? `reference ${existing.reference}` : undefined,
    existing.createdAt ? `made on ${formatDate(existing.createdAt)}` : undefined,
    existing.channel ? `through ${CHANNEL_NAMES[existing.channel] ?? 'another chat'}` : undefined,
    existing.status && STATUS_WORDS[existing.status] ? `now ${STATUS_WORDS[existing.status]}` : undefined,
  ].filter(Boolean);
  return facts.length ? ` (${facts.join(', ')})` : '';
}

export const ORGANISATION_STEPS = {
  'organisation.postcode': {
    prompt: () => ({ text: "What is your organisation's postcode? A full postcode (such as LS1 4AP) or just its first part (LS1) will do." }),
    parse: (text) => validated(validate.postcode(text), (p) => answer('postcode', p.postcode)),
    hint: 'Please type a postcode, such as LS1 4AP, or its first part, such as LS1.',
    help: (c) => `I look up the ${kindWords(c)} registered at that postcode so you can pick yours. If yours is not found, ${admin(c)} will help.`,
    field: FIELDS.postcode,
    previous: (c) => c.postcode,
  },
  'organisation.choose': {
    prompt: (c) => {
      const list = c.candidates ?? [];
      if (list.length > MAX_CANDIDATES) {
        return { text: `There are many ${kindWords(c)} at ${c.postcode}. Please type your ODS code, or your full postcode.` };
      }
      const intro = `These ${kindWords(c)} are registered at ${c.postcode}. Which is yours? Choose it, or type its ODS code.`;
      return { text: intro, choices: [...list.map(candidateLabel), NONE_LABEL] };
    },
    form: (c, _form, heading) => {
      const list = c.candidates ?? [];
      return list.length > MAX_CANDIDATES ? undefined : organisationChoiceCard(heading, `These ${kindWords(c)} are registered at ${c.postcode}. Which is yours?`, list);
    },
    parse: (text, c) => {
      const list = (c.candidates ?? []).slice(0, MAX_CANDIDATES);
      const picked = parseChoice(
        text,
        list.map((o) => ({ value: o.odsCode, label: candidateLabel(o), synonyms: [normalise(o.name), o.odsCode.toLowerCase()] })),
      );
      if (picked) return answer('organisation', picked);
      if (NONE_OF_THESE.test(normalise(text))) return notListed(c);
      const place = validate.postcode(text);
      if (place.ok && place.value.kind === 'full') return answer('postcode', place.value.postcode);
      const code = validate.odsCode(text);
      if (code.ok) return answer('organisation', code.value);
      return undefined;
    },
    card: (value, c) => {
      if (value.action === 'noneOfThese') return notListed(c);
      if (value.action !== 'chooseOrganisation') return undefined;
      const code = validate.odsCode(typeof value.odsCode === 'string' ? value.odsCode : '');
      return code.ok ? answer('organisation', code.value) : undefined;
    },
    hint: 'Choose your organisation from the list (by its number or name), or type its ODS code. If it is not there, say "none of these".',
    help: (c) => `${FIELDS.organisation.whereToFind} If yours is not in the list, ${admin(c)} will help.`,
    field: FIELDS.organisation,
  },
  'organisation.sharedMailboxExists': {
    prompt: (c) => ({
      text: `${quote(c.organisation?.name ?? 'This organisation')} already has an NHSmail shared mailbox, so it cannot be registered again. Its shared mailbox owner can give you access; if you do not know who that is, contact ${adminWithHours(c)}.`,
      choices: ['Back', 'Start again', 'Menu'],
    }),
    hint: 'Say "back" to choose another organisation, "start again", or "menu".',
  },
  'organisation.alreadyPending': {
    prompt: (c) => ({
      text: c.organisation?.pendingRegistration?.yours ? yourOwnPending(c) : [
        `A registration for ${quote(c.organisation?.name ?? 'this organisation')} is already being processed by the National Administration Service${describeExisting(c.organisation?.pendingRegistration ?? {})}, so it cannot be made again.`,
        `Someone else at your organisation may have made it. For its progress, or if you think it is wrong, contact ${adminWithHours(c)}, quoting the ODS code ${c.organisation?.odsCode}.`,
      ].join('\n'),
      choices: ['Back', 'Start again', 'Menu'],
    }),
    hint: 'Say "back" to choose another organisation, "start again", or "menu".',
  },
  'organisation.managerEmail': {
    prompt: (c) => ({
      text: `What is the registered manager's email address? It must be the one we hold for ${quote(c.organisation?.name ?? 'your organisation')}: the passcode will be sent there.`,
    }),
    parse: (text) => validated(validate.email(validate.core(text).includes('@') ? validate.core(text) : text, { nhsmailDomains: [] }), (e) => answer('managerEmail', e)),
    hint: "Please type the registered manager's email address, such as manager@example.co.uk.",
    help: (c) => `This is the registered manager's email address held for your organisation. If it has changed, ${admin(c)} can help.`,
    field: FIELDS.managerEmail,
  },
} satisfies Record<string, Step<RegistrationContext>>;

/** The user's own registration of the same organisation, made earlier in this chat: theirs, not someone else's. */
function yourOwnPending(c: RegistrationContext): string {
  const pending = c.organisation?.pendingRegistration ?? {};
  return [
    `You have already registered ${quote(c.organisation?.name ?? 'this organisation')} in this chat${describeExisting({ ...pending, channel: undefined })}, and the National Administration Service is processing it, so there is no need to register it again.`,
    pending.reference
      ? `To see how it is going, say "status of ${pending.reference}". To change something in it, contact ${adminWithHours(c)}, quoting that reference.`
      : `To change something in it, contact ${adminWithHours(c)}, quoting the ODS code ${c.organisation?.odsCode}.`,
  ].join('\n');
}

/** Why an organisation step is asked again. */
export function organisationProblem(c: RegistrationContext): string | undefined {
  switch (c.problem) {
    case 'noOrganisationsFound':
      return `I could not find any ${kindWords(c)} registered at ${c.postcode}. Please check the postcode, or try just its first part. If yours is still not found, contact ${admin(c)}, who will help.`;
    case 'tooManyOrganisations':
      return `There are more than ${MAX_CANDIDATES} ${kindWords(c)} at ${c.postcode}.`;
    case 'unknownOrganisation':
      return `No ${kindWord(c)} has that ODS code. Please choose from the list, or check the code.`;
    case 'otherKindOfOrganisation':
      return `That organisation is not a ${kindWord(c)}, which is what you said you are registering. Choose another, or say "start again" to change your answer.`;
    case 'managerEmailMismatch':
      return `That email address does not match the registered manager's address we hold for ${quote(c.organisation?.name ?? 'your organisation')}. Please check it; if it has changed, contact ${admin(c)}.`;
    default:
      return undefined;
  }
}
