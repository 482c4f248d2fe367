/**
 * The shared mailbox owner's side (SPEC §2): the code from the email (or the proactive message in
 * their Teams chat), the question — is it really your colleague asking, and is this their mobile? —
 * and what their answer did. Only a yes verifies the request.
 */
import { formatVouchCode } from '../../adapters/resetVouches';
import { MAX_VOUCH_CODE_FAILURES, type PasswordHelpContext } from '../../machines/passwordHelp';
import { parseYesNoAnswer } from '../parsing';
import { answer, nasNow, STATUS_WORDS, until, type FieldInfo, type Step } from './common';
import { displayMobile } from './messages';
import { readTopic, saysDone, vouchCode } from './read';
import { adminEmailFor } from './texts';

/** "Thanks", "ok", "done" at an end: back to the menu. */
const finished = (text: string) => (saysDone(text.toLowerCase()) ? answer('next', 'done') : undefined);

export const VOUCH_CODE_FIELD: FieldInfo = {
  name: 'the code from the email',
  why: 'The code was sent only to you, as a shared mailbox owner, so typing it shows that it is you answering.',
  whereToFind: 'It is in the email "Please confirm a password reset for …" sent to your NHSmail address: 12 letters and numbers in three groups, such as ABCD-EFGH-JKLM.',
};

function answeredText(c: PasswordHelpContext): string {
  const outcome = c.owner?.outcome;
  const name = c.owner?.question?.requesterName ?? 'your colleague';
  if (!outcome) return 'Your answer has been recorded.';
  switch (outcome.outcome) {
    case 'recorded': {
      if (outcome.answer === 'no') {
        return [
          `Thank you. No reset will be made, and ${name} has been told that you did not vouch for them.`,
          `If you think someone is trying to get into their account, please tell NAS at ${adminEmailFor(undefined)}.`,
        ].join('\n');
      }
      const result = outcome.result;
      if (result.outcome === 'raised') {
        return `Thank you. The password reset request **${result.request.reference}** is now verified and with NAS, and ${name} has been told. NAS will text the temporary password to ${displayMobile(c.owner!.question!.mobile)}.\n${nasNow(c, result.queue)}`;
      }
      if (result.outcome === 'alreadyRequested') {
        return `Thank you. A reset for this account was already asked for in the last 24 hours (reference ${result.existing.reference}, now ${STATUS_WORDS[result.existing.status]}), so no second one is made. ${name} has been told.`;
      }
      if (result.outcome === 'hostedLocally') {
        return `Thank you. ${name}'s account is looked after by ${result.administrator.name}, so NAS cannot reset it; ${name} has been told to contact ${result.administrator.helpdesk.name}.`;
      }
      return `Thank you. ${name}'s account is marked as a leaver, so it cannot be reset; ${name} has been told.`;
    }
    case 'alreadyAnswered':
      return outcome.byYou ? 'You have already answered this request: nothing more to do.' : `Another shared mailbox owner has already answered this request (${outcome.answer === 'yes' ? 'they vouched' : 'they did not vouch'}): nothing more to do.`;
    case 'expired':
      return `This request has lapsed: owners have 3 days to answer. If ${name} still needs a reset, they can ask again.`;
    case 'notFound':
      return 'This request could not be found any more. Nothing more to do.';
  }
}

export const vouchSteps = {
  'vouch.code': {
    prompt: () => ({
      text: 'If you are a shared mailbox owner asked to vouch for a colleague’s password reset, please type the code from the email (12 letters and numbers, such as ABCD-EFGH-JKLM).',
    }),
    parse: (text) => {
      const code = vouchCode(text);
      if (code) return answer('vouchCode', code);
      const topic = readTopic(text);
      return topic && topic !== 'vouch' ? answer('topic', topic) : undefined;
    },
    hint: 'Please type the 12-character code from the email, for example ABCD-EFGH-JKLM.',
    field: VOUCH_CODE_FIELD,
    help: () => `${VOUCH_CODE_FIELD.why} ${VOUCH_CODE_FIELD.whereToFind}`,
    previous: (c) => (c.owner?.code ? formatVouchCode(c.owner.code) : undefined),
  },

  'vouch.question': {
    prompt: (c) => {
      const q = c.owner!.question!;
      return {
        text: [
          `${q.requesterName} (${q.address}) at ${q.organisationName} has asked for an NHSmail password reset and cannot use a mobile number on their account to prove it is them.`,
          `Do you vouch that it is really ${q.requesterName} asking, and that ${displayMobile(q.mobile)} is their mobile? If you say yes, NAS will text a temporary password to that number.`,
          `Please say yes only if you have checked with ${q.requesterName} yourself, in person or on a number you already have for them. This request is open until ${until(q.expiresAt, c.now)}.`,
        ].join('\n'),
        choices: ['Yes, I vouch for them', 'No'],
      };
    },
    parse: (text) => {
      const t = text.toLowerCase();
      if (/^\s*(?:yes,? i vouch|i vouch|i do vouch|vouch for (?:them|him|her))\b/.test(t)) return answer('vouch', true);
      if (/\b(?:don'?t|do not|can'?t|cannot|won'?t|will not|not) vouch\b|\bnot (?:them|him|her|my colleague)\b|\bdon'?t know (?:them|him|her)\b|\bnever heard\b/.test(t)) return answer('vouch', false);
      const yes = parseYesNoAnswer(text);
      return yes === undefined ? undefined : answer('vouch', yes);
    },
    hint: 'Please answer yes (you vouch for them) or no.',
    help: (c) =>
      `A colleague who cannot answer their security questions and has no mobile on their account needs a shared mailbox owner to confirm who they are before NAS resets their password. It is your responsibility to check it is really ${c.owner?.question?.requesterName ?? 'them'}. If in doubt, say no.`,
  },

  'vouch.answered': { prompt: (c) => ({ text: answeredText(c), choices: ['Menu'] }), parse: finished, hint: 'Say "menu" for anything else.', noBack: 'Your answer has been recorded.' },

  'vouch.closedRequest': {
    prompt: (c) => {
      const lookup = c.owner?.lookup;
      if (lookup && !lookup.found && lookup.reason === 'alreadyAnswered') {
        return {
          text: lookup.byYou
            ? `You have already answered this request (${lookup.answer === 'yes' ? 'you vouched' : 'you did not vouch'}): nothing more to do.`
            : `Another shared mailbox owner has already answered this request (${lookup.answer === 'yes' ? 'they vouched' : 'they did not vouch'}): nothing more to do.`,
          choices: ['Menu'],
        };
      }
      return { text: 'This request is no longer open: owners have 3 days to answer, and it has lapsed. Nothing more to do.', choices: ['Menu'] };
    },
    parse: finished,
    hint: 'Say "menu" for anything else.',
    noBack: 'This request is closed.',
  },

  'vouch.tooManyCodes': {
    prompt: (c) => ({
      text: `${MAX_VOUCH_CODE_FAILURES} codes in a row did not match a request, so I will not check any more codes in this chat. Please check the email, or contact NAS at ${adminEmailFor(undefined)}.\n${nasNow(c)}`,
      choices: ['Menu'],
    }),
    parse: finished,
    hint: 'Say "menu" for anything else.',
  },
} satisfies Record<string, Step>;
