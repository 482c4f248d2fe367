import { codeProblemText, type CodeEntryWords } from '../../dialogs/codeEntry';

const NOW = Date.UTC(2026, 11, 2, 10, 0); // Wednesday 2 December 2026, 10:00 in London
const EMAIL: CodeEntryWords = { lockedFor: 'this address', sendVerb: 'email', validMinutes: 10, intervalMinutes: 1 };
const TEXT: CodeEntryWords = { lockedFor: 'this account', sendVerb: 'text', validMinutes: 15, intervalMinutes: 2 };

describe('why a code step is asked again, in the same words in every flow that sends a code', () => {
  it.each([
    [{ problem: 'wrongCode', attemptsLeft: 4 }, EMAIL, 'That code is not right. You have 4 tries left before code entry for this address is locked for 24 hours.'],
    [{ problem: 'wrongCode', attemptsLeft: 1 }, TEXT, 'That code is not right. You have 1 try left before code entry for this account is locked for 24 hours.'],
    [{ problem: 'codeExpired' }, EMAIL, 'That code has expired: codes work for 10 minutes. Say "send a new code" and I will email another.'],
    [{ problem: 'codeExpired' }, TEXT, 'That code has expired: codes work for 15 minutes. Say "send a new code" and I will text another.'],
    [{ problem: 'noCode' }, TEXT, 'There is no code waiting for this account: it has been used, or a newer one replaced it. Say "send a new code" and I will text another.'],
    [
      { problem: 'codeTooSoon', code: { nextAllowedAt: NOW + 60_000, expiresAt: NOW + 5 * 60_000 } },
      EMAIL,
      'Codes are at least 1 minute apart, so I can send a new one at 10:01am. The last code still works.',
    ],
    [{ problem: 'codeTooSoon', code: { nextAllowedAt: NOW + 60_000, expiresAt: NOW - 1 } }, TEXT, 'Codes are at least 2 minutes apart, so I can send a new one at 10:01am.'],
    [{ problem: 'codeTooSoon', code: { nextAllowedAt: NOW + 2 * 86_400_000 } }, EMAIL, 'Codes are at least 1 minute apart, so I can send a new one on Friday 4 December at 10am.'],
    [{ problem: 'serviceUnavailable' }, EMAIL, 'Sorry, I could not do that just now: one of the services I use did not answer. Please try again in a moment.'],
  ])('%j (%j)', (state, words, said) => {
    expect(codeProblemText(state, words, NOW)).toBe(said);
  });

  it('says nothing of a problem that is not the code’s', () => {
    expect(codeProblemText({ problem: 'notAnAccount' }, EMAIL, NOW)).toBeUndefined();
    expect(codeProblemText({}, TEXT, NOW)).toBeUndefined();
  });
});
