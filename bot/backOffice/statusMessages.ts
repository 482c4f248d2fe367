import type { NasRequest, NasRequestStatus } from '../../adapters/nasRequests';
import { AdaptiveCard, card, labelled, plain, run, submit } from '../../dialogs/cards';
import { ADMIN_EMAIL, NAS_HOURS } from '../../dialogs/contacts';
import { kindName, STATUS_NAMES } from './views';

/**
 * What the requester is told when NAS moves their request (SPEC §3, §3.1): the reference, the new
 * status, and what happens next, as text (every channel, and the email when the chat cannot be
 * reached) and as an Adaptive Card (Teams and the web page), updated in place when it moves again.
 * Pure: the words only.
 */

export interface StatusMessage {
  text: string;
  card: AdaptiveCard;
  emailSubject: string;
}

const admin = (request: NasRequest) => ADMIN_EMAIL[request.queue];

/** "your registration for Rose Court Care Home", "your password reset for amy.pearce@nhs.net". */
function whatItIs(request: NasRequest): string {
  if (request.kind === 'registration') return `your registration for ${request.details.organisation.name}`;
  if (request.kind === 'passwordReset') return `your password reset for ${request.details.account.address}`;
  return `your ${kindName((request as { kind: string }).kind)} request`;
}

/** What happens next, for a request now in `request.status`, having been `previous`. */
function nextSteps(request: NasRequest, previous: NasRequestStatus): string[] {
  const last = request.history[request.history.length - 1];
  switch (request.status) {
    case 'inProgress':
      return previous === 'waitingForRequester'
        ? ['NAS has your answer and is carrying on with it. I will tell you here when it moves on.']
        : [`The National Administration Service (NAS) has started working on it (they work ${NAS_HOURS}). I will tell you here when it moves on.`];
    case 'waitingForRequester':
      return [
        `NAS needs something from you before they can carry on. They ask: “${last?.question ?? 'please contact NAS'}”`,
        `Please reply here with your answer, starting with the reference (for example "${request.reference}: …"), or email ${admin(request)} quoting it.`,
      ];
    case 'done':
      if (request.kind === 'registration') {
        const { sharedMailboxAddress, members } = request.details;
        return [
          `Each of the ${members.length} members will get a welcome email with their username, and a text message to their mobile with a temporary password.`,
          'To start: log in at www.nhs.net, change the password, accept the acceptable use policy and set your security questions.',
          `The shared mailbox ${sharedMailboxAddress} needs no activation and no password: open it from your personal account.`,
          `If a text message does not arrive, contact ${admin(request)}.`,
        ];
      }
      if (request.kind === 'passwordReset') {
        return [
          `NAS has sent a temporary password by text to the mobile ending ${request.details.mobile.slice(-3)}. Log in at www.nhs.net with it and choose a new password straight away.`,
          `If the text does not arrive, contact ${admin(request)}.`,
        ];
      }
      return ['NAS has done what you asked.'];
    case 'rejected':
      return [
        `NAS could not go ahead with it: ${last?.reason ?? 'no reason was given'}.`,
        `If you have questions, contact ${admin(request)} quoting ${request.reference}.`,
      ];
    case 'received':
      return ['NAS has it and will start on it soon.'];
  }
}

const HEADLINE: Record<NasRequestStatus, (what: string) => string> = {
  received: (what) => `We have ${what}`,
  inProgress: (what) => `${capitalise(what)} is in progress`,
  waitingForRequester: (what) => `NAS has a question about ${what}`,
  done: (what) => `${capitalise(what)} is done`,
  rejected: (what) => `${capitalise(what)} was not accepted`,
};

const capitalise = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** Where the requester types their answer on the card (dialogs/conversation.ts reads `nasAnswer`). */
const answerBox = (reference: string) => ({
  type: 'Input.Text',
  id: 'answer',
  label: `Your answer for ${reference}`,
  isMultiline: true,
  maxLength: 2000,
  isRequired: true,
  errorMessage: 'Please write your answer.',
});

export function statusMessage(request: NasRequest, previous: NasRequestStatus): StatusMessage {
  const what = whatItIs(request);
  const headline = `${HEADLINE[request.status](what)} (${request.reference}).`;
  const steps = nextSteps(request, previous);
  const status = STATUS_NAMES[request.status];
  const updated = new Date(request.updatedAt).toLocaleString('en-GB', { timeZone: 'Europe/London', day: 'numeric', month: 'long', hour: '2-digit', minute: '2-digit' });
  // Organisation names, NAS's question and reason are not ours: plain text runs, never markdown.
  return {
    text: [headline, ...steps].join('\n\n'),
    card: card([
      { type: 'RichTextBlock', inlines: [run(headline, { weight: 'Bolder', size: 'Medium' })] },
      labelled('Reference', request.reference),
      labelled('Status', status),
      labelled('Updated', updated),
      ...steps.map((step) => plain(step, { spacing: 'Medium' })),
      ...(request.status === 'waitingForRequester' ? [answerBox(request.reference)] : []),
    ], request.status === 'waitingForRequester' ? [submit('Send my answer to NAS', { action: 'nasAnswer', reference: request.reference }, { form: true, style: 'positive' })] : []),
    emailSubject: `${request.reference}: ${status}`,
  };
}
