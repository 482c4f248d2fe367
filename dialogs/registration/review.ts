import { type RegistrationContext, kindOf, mailboxAddressOf } from '../../machines/registration';
import { ADMIN_EMAIL, NAS_HOURS, NAS_USUAL_TIME, NATIONAL_HELPDESK } from '../contacts';
import { normalise, parseYesNo } from '../parsing';
import { route } from '../routing';
import type { Step } from '../step';
import { address, bold, quote } from '../text';
import { reviewCard } from './cards';
import { adminWithHours } from './common';
import { describeMember } from './members';
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
          `• Organisation: ${quote(o.name)}`,
          `• ODS code: ${o.odsCode}`,
          `• CQC location ID: ${o.cqcLocationId}`,
          `• Town: ${quote(c.town ?? '')}`,
          `• Shared mailbox: ${address(mailboxAddressOf(c) ?? '')}`,
          '• Members:',
          ...c.members.map((m, i) => `   ${describeMember(m, i)}`),
          'Please confirm that all the details are correct. Say "back" to change the members.',
        ].join('\n'),
        choices: ['Confirm and finish', 'Back'],
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
      });
    },
    parse: (text) => (confirms(text) ? { type: 'CONFIRM' } : undefined),
    card: (value) => (value.action === 'confirm' ? { type: 'CONFIRM' } : undefined),
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

export function reviewProblem(c: RegistrationContext): string | undefined {
  return c.problem === 'submitFailed'
    ? 'Sorry, the registration could not be submitted just now. Nothing is lost: please say "confirm and finish" again in a minute.'
    : undefined;
}
