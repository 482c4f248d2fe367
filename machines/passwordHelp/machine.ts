import { and } from 'xstate';
import { initialContext } from './model';
import { passwordHelp } from './setup';

/**
 * The password and account help (SPEC §2) as a statechart.
 *
 * - `triage` asks what is happening; each case is a state that explains what to do and who to
 *   contact (`forgotten`, `locked`, `notActivated`, `temporaryPasswordMissing`, `inactive`), or an
 *   explanation asked for by name (`passwordRules`, `mobileInDirectory`). A topic chosen anywhere
 *   (the root's `ANSWER topic`) goes straight to it.
 * - `reset` raises a reset request for NAS: the NHSmail address, then either a 6-digit code texted
 *   to the mobile on record (`enterCode`; right → `submitting` → `verified`), or — no mobile, or
 *   lost it — the shared mailbox owner asked to vouch (`owner.*`), the requester waiting until the
 *   owner's answer is delivered (`OWNER_ANSWERED`) or asked for (`CHECK`).
 * - `vouch` is the owner's side: the code from the email (or the proactive message), the question,
 *   and the answer.
 *
 * Every state reached before anyone is verified says the same whatever the address: whether the
 * account exists, has a mobile or has an owner is known only to the services. Passwords are never
 * asked for; no event carries one.
 */
const toTopic = [
  { guard: 'choseForgotten', target: '#passwordHelp.forgotten', actions: ['recordTopic', 'clearProblem'] },
  { guard: 'choseLocked', target: '#passwordHelp.locked', actions: ['recordTopic', 'clearProblem'] },
  { guard: 'choseNotActivated', target: '#passwordHelp.notActivated', actions: ['recordTopic', 'clearProblem'] },
  { guard: 'choseTemporaryPasswordMissing', target: '#passwordHelp.temporaryPasswordMissing', actions: ['recordTopic', 'clearProblem'] },
  { guard: 'choseInactive', target: '#passwordHelp.inactive', actions: ['recordTopic', 'clearProblem'] },
  { guard: 'chosePasswordRules', target: '#passwordHelp.passwordRules', actions: ['recordTopic', 'clearProblem'] },
  { guard: 'choseMobileInDirectory', target: '#passwordHelp.mobileInDirectory', actions: ['recordTopic', 'clearProblem'] },
  { guard: 'choseReset', target: '#passwordHelp.reset', actions: ['recordTopic', 'clearProblem'] },
  { guard: 'choseVouch', target: '#passwordHelp.vouch', actions: ['recordTopic', 'clearProblem'] },
  // "vouch 7KD9-QX2P-M4TN" typed anywhere: an owner answering, straight to the request.
  { guard: 'gaveVouchCode', target: '#passwordHelp.vouch.finding', actions: 'recordVouchCode' },
] as const;

/** What an explanation offers next: a reset request, or the end. */
const afterExplaining = {
  ANSWER: [
    { guard: 'wantsResetRequest', target: '#passwordHelp.reset', actions: 'clearProblem' },
    { guard: 'isFinishedHere', target: '#passwordHelp.closed' },
  ],
  BACK: { target: '#passwordHelp.triage', actions: 'clearProblem' },
} as const;

/** "Thanks", "done" at an end: back to the menu. */
const finishing = { ANSWER: { guard: 'isFinishedHere', target: '#passwordHelp.closed' } } as const;

