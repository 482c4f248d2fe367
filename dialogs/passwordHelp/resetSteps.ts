/**
 * The reset request the assistant raises (SPEC §2): the NHSmail address, the 6-digit code texted to
 * the mobile on record, or — no mobile, or lost it — the shared mailbox owner asked to vouch; and
 * what the requester is told at the end. Until the requester is verified, nothing said here depends
 * on whether the address is an account, has a mobile or has an owner: the machine does not know.
 */
import type { PasswordHelpContext, ResetOutcome } from '../../machines/passwordHelp';
import { RESET_CODE_POLICY } from '../../machines/passwordHelp/rules';
import { NATIONAL_HELPDESK } from '../contacts';
import { answer, HELPDESK_SHORT, nasNow, onDate, STATUS_WORDS, until, whoIsOpen, type FieldInfo, type Step } from './common';
import { ADDRESS_FIELD } from './explainSteps';
import { displayMobile } from './messages';
import { looksLikeAddress, nhsmailAddress, readTopic, resetCode, saysAnyNews, saysCanGetTexts, saysDone, saysNoPhone, saysResend, saysTryAgain, ukMobile } from './read';
import { adminEmailFor } from './texts';
import { quoteInline } from '../text';

const MINUTES = RESET_CODE_POLICY.validForMs / 60_000;
const ASK_OWNER = 'Ask my shared mailbox owner';

export const CODE_FIELD: FieldInfo = {
  name: 'the 6-digit code',
  why: 'The code proves that you have the phone whose number is on your NHSmail account, which is how NAS knows it is really you asking for a reset.',
  whereToFind: `It is in a text message sent just now to the mobile number on your account (the number ending as shown above). It works for ${MINUTES} minutes. If nothing came, say "send a new code", or "I don't have that phone" and your shared mailbox owner can vouch for you instead.`,
};

export const MOBILE_FIELD: FieldInfo = {
  name: 'the mobile number for your temporary password',
  why: 'NAS sends your temporary password by text message, never through this chat. Your shared mailbox owner is asked to confirm that this number is yours.',
  whereToFind: 'It is your own mobile phone number: a UK mobile, beginning 07 (for example 07400 123456).',
};

/** The address typed anywhere in the reset, when it is one; a wrong one is said to be wrong. */
function addressAnswer(text: string) {
  const typed = nhsmailAddress(text);
  if (typed.ok) return answer('address', typed.value);
  return looksLikeAddress(text) ? { invalid: typed.error } : undefined;
}

/** What may be asked about while waiting for an owner (the answer is then told on its own). */
const ASIDES_WHILE_WAITING = new Set(['passwordRules', 'mobileInDirectory', 'notActivated', 'inactive']);

const topicAnswer = (text: string) => {
  const topic = readTopic(text);
  // "reset" and "vouch" are where the user already is; the other topics leave the reset.
  return topic && topic !== 'reset' && topic !== 'forgotten' ? answer('topic', topic) : undefined;
};

