/**
 * How owner verification talks (machines/ownerVerification): the NHSmail address, the 6-digit
 * code emailed to it, and what stops it. Any flow that invokes the verification words it with
 * these steps. Until the code is right nothing said depends on whether the address is an account.
 */
import { VERIFICATION_POLICIES } from '../../adapters/verificationCodes';
import type { LeafPaths } from '../../machines/flow';
import type { OwnerVerificationContext, OwnerVerificationMachine } from '../../machines/ownerVerification';
import { codeProblemText, type CodeEntryWords } from '../codeEntry';
import { until } from '../passwordHelp/common';
import { looksLikeAddress, nhsmailAddress, resetCode } from '../passwordHelp/read';
import { answer, type Step, type Steps } from '../step';
import type { FieldInfo, FlowParse } from '../types';
import { NATIONAL_HELPDESK } from '../contacts';
import { quote } from '../text';

const POLICY = VERIFICATION_POLICIES.ownerVerification;
const MINUTES = POLICY.validForMs / 60_000;
const CODE_WORDS: CodeEntryWords = { lockedFor: 'this address', sendVerb: 'email', validMinutes: MINUTES, intervalMinutes: POLICY.minIntervalMs / 60_000 };

/** A verification question as the invoking flow frames it: the child's context and the flow's clock. */
export interface VerificationView {
  v: OwnerVerificationContext;
  now: number;
}

type VerificationState = LeafPaths<ReturnType<OwnerVerificationMachine['getInitialSnapshot']>['value']>;
export type VerificationStep = Exclude<VerificationState, 'start' | 'sendingCode' | 'checkingCode' | 'identifying' | 'verified' | 'left'>;

export const OWNER_ADDRESS_FIELD: FieldInfo = {
  name: 'your NHSmail address',
  why: 'Only a shared mailbox owner can ask for staff changes, so I check who you are: I email a 6-digit code to your NHSmail address, and you type it here. That proves the address is yours.',
  whereToFind: 'It is the address you log in to NHSmail with, ending @nhs.net (for example jane.smith@nhs.net). It is not the shared mailbox address.',
};

export const OWNER_CODE_FIELD: FieldInfo = {
  name: 'the 6-digit code',
  why: 'The code proves that you can read the NHSmail address you gave, so nobody else can make changes in your name.',
  whereToFind: `It is in an email just sent to your NHSmail address, from the NHSmail care assistant. It works for ${MINUTES} minutes. If nothing came, check the address, look in junk mail, or say "send a new code".`,
};

function addressAnswer(text: string): FlowParse {
  const typed = nhsmailAddress(text);
  if (typed.ok) return answer('ownerAddress', typed.value);
  return looksLikeAddress(text) ? { invalid: typed.error } : undefined;
}

const saysResend = (t: string) =>
  /\b(?:send|email)\b.*\b(?:again|another|new)\b|\bresend\b|\bnew code\b|\banother code\b|\bexpired\b|\b(?:didn'?t|did not|haven'?t|have not|never) (?:get|got|receive|come|arrive)|\bnothing (?:came|arrived)\b|\bno (?:email|code)\b/.test(t.toLowerCase());

export const VERIFICATION_STEPS: Steps<VerificationStep, VerificationView> = {
  address: {
    prompt: () => ({
      text: [
        'First I need to check that you are the shared mailbox owner (or, for your own leaving, that it is you).',
        'What is your NHSmail address? I will email a 6-digit code to it.',
      ].join('\n'),
    }),
    parse: (text) => addressAnswer(text),
    hint: 'Please type your NHSmail address, ending @nhs.net (for example jane.smith@nhs.net).',
    field: OWNER_ADDRESS_FIELD,
    help: () => `${OWNER_ADDRESS_FIELD.why} ${OWNER_ADDRESS_FIELD.whereToFind}`,
    previous: ({ v }) => v.address,
  },
  code: {
    prompt: ({ v, now }) => {
      const lines: string[] = [];
      if (v.codeSent) {
        // Worded so that it reads right when the question is asked again.
        lines.push(
          `${v.codeSent === 'again' ? 'A new' : 'A'} 6-digit code has been emailed to ${quote(v.address ?? '')}${v.code?.expiresAt ? `; it works until ${until(v.code.expiresAt, now)}` : ''}${v.codeSent === 'again' ? ', and the earlier one no longer works' : ''}. (If that is not an NHSmail account, no email is sent.)`,
        );
      }
      lines.push(`Please type the code from that email.`);
      return { text: lines.join('\n'), choices: ['Send a new code', 'Use another address'] };
    },
    parse: (text) => {
      const code = resetCode(text);
      if (code) return code.ok ? answer('ownerCode', code.value) : { invalid: code.error };
      if (saysResend(text) || /^\s*1\s*$/.test(text)) return { type: 'RESEND' };
      if (/^\s*2\s*$/.test(text)) return { type: 'BACK' };
      if (/\b(?:another|different|other|wrong) (?:address|email)\b|\buse another\b/i.test(text)) return { type: 'BACK' };
      return addressAnswer(text);
    },
    hint: 'Please type the 6 digits from the email, for example 246810. Or say "send a new code".',
    field: OWNER_CODE_FIELD,
    help: () => OWNER_CODE_FIELD.whereToFind,
    previous: ({ v }) => v.address,
  },
  locked: {
    prompt: ({ v, now }) => ({
      text: [
        v.dailyLimitUntil
          ? `I have sent the most codes allowed for ${quote(v.address ?? '')} in 24 hours (${POLICY.maxPerDay}), so I cannot send another until ${until(v.dailyLimitUntil, now)}.`
          : `Too many wrong codes were typed for ${quote(v.address ?? '')}, so for its safety code entry is locked${v.lockedUntil ? ` until ${until(v.lockedUntil, now)}` : ' for 24 hours'}, whichever chat they came from.`,
        'You can use another NHSmail address (say "back"), or ask NAS or the national helpdesk: ' + `${NATIONAL_HELPDESK.phone}, ${NATIONAL_HELPDESK.hours}.`,
      ].join('\n'),
    }),
    parse: (text) => addressAnswer(text),
    hint: 'Say "back" to use another NHSmail address, or "menu" for anything else.',
  },
  unavailable: {
    prompt: () => ({
      text: 'Sorry, I could not look you up in the NHSmail directory just now. Please say "try again" in a moment: you will not need a new code.',
      choices: ['Try again'],
    }),
    parse: (text) => (/\btry\b|\bagain\b|^(?:yes|ok|retry|1)\b/i.test(text.trim()) ? { type: 'TRY_AGAIN' } : undefined),
    hint: 'Say "try again".',
  },
} satisfies Record<VerificationStep, Step<VerificationView>>;

/** Why the verification step is asked again, in words. */
export function verificationProblemText(v: OwnerVerificationContext, now: number): string | undefined {
  const code = codeProblemText(v, CODE_WORDS, now);
  if (code) return code;
  switch (v.problem) {
    case 'teamsNotKnown':
      return 'Teams tells me who you are signed in as, but that is not an NHSmail account I know, so I will check you another way.';
    case 'notAnAccount':
      return 'I cannot find that NHSmail address in the directory any more. Please type your NHSmail address again.';
    default:
      return undefined;
  }
}
