import { registration } from './setup';

/**
 * Part 4, the town (SPEC §1.4): the town in our records taken as it is (it is offered as a button),
 * any other typed and typed again (the same letters: "Stockton-on-Tees" and "stockton on tees" agree), abbreviated to at most 10 letters for the shared mailbox address,
 * which is then shown. There is no going back into verification from here.
 */
export const town = registration.createStateConfig({
  meta: { step: 3, title: 'Town and members' },
  initial: 'town',
  states: {
    town: {
      tags: ['question'],
      on: {
        ANSWER: [
          // The town in our records (offered as a button): nothing to confirm, it is the town.
          { guard: 'gaveRecordedTown', target: 'townChecked', actions: ['recordTypedTown', 'confirmTown'] },
          { guard: 'gaveTown', target: 'townConfirm', actions: 'recordTypedTown' },
        ],
      },
    },
    townConfirm: {
      tags: ['question'],
      on: {
        ANSWER: [
          { guard: 'townMatches', target: 'townChecked', actions: 'confirmTown' },
          { guard: 'gaveTownAgain', target: 'town', actions: { type: 'problem', params: { problem: 'townMismatch' } } },
        ],
        BACK: { target: 'town', actions: 'clearProblem' },
      },
    },
    townChecked: {
      always: [{ guard: ({ context }) => context.mailboxTown === undefined, target: 'townAbbreviation' }, { target: 'mailboxAddress' }],
    },
    townAbbreviation: {
      tags: ['question'],
      on: {
        ANSWER: { guard: 'gaveTownAbbreviation', target: 'mailboxAddress', actions: 'recordMailboxTown' },
        BACK: { target: 'town', actions: 'clearProblem' },
      },
    },
    mailboxAddress: {
      tags: ['question'],
      on: {
        CONTINUE: [
          { guard: 'isReviewChange', target: '#registration.review.summary', actions: ['clearProblem', 'endReviewChange'] },
          { guard: 'hasMembers', target: '#registration.members.list', actions: 'clearProblem' },
          { target: '#registration.members.entering', actions: 'startNewMember' },
        ],
        BACK: { target: 'town', actions: 'clearProblem' },
      },
    },
  },
});