/** What happens after a verified reset, or why there is none: said to the requester, also when an owner's answer is delivered. */
export function resultText(c: { now: number; byOwner: boolean }, result: ResetOutcome): string {
  const { byOwner } = c;
  switch (result.outcome) {
    case 'raised':
      return [
        `${byOwner ? 'Your shared mailbox owner has vouched for you, so your' : 'That code is right. Your'} password reset request is with the National Administration Service: reference **${result.request.reference}**.`,
        `What happens next: NAS texts a temporary password to the mobile number ending ${result.mobileEnding}. It never comes through this chat, and nobody will ask you for it.`,
        'Log in at www.nhs.net with it and choose a new password straight away.',
        `${nasNow(c, result.queue)} If nothing has come by the end of NAS's next working day, contact ${adminEmailFor(result.queue)} quoting your reference, or ${HELPDESK_SHORT}.`,
      ].join('\n');
    case 'alreadyRequested':
      return [
        `A password reset for this account was already asked for ${onDate(result.existing.createdAt).replace(/^/, 'on ')} (reference ${result.existing.reference}, now ${STATUS_WORDS[result.existing.status]}).`,
        'Only one reset request per account can be made in 24 hours, so I have not made another: that one carries on, and the temporary password goes to the mobile number it names.',
        `${nasNow(c, result.queue)} To ask about it, contact ${adminEmailFor(result.queue)} quoting ${result.existing.reference}, or ${HELPDESK_SHORT}.`,
      ].join('\n');
    case 'hostedLocally':
      return [
        `Your account is looked after by ${result.administrator.name}, not by NAS, so NAS cannot reset it and I have not raised a request.`,
        `Please contact ${result.administrator.helpdesk.name}: ${result.administrator.helpdesk.phone}, ${result.administrator.helpdesk.email}.`,
      ].join('\n');
    case 'leaver':
      return [
        `This account is marked as a leaver${result.markedOn ? ` (since ${onDate(Date.parse(`${result.markedOn}T12:00:00Z`))})` : ''}, so it cannot be reset and I have not raised a request.`,
        'If you have moved to another care provider or dental practice, ask its shared mailbox owner to have your account moved there (a joiner request).',
        `${nasNow(c, result.queue)} You can also contact ${adminEmailFor(result.queue)}, or ${HELPDESK_SHORT}.`,
      ].join('\n');
  }
}

/** "Thanks", "ok", "done" at an end: back to the menu. */
const finished = (text: string) => {
  const t = text.toLowerCase();
  if (saysDone(t)) return answer('next', 'done');
  // "Any news?" again, once it has come: the answer as it stands, not "not understood".
  return topicAnswer(text) ?? (saysAnyNews(t) ? { say: 'That is the latest I have:' } : undefined);
};

const done = (c: PasswordHelpContext) => ({ text: resultText({ now: c.now, byOwner: c.vouch !== undefined }, c.result!), choices: ['Password rules', 'Menu'] });

/** The owner said no. */
export function refusedText(c: { now: number }): string {
  return [
    'Your shared mailbox owner did not vouch for this request, so no reset was raised.',
    `If you think that is a mistake, please speak to them, or contact NAS or ${HELPDESK_SHORT}.`,
    nasNow(c),
  ].join('\n');
}

/** Nobody answered in time. */
export function lapsedText(c: { now: number }): string {
  return [
    'No shared mailbox owner answered in time, so that request has lapsed and nothing was raised.',
    'I can ask them again, or you can contact NAS or the national helpdesk directly.',
    whoIsOpen(c),
  ].join('\n');
}

