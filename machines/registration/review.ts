import { registration } from './setup';

/**
 * Part 6, review and confirm (SPEC §1.5): the request is submitted once per attempt (a confirm
 * pressed twice or retried makes one request). When another person's registration for the same
 * organisation is already being processed, this one is kept for NAS under its own reference and
 * the user is told so.
 */
export const review = registration.createStateConfig({
  meta: { step: 4, title: 'Review and confirm' },
  initial: 'summary',
  states: {
    summary: {
      tags: ['question'],
      on: {
        CONFIRM: { target: 'submitting', actions: 'clearProblem' },
        // "Change 2 email", "change Ben's mobile", a card's Change button: changed, then shown here again.
        EDIT_MEMBER: [
          { guard: 'isStaleList', actions: { type: 'problem', params: { problem: 'staleList' } } },
          { guard: 'isOwnerFlagChange', actions: { type: 'problem', params: { problem: 'cannotChangeOwnerFlags' } } },
          { guard: 'memberExists', target: '#registration.members.entering', actions: ['startEdit', 'startReviewChange'] },
          { actions: { type: 'problem', params: { problem: 'noSuchMember' } } },
        ],
        CHANGE_TOWN: { target: '#registration.town.town', actions: ['clearProblem', 'startReviewChange'] },
        BACK: { target: '#registration.members.list', actions: 'clearProblem' },
      },
    },
    submitting: {
      tags: ['busy'],
      invoke: {
        src: 'submitRegistration',
        input: ({ context }) => ({
          attemptId: context.attemptId,
          organisation: {
            kind: context.organisation!.kind as 'care' | 'dental',
            name: context.organisation!.name,
            odsCode: context.organisation!.odsCode,
            cqcLocationId: context.organisation!.cqcLocationId,
          },
          town: context.town!,
          mailboxTown: context.mailboxTown!,
          members: context.members.map(({ id: _id, ...member }) => member),
          verifiedBy: context.verifiedBy!,
          requester: context.requester,
        }),
        onDone: [
          { guard: 'wasAlreadyBeingProcessed', target: 'alreadyBeingProcessed', actions: 'keepSubmission' },
          { target: 'submitted', actions: 'keepSubmission' },
        ],
        onError: { target: 'summary', actions: { type: 'problem', params: { problem: 'submitFailed' } } },
      },
    },
    /** Done: the reference and next steps stay on show; confirming again changes nothing. */
    submitted: { tags: ['done'], meta: { title: 'Registration submitted' } },
    /** Someone else's registration came first; this one is kept for NAS, nothing more to do here. */
    alreadyBeingProcessed: { tags: ['done', 'stop'], meta: { title: 'Registration not needed' } },
  },
});
