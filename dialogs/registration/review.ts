import { type RegistrationContext, kindOf, mailboxAddressOf } from '../../machines/registration';
import { ADMIN_EMAIL, NAS_HOURS, NAS_USUAL_TIME, NATIONAL_HELPDESK } from '../contacts';
import { normalise, parseYesNo } from '../parsing';
import { route } from '../routing';
import type { Step } from '../step';
import type { FlowParse } from '../types';
import { address, bold, quote } from '../text';
import { reviewCard } from './cards';
import { adminWithHours } from './common';
import { describeMember, parseMembersCommand } from './members';
import { describeExisting } from './organisation';

/** Part 6, review, confirm and finish (SPEC §1.5). */

const CONFIRM = new Set([
  'confirm and finish', 'confirm', 'finish', 'submit', 'submit it', 'yes', 'correct', 'all correct', '1', 'send it', 'send', 'send it off',
  'looks good', 'looks right', 'looks fine', 'all good', 'all fine', "that's right", 'thats right', 'yes confirm', 'go ahead', 'do it', 'ok',
  'they are correct', 'its correct', "it's correct", 'all ok', 'perfect',
]);

/** "looks good, send it", "yes please, confirm": every part a way of confirming. */
function confirms(text: string): boolean {
  if (CONFIRM.has(normalise(text)) || parseYesNo(text) === true) return true;
  const parts = text
    .split(/[,;!.]|\band\b|\bplease\b|\bthanks\b|\bthank you\b|\bso\b/i)
    .map((p) => normalise(p))
    .filter(Boolean);
  return parts.length > 0 && parts.every((p) => CONFIRM.has(p) || parseYesNo(p) === true);
}

export const AGAIN_LABEL = 'Register another organisation';

const CHANGE_LABEL = 'Change a detail';
const CHANGE_EXAMPLES = 'say for example "change town", "change 2 email" or "change Sam\'s mobile"';

/** A change asked for at the review: the town, or one member's detail. */
function reviewChange(text: string, c: RegistrationContext): FlowParse {
  const t = normalise(text);
  if (t === normalise(CHANGE_LABEL) || /^(change|edit|correct|fix|amend|alter)( (it|something|a detail|details|one|that))?$/.test(t)) {
    return { say: `What would you like to change? ${CHANGE_EXAMPLES[0]!.toUpperCase()}${CHANGE_EXAMPLES.slice(1)}.` };
  }
  const command = /^(change|edit|update|correct|fix|amend|alter|remove|delete|take off|take out)\b(.*)$/.exec(t);
  if (!command) return undefined;
  if (/\b(town|mailbox address|shared mailbox address|address of the (shared )?mailbox|mailbox name)\b/.test(command[2]!)) return { type: 'CHANGE_TOWN' };
  const parsed = parseMembersCommand(text, c);
  if (parsed && 'type' in parsed && parsed.type === 'REMOVE_MEMBER') {
    return { say: 'To take someone off, say "back" to go to the list of members, then for example "remove 2".' };
  }
  return parsed;
}

const memberRef = (value: Record<string, unknown>) =>
  typeof value.memberId === 'string' && typeof value.listVersion === 'number' && value.memberId.length <= 20
    ? { id: value.memberId, listVersion: value.listVersion }
    : undefined;

/** Said, alone, to anything at the submitted registration but thanks or a new one. */
const alreadySubmitted = (c: RegistrationContext) => ({
  say: `Your registration is already submitted (reference ${c.submitted?.reference}); nothing more is needed. To register another organisation, say "register another organisation".`,
  alone: true,
  choices: [AGAIN_LABEL, 'Menu'],
});

const alreadyKept = (c: RegistrationContext) => ({
  say: `Your details are already kept for NAS under reference ${c.alreadyBeingProcessed?.kept.reference}; nothing more is needed here. To register another organisation, say "register another organisation".`,
  alone: true,
  choices: [AGAIN_LABEL, 'Menu'],
});