export const resetSteps = {
  'reset.address': {
    prompt: (c) => {
      const signedIn = [c.session.user?.email, c.session.user?.userPrincipalName].find((a) => a && /@nhs\.net$/i.test(a))?.toLowerCase();
      return {
        text: 'I can raise a password reset request with the National Administration Service for you. It never involves your password: please do not type it here.\nWhich NHSmail address is it for? For example jane.smith@nhs.net.',
        ...(signedIn ? { choices: [signedIn] } : {}),
      };
    },
    parse: (text) => addressAnswer(text) ?? topicAnswer(text),
    hint: 'Please type the NHSmail address the reset is for, ending @nhs.net.',
    field: ADDRESS_FIELD,
    help: () => `I need the NHSmail address to find the mobile number on the account, or its organisation's shared mailbox owners. ${ADDRESS_FIELD.whereToFind}`,
    previous: (c) => c.address && quoteInline(c.address),
  },

  'reset.canReceiveTexts': {
    prompt: (c) => ({
      text: `For ${quoteInline(c.address ?? '')}: can you get text messages on the mobile phone whose number is on that NHSmail account? I will text a 6-digit code to it, to check it is you.`,
      choices: ['Yes, text me a code', "No, I don't have that phone", 'There is no mobile on my account'],
    }),
    parse: (text) => {
      const t = text.toLowerCase();
      const address = addressAnswer(text);
      if (address) return address;
      if (/^\s*1\s*$/.test(t)) return answer('canReceiveTexts', true);
      if (/^\s*[23]\s*$/.test(t)) return answer('canReceiveTexts', false);
      if (saysNoPhone(t) || /^(?:no|n|nope|nah)\b/.test(t)) return answer('canReceiveTexts', false);
      if (saysCanGetTexts(t)) return answer('canReceiveTexts', true);
      if (/\b(?:not sure|don'?t know|no idea|unsure|which (?:number|phone|mobile))\b/.test(t)) {
        return {
          say: 'It is the mobile number given when your account was made (or that you added since). If you are not sure, say yes: the code goes to that number, and if it does not reach you, your shared mailbox owner can vouch for you instead.',
        };
      }
      return topicAnswer(text);
    },
    hint: 'Say yes and I will text a code, or no if you do not have that phone (then your shared mailbox owner can vouch for you).',
    previous: (c) => c.address && quoteInline(c.address),
  },

  'reset.enterCode': {
    prompt: (c) => {
      const lines: string[] = [];
      const ending = c.code?.ending ?? '';
      if (c.notice === 'codeSent' || c.notice === 'codeSentAgain') {
        lines.push(
          `${c.notice === 'codeSentAgain' ? 'I have texted a new 6-digit code' : 'I have texted a 6-digit code'} to the mobile number on that account, ending ${ending}. It works for ${MINUTES} minutes${c.code?.expiresAt ? ` (until ${until(c.code.expiresAt, c.now)})` : ''}${c.notice === 'codeSentAgain' ? '; any earlier code no longer works' : ''}.`,
        );
      }
      lines.push(`Please type the code from the text sent to the mobile ending ${ending}.`);
      return { text: lines.join('\n'), choices: ['Send a new code', "That's not my number", "I didn't get a code"] };
    },
    parse: (text) => {
      const t = text.toLowerCase();
      const code = resetCode(text);
      if (code) return code.ok ? answer('code', code.value) : { invalid: code.error };
      if (saysResend(t)) return { type: 'RESEND' };
      if (saysNoPhone(t)) return answer('canReceiveTexts', false);
      return addressAnswer(text) ? { invalid: 'To use another NHSmail address, say "back" first.' } : topicAnswer(text);
    },
    hint: 'Please type the 6 digits from the text, for example 246810. Or say "send a new code", or "that\'s not my number".',
    field: CODE_FIELD,
    help: () => CODE_FIELD.whereToFind,
  },

  'reset.codeLocked': {
    prompt: (c) => ({
      text: [
        `Too many wrong codes have been typed for this account, so for its safety code entry is locked${c.lockedUntil ? ` until ${until(c.lockedUntil, c.now)}` : ' for 24 hours'}, whichever chat they came from.`,
        'Your shared mailbox owner can still vouch for you instead, or you can contact NAS or the national helpdesk.',
        whoIsOpen(c),
      ].join('\n'),
      choices: [ASK_OWNER],
    }),
    parse: (text) => (saysNoPhone(text.toLowerCase()) || /\bowner\b|^(?:1|yes|ok(?:ay)?)$/.test(text.toLowerCase().trim()) ? answer('canReceiveTexts', false) : topicAnswer(text)),
    hint: 'Say "ask my shared mailbox owner", or contact NAS or the helpdesk above.',
  },

  'reset.noMoreCodes': {
    prompt: (c) => ({
      text: [
        `I have sent this account the most codes allowed in 24 hours (${RESET_CODE_POLICY.maxPerDay}), so I cannot send another${c.dailyLimitUntil ? ` until ${until(c.dailyLimitUntil, c.now)}` : ''}.`,
        'Your shared mailbox owner can vouch for you instead, or you can contact NAS or the national helpdesk.',
        whoIsOpen(c),
      ].join('\n'),
      choices: [ASK_OWNER],
    }),
    parse: (text) => (saysNoPhone(text.toLowerCase()) || /\bowner\b|^(?:1|yes|ok(?:ay)?)$/.test(text.toLowerCase().trim()) ? answer('canReceiveTexts', false) : topicAnswer(text)),
    hint: 'Say "ask my shared mailbox owner", or contact NAS or the helpdesk above.',
  },

  'reset.submitFailed': {
    prompt: () => ({
      text: 'You are verified, but I could not pass your request to NAS just now. Please say "try again" in a moment: you will not need a new code.',
      choices: ['Try again'],
    }),
    parse: (text) => (saysTryAgain(text.toLowerCase()) ? { type: 'TRY_AGAIN' } : undefined),
    hint: 'Say "try again" to send your verified request to NAS.',
    noBack: 'You are verified: say "try again" to send the request.',
  },

  'reset.verified': { prompt: done, parse: finished, hint: 'Say "menu" for anything else.', noBack: 'Your request has been raised; say "menu" for anything else.' },
  'reset.alreadyRequested': { prompt: done, parse: finished, hint: 'Say "menu" for anything else.', noBack: 'Say "menu" for anything else.' },
  'reset.hostedLocally': { prompt: done, parse: finished, hint: 'Say "menu" for anything else.', noBack: 'Say "menu" for anything else.' },
  'reset.leaver': { prompt: done, parse: finished, hint: 'Say "menu" for anything else.', noBack: 'Say "menu" for anything else.' },

  'reset.owner.mobile': {
    prompt: () => ({
      text: [
        'Then a shared mailbox owner of your organisation can vouch for you: I will ask them to confirm that it is really you, and the mobile number your temporary password should go to.',
        'Which mobile number should NAS text your temporary password to?',
      ].join('\n'),
    }),
    parse: (text) => {
      const mobile = ukMobile(text);
      if (mobile.ok) return answer('mobile', mobile.value);
      if (/\d{4}/.test(text)) return { invalid: mobile.error };
      return topicAnswer(text);
    },
    hint: 'Please type a UK mobile number, beginning 07 (for example 07400 123456).',
    field: MOBILE_FIELD,
    help: () => MOBILE_FIELD.why,
    previous: (c) => (c.newMobile ? displayMobile(c.newMobile) : undefined),
  },

  'reset.owner.waiting': {
    prompt: (c) => {
      const by = c.vouch ? until(c.vouch.expiresAt, c.now) : 'within 3 days';
      const lines =
        c.problem === 'stillWaiting'
          ? [`No answer from a shared mailbox owner yet. I will tell you here as soon as one answers; they have until ${by}.`]
          : [
              `Thank you. I have asked your organisation's shared mailbox owners to confirm it is you and that ${c.newMobile ? displayMobile(c.newMobile) : 'that number'} is your mobile.`,
              `I will tell you here as soon as one answers (they have until ${by}), so you can close this chat. If nobody can vouch for you — for example, you are the only owner — please contact NAS or the national helpdesk.`,
            ];
      return { text: [...lines, nasNow(c)].join('\n'), choices: ['Any news?'] };
    },
    // Anything but a question about something else ("what are the password rules?") asks whether
    // an owner has answered: "still locked out", "no temporary password yet" are asking for news.
    parse: (text) => {
      const topic = readTopic(text);
      return topic && ASIDES_WHILE_WAITING.has(topic) ? answer('topic', topic) : { type: 'CHECK' };
    },
    hint: 'Say "any news?" to check whether a shared mailbox owner has answered.',
    noBack: 'Your shared mailbox owners have been asked; I will tell you here when one answers.',
  },

  'reset.owner.refused': {
    prompt: (c) => ({ text: refusedText(c), choices: ['Menu'] }),
    parse: finished,
    hint: 'Say "menu" for anything else, or "back" to ask again with another number.',
  },

  'reset.owner.lapsed': {
    prompt: (c) => ({ text: lapsedText(c), choices: ['Ask again', 'Menu'] }),
    parse: (text) => (saysTryAgain(text.toLowerCase()) ? { type: 'TRY_AGAIN' } : finished(text)),
    hint: 'Say "ask again", or "menu".',
  },
} satisfies Record<string, Step>;

export { NATIONAL_HELPDESK };
