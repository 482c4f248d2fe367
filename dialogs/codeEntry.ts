/**
 * Why a code step is asked again, in the same words in every flow that sends a one-time code (the
 * owners' verification emails one, the password help texts one): a wrong code and the tries left,
 * an expired code, no code waiting, a new code asked for too soon. The rules are machines/codeEntry.ts.
 */
import { when } from './passwordHelp/common';

/** What a flow's context says of its code. */
export interface CodeEntryState {
  problem?: string;
  attemptsLeft?: number;
  code?: { expiresAt?: number; nextAllowedAt?: number };
}

/** How a flow speaks of its code: what is locked, how the code goes, and the flow's policy. */
export interface CodeEntryWords {
  /** "this address", "this account" */
  readonly lockedFor: string;
  /** "email", "text" */
  readonly sendVerb: string;
  readonly validMinutes: number;
  readonly intervalMinutes: number;
}

const minutes = (n: number) => `${n} minute${n === 1 ? '' : 's'}`;

export function codeProblemText(s: CodeEntryState, words: CodeEntryWords, now: number): string | undefined {
  switch (s.problem) {
    case 'serviceUnavailable':
      return 'Sorry, I could not do that just now: one of the services I use did not answer. Please try again in a moment.';
    case 'wrongCode':
      return s.attemptsLeft === 1
        ? `That code is not right. You have 1 try left before code entry for ${words.lockedFor} is locked for 24 hours.`
        : `That code is not right. You have ${s.attemptsLeft ?? 'a few'} tries left before code entry for ${words.lockedFor} is locked for 24 hours.`;
    case 'codeExpired':
      return `That code has expired: codes work for ${minutes(words.validMinutes)}. Say "send a new code" and I will ${words.sendVerb} another.`;
    case 'noCode':
      return `There is no code waiting for ${words.lockedFor}: it has been used, or a newer one replaced it. Say "send a new code" and I will ${words.sendVerb} another.`;
    case 'codeTooSoon': {
      const next = s.code?.nextAllowedAt ? when(s.code.nextAllowedAt, now) : 'in a moment';
      const stillWorks = s.code?.expiresAt && s.code.expiresAt > now ? ' The last code still works.' : '';
      return `Codes are at least ${minutes(words.intervalMinutes)} apart, so I can send a new one ${next}.${stillWorks}`;
    }
    default:
      return undefined;
  }
}