export const REVIEW_STEPS = {
  'review.summary': {
    prompt: (c) => {
      const o = c.organisation!;
      return {
        text: [
          ...(reviewNotice(c) ? [reviewNotice(c)!] : []),
          `• Organisation: ${quote(o.name)}`,
          `• ODS code: ${o.odsCode}`,
          `• CQC location ID: ${o.cqcLocationId}`,
          `• Town: ${quote(c.town ?? '')}`,
          `• Shared mailbox: ${address(mailboxAddressOf(c) ?? '')}`,
          '• Members:',
          ...c.members.map((m, i) => `   ${describeMember(m, i)}`),
          `Please confirm that all the details are correct. To change one, ${CHANGE_EXAMPLES}; "back" goes to the list of members.`,
        ].join('\n'),
        choices: ['Confirm and finish', CHANGE_LABEL, 'Back'],
      };
    },
    form: (c, _form, heading) => {
      const o = c.organisation!;
      return reviewCard({
        heading,
        facts: [
          ['Organisation', o.name],
          ['ODS code', o.odsCode],
          ['CQC location ID', o.cqcLocationId],
          ['Town', c.town ?? ''],
          ['Shared mailbox', mailboxAddressOf(c) ?? ''],
        ],
        members: c.members,
        listVersion: c.listVersion,
        ...(reviewNotice(c) ? { note: reviewNotice(c) } : {}),
      });
    },
    parse: (text, c) => (confirms(text) ? { type: 'CONFIRM' } : reviewChange(text, c)),
    card: (value) => {
      if (value.action === 'confirm') return { type: 'CONFIRM' };
      if (value.action === 'changeTown') return { type: 'CHANGE_TOWN' };
      const member = memberRef(value);
      return value.action === 'editMember' && member ? { type: 'EDIT_MEMBER', member } : undefined;
    },
    hint: 'Say "confirm and finish" when everything is right, or "back" to change it.',
    help: (c) =>
      `This is everything that goes to the National Administration Service. Check the names, email addresses and mobile numbers especially: the welcome emails and temporary passwords go there. Say "back" to change the members, or "confirm and finish" to send it. Questions: ${adminWithHours(c)}.`,
  },
  'review.submitted': {
    prompt: (c) => {
      const admin = ADMIN_EMAIL[kindOf(c)];
      return {
        text: [
          `Thank you. Your registration is with the National Administration Service. Your reference is ${bold(c.submitted?.reference ?? '')}.`,
          `NAS usually works a registration within ${NAS_USUAL_TIME}; it is open ${NAS_HOURS}. I will tell you here when it moves.`,
          'What happens next:',
          '• Each person gets a welcome email with their NHSmail username, and their temporary password by text message to their mobile.',
          '• They log in at www.nhs.net, change the password, accept the acceptable use policy and set their security questions.',
          `• The shared mailbox (${address(mailboxAddressOf(c) ?? '')}) needs no activation and no password: members open it from their own account.`,
          `• If a text never arrives, contact ${admin} or the national helpdesk on ${NATIONAL_HELPDESK.phone}, quoting your reference.`,
        ].join('\n'),
        choices: [AGAIN_LABEL, 'Menu'],
      };
    },
    // Thanks and goodbyes are answered by the routing table; anything else is told, briefly, it is done.
    parse: (text, c) => (route(text) ? undefined : alreadySubmitted(c)),
    // A confirm pressed twice (or tapped again): the short answer, not the whole message again.
    card: (value, c) => (value.action === 'confirm' ? alreadySubmitted(c) : undefined),
    hint: 'Say "register another organisation", or "menu" to see what else I can do.',
    noBack: (c) => `Your registration is submitted (reference ${c.submitted?.reference}), so there is nothing to go back to. To register another organisation, say "register another organisation".`,
  },
  'review.alreadyBeingProcessed': {
    prompt: (c) => {
      const { existing, kept } = c.alreadyBeingProcessed ?? { existing: {}, kept: { reference: '' } };
      return {
        text: [
          existing.yours
            ? `You registered ${quote(c.organisation?.name ?? 'this organisation')} earlier in this chat${describeExisting({ ...existing, channel: undefined })}, and the National Administration Service is processing it, so this second one is not needed and no second set of accounts will be made.`
            : `A registration for ${quote(c.organisation?.name ?? 'this organisation')} is already being processed by the National Administration Service${describeExisting(existing)}, made by someone else, so yours is not needed and no second set of accounts will be made.`,
          `Nothing you entered is lost: your details are kept for NAS under your own reference, ${bold(kept.reference)}, so they can check them against the first registration.`,
          `If you think the first registration is wrong, or to add people to it, contact ${adminWithHours(c)} quoting both references.`,
        ].join('\n'),
        choices: [AGAIN_LABEL, 'Menu'],
      };
    },
    parse: (text, c) => (route(text) ? undefined : alreadyKept(c)),
    card: (value, c) => (value.action === 'confirm' ? alreadyKept(c) : undefined),
    hint: 'Say "register another organisation", or "menu" to see what else I can do.',
    noBack: 'This registration is finished, so there is nothing to go back to.',
  },
} satisfies Record<string, Step<RegistrationContext>>;

/** A change made from the review, said when it is shown again. */
function reviewNotice(c: RegistrationContext): string | undefined {
  return c.notice?.kind === 'memberSaved' && c.notice.changed ? `${c.notice.name}'s details are changed.` : undefined;
}

export function reviewProblem(c: RegistrationContext): string | undefined {
  if (c.problem === 'submitFailed') return 'Sorry, the registration could not be submitted just now. Nothing is lost: please say "confirm and finish" again in a minute.';
  return undefined;
}