export const passwordHelpMachine = passwordHelp.createMachine({
  id: 'passwordHelp',
  context: ({ input }) => initialContext(input),
  initial: 'starting',
  on: { ANSWER: toTopic },
  states: {
    starting: {
      entry: 'noteTime',
      always: [
        { guard: 'isVouching', target: 'vouch.finding' },
        { guard: { type: 'startsAt', params: { topic: 'forgotten' } }, target: 'forgotten' },
        { guard: { type: 'startsAt', params: { topic: 'locked' } }, target: 'locked' },
        { guard: { type: 'startsAt', params: { topic: 'notActivated' } }, target: 'notActivated' },
        { guard: { type: 'startsAt', params: { topic: 'temporaryPasswordMissing' } }, target: 'temporaryPasswordMissing' },
        { guard: { type: 'startsAt', params: { topic: 'inactive' } }, target: 'inactive' },
        { guard: { type: 'startsAt', params: { topic: 'passwordRules' } }, target: 'passwordRules' },
        { guard: { type: 'startsAt', params: { topic: 'mobileInDirectory' } }, target: 'mobileInDirectory' },
        { guard: { type: 'startsAt', params: { topic: 'reset' } }, target: 'reset' },
        { guard: { type: 'startsAt', params: { topic: 'vouch' } }, target: 'vouch' },
        { target: 'triage' },
      ],
    },
    triage: {
      tags: ['question'],
      meta: { title: 'What is happening?' },
      entry: 'noteTime',
    },
    forgotten: {
      tags: ['info'],
      meta: { title: 'Forgotten password' },
      entry: 'noteTime',
      on: {
        ANSWER: [
          { guard: 'cannotAnswerSecurityQuestions', target: 'reset', actions: 'clearProblem' },
          { guard: 'wantsResetRequest', target: 'reset', actions: 'clearProblem' },
          { guard: 'selfServiceWorked', target: 'closed' },
          { guard: 'isFinishedHere', target: 'closed' },
        ],
        BACK: { target: 'triage', actions: 'clearProblem' },
      },
    },
    locked: {
      meta: { title: 'Locked out' },
      initial: 'address',
      states: {
        address: {
          tags: ['question'],
          entry: 'noteTime',
          on: {
            ANSWER: { guard: 'gaveAddress', target: 'lookingUp', actions: 'recordAddress' },
            BACK: { target: '#passwordHelp.triage', actions: 'clearProblem' },
          },
        },
        lookingUp: {
          tags: ['busy'],
          invoke: {
            src: 'whoAdministers',
            input: ({ context }) => ({ address: context.address! }),
            onDone: { target: 'advice', actions: 'keepAdministrator' },
            onError: { target: 'address', actions: { type: 'problem', params: { problem: 'serviceUnavailable' } } },
          },
        },
        advice: {
          tags: ['info'],
          entry: 'noteTime',
          on: {
            ANSWER: [
              { guard: and(['wantsResetRequest', 'nasMayResetIt']), target: '#passwordHelp.reset', actions: 'clearProblem' },
              { guard: 'isFinishedHere', target: '#passwordHelp.closed' },
            ],
            BACK: { target: 'address', actions: 'clearProblem' },
          },
        },
      },
    },
    notActivated: {
      tags: ['info'],
      meta: { title: 'First login and activation' },
      entry: 'noteTime',
      on: {
        ANSWER: [{ guard: 'temporaryPasswordNeverCame', target: 'temporaryPasswordMissing', actions: 'clearProblem' }, ...afterExplaining.ANSWER],
        BACK: afterExplaining.BACK,
      },
    },
    temporaryPasswordMissing: {
      tags: ['info'],
      meta: { title: 'Temporary password never arrived' },
      entry: 'noteTime',
      on: afterExplaining,
    },
    inactive: {
      tags: ['info'],
      meta: { title: 'Account not used for a while' },
      entry: 'noteTime',
      on: afterExplaining,
    },
    passwordRules: {
      tags: ['info'],
      meta: { title: 'Password rules' },
      entry: 'noteTime',
      on: afterExplaining,
    },
    mobileInDirectory: {
      tags: ['info'],
      meta: { title: 'Your mobile number in the NHS Directory' },
      entry: 'noteTime',
      on: afterExplaining,
    },
    reset: {
      meta: { title: 'Password reset request' },
      initial: 'entry',
      states: {
        entry: { always: [{ guard: 'knowsAddress', target: 'canReceiveTexts' }, { target: 'address' }] },
        address: {
          tags: ['question'],
          entry: 'noteTime',
          on: {
            ANSWER: { guard: 'gaveAddress', target: 'canReceiveTexts', actions: 'recordAddress' },
            BACK: { target: '#passwordHelp.triage', actions: 'clearProblem' },
          },
        },
        canReceiveTexts: {
          tags: ['question'],
          entry: 'noteTime',
          on: {
            ANSWER: [
              { guard: 'canReceiveTexts', target: 'sendingCode', actions: 'clearProblem' },
              { guard: 'cannotReceiveTexts', target: 'owner', actions: 'clearProblem' },
              { guard: 'gaveAddress', target: 'canReceiveTexts', reenter: true, actions: 'recordAddress' },
            ],
            BACK: { target: 'address', actions: 'clearProblem' },
          },
        },
        sendingCode: {
          tags: ['busy'],
          invoke: {
            src: 'sendResetCode',
            input: ({ context }) => ({ address: context.address! }),
            onDone: [
              { guard: 'codeWasSent', target: 'enterCode', actions: 'keepCodeSent' },
              { guard: 'sendingTooSoon', target: 'enterCode', actions: 'keepCodeTooSoon' },
              { guard: 'dailyLimitReached', target: 'noMoreCodes', actions: 'keepDailyLimit' },
              { target: 'codeLocked', actions: 'keepSendLock' },
            ],
            onError: { target: 'canReceiveTexts', actions: { type: 'problem', params: { problem: 'serviceUnavailable' } } },
          },
        },
        enterCode: {
          tags: ['question'],
          entry: 'noteTime',
          on: {
            ANSWER: [
              { guard: 'gaveCode', target: 'verifyingCode', actions: 'clearProblem' },
              // "I don't have that phone", "that's not my number", "no code came": the owner instead.
              { guard: 'cannotReceiveTexts', target: 'owner', actions: 'clearProblem' },
            ],
            RESEND: { target: 'sendingCode', actions: 'clearProblem' },
            BACK: { target: 'canReceiveTexts', actions: 'clearProblem' },
          },
        },
        verifyingCode: {
          tags: ['busy'],
          invoke: {
            src: 'verifyResetCode',
            input: ({ context, event }) => ({ address: context.address!, code: String((event as { answer?: { value?: unknown } }).answer?.value ?? '') }),
            onDone: [
              { guard: 'codeIsRight', target: 'submitting' },
              { guard: 'codeIsWrongWithAttemptsLeft', target: 'enterCode', actions: 'keepWrongCode' },
              { guard: 'codeEntryIsLocked', target: 'codeLocked', actions: 'keepCheckLock' },
              { guard: 'codeHasExpired', target: 'enterCode', actions: { type: 'problem', params: { problem: 'codeExpired' } } },
              { target: 'enterCode', actions: { type: 'problem', params: { problem: 'noCode' } } },
            ],
            onError: { target: 'enterCode', actions: { type: 'problem', params: { problem: 'serviceUnavailable' } } },
          },
        },
        submitting: {
          tags: ['busy'],
          invoke: {
            src: 'submitReset',
            input: ({ context }) => ({ address: context.address!, attemptId: context.attemptId, session: context.session }),
            onDone: [
              { guard: 'wasRaised', target: 'verified', actions: 'keepResult' },
              { guard: 'wasAlreadyRequested', target: 'alreadyRequested', actions: 'keepResult' },
              { guard: 'isHostedLocally', target: 'hostedLocally', actions: 'keepResult' },
              { target: 'leaver', actions: 'keepResult' },
            ],
            onError: { target: 'submitFailed' },
          },
        },
        /** The code was right but the request could not be stored: trying again needs no new code. */
        submitFailed: {
          tags: ['stop'],
          entry: 'noteTime',
          on: { TRY_AGAIN: { target: 'submitting' } },
        },
        verified: { tags: ['done'], entry: 'noteTime', on: finishing },
        alreadyRequested: { tags: ['done'], entry: 'noteTime', on: finishing },
        hostedLocally: { tags: ['done'], entry: 'noteTime', on: finishing },
        leaver: { tags: ['done'], entry: 'noteTime', on: finishing },
        codeLocked: {
          tags: ['stop'],
          entry: 'noteTime',
          on: {
            ANSWER: { guard: 'cannotReceiveTexts', target: 'owner', actions: 'clearProblem' },
            BACK: { target: 'canReceiveTexts', actions: 'clearProblem' },
          },
        },
        noMoreCodes: {
          tags: ['stop'],
          entry: 'noteTime',
          on: {
            ANSWER: { guard: 'cannotReceiveTexts', target: 'owner', actions: 'clearProblem' },
            BACK: { target: 'canReceiveTexts', actions: 'clearProblem' },
          },
        },
        owner: {
          initial: 'mobile',
          states: {
            mobile: {
              tags: ['question'],
              entry: 'noteTime',
              on: {
                ANSWER: { guard: 'gaveMobile', target: 'asking', actions: 'recordMobile' },
                BACK: { target: '#passwordHelp.reset.canReceiveTexts', actions: 'clearProblem' },
              },
            },
            asking: {
              tags: ['busy'],
              invoke: {
                src: 'askOwner',
                input: ({ context }) => ({ address: context.address!, mobile: context.newMobile!, attemptId: context.attemptId, session: context.session }),
                onDone: { target: 'waiting', actions: 'keepVouch' },
                onError: { target: 'mobile', actions: { type: 'problem', params: { problem: 'serviceUnavailable' } } },
              },
            },
            /** The conversation can rest here for days; the owner's answer is delivered, or asked for. */
            waiting: {
              tags: ['waiting'],
              entry: 'noteTime',
              on: {
                CHECK: { target: 'checking', actions: 'clearProblem' },
                OWNER_ANSWERED: [
                  { guard: 'isThisVouch', target: 'decided', actions: 'keepVouchStatus' },
                ],
              },
            },
            checking: {
              tags: ['busy'],
              invoke: {
                src: 'vouchStatus',
                input: ({ context }) => ({ vouchId: context.vouch!.vouchId }),
                onDone: [
                  { guard: 'ownerVouched', target: 'decided', actions: 'keepVouchStatus' },
                  { guard: 'ownerRefused', target: 'decided', actions: 'keepVouchStatus' },
                  { guard: 'vouchLapsed', target: 'decided', actions: 'keepVouchStatus' },
                  { target: 'waiting', actions: 'keepVouchStatus' },
                ],
                onError: { target: 'waiting', actions: { type: 'problem', params: { problem: 'serviceUnavailable' } } },
              },
            },
            decided: {
              always: [
                { guard: { type: 'resultIs', params: { outcome: 'raised' } }, target: '#passwordHelp.reset.verified' },
                { guard: { type: 'resultIs', params: { outcome: 'alreadyRequested' } }, target: '#passwordHelp.reset.alreadyRequested' },
                { guard: { type: 'resultIs', params: { outcome: 'hostedLocally' } }, target: '#passwordHelp.reset.hostedLocally' },
                { guard: { type: 'resultIs', params: { outcome: 'leaver' } }, target: '#passwordHelp.reset.leaver' },
                { guard: 'ownerSaidNo', target: 'refused' },
                { target: 'lapsed' },
              ],
            },
            refused: {
              tags: ['done'],
              entry: 'noteTime',
              on: { ...finishing, BACK: { target: 'mobile', actions: 'clearProblem' } },
            },
            /** Nobody answered in time: the user may ask again or contact NAS. */
            lapsed: {
              tags: ['stop'],
              entry: 'noteTime',
              on: {
                ...finishing,
                TRY_AGAIN: { target: 'asking' },
                BACK: { target: 'mobile', actions: 'clearProblem' },
              },
            },
          },
        },
      },
    },
    vouch: {
      meta: { title: 'Vouching for a colleague' },
      initial: 'code',
      states: {
        code: {
          tags: ['question'],
          entry: 'noteTime',
          on: {
            ANSWER: { guard: 'gaveVouchCode', target: 'finding', actions: 'recordVouchCode' },
            BACK: { target: '#passwordHelp.triage', actions: 'clearProblem' },
          },
        },
        finding: {
          tags: ['busy'],
          invoke: {
            src: 'findVouch',
            input: ({ context }) => ({ code: context.owner!.code!, session: context.session }),
            onDone: [
              { guard: 'vouchFound', target: 'question', actions: 'keepVouchLookup' },
              { guard: 'vouchCodeUnknown', target: 'checkFailures', actions: 'keepVouchLookup' },
              { target: 'closedRequest', actions: 'keepVouchLookup' },
            ],
            onError: { target: 'code', actions: { type: 'problem', params: { problem: 'serviceUnavailable' } } },
          },
        },
        checkFailures: { always: [{ guard: 'tooManyVouchCodes', target: 'tooManyCodes' }, { target: 'code' }] },
        question: {
          tags: ['question'],
          entry: 'noteTime',
          on: {
            ANSWER: [
              { guard: 'ownerSaysYes', target: 'answering' },
              { guard: 'ownerSaysNo', target: 'answering' },
            ],
            BACK: { target: 'code', actions: 'clearProblem' },
          },
        },
        answering: {
          tags: ['busy'],
          invoke: {
            src: 'answerVouch',
            input: ({ context, event }) => ({
              code: context.owner!.code!,
              answer: (event as { answer?: { value?: unknown } }).answer?.value === true ? ('yes' as const) : ('no' as const),
              session: context.session,
            }),
            onDone: { target: 'answered', actions: 'keepVouchAnswer' },
            onError: { target: 'question', actions: { type: 'problem', params: { problem: 'serviceUnavailable' } } },
          },
        },
        answered: { tags: ['done'], entry: 'noteTime', on: finishing },
        /** The request was already answered, or has lapsed. */
        closedRequest: { tags: ['done'], entry: 'noteTime', on: finishing },
        tooManyCodes: { tags: ['stop'], entry: 'noteTime', on: finishing },
      },
    },
    /** The user is done ("that worked"): back to the menu. */
    closed: { type: 'final' },
  },
});


export type PasswordHelpMachine = typeof passwordHelpMachine;
