import { and } from 'xstate';
import { registration, memberEntryInput } from './setup';

/**
 * Part 5, the members (SPEC §1.4): 2 to 10 people, the first the shared mailbox owner. Each is
 * entered by the member entry machine (invoked as `member`); the list can add, change any field,
 * remove anyone but the owner (after asking), and finish with enough people. Members keep a stable
 * id and the list a version, so a card from an older list acts on no one.
 */
const memberProblem = (problem: 'staleList' | 'noSuchMember' | 'cannotRemoveOwner' | 'cannotChangeOwnerFlags' | 'membersFull' | 'tooFewMembers') => ({
  type: 'problem' as const,
  params: { problem },
});

export const members = registration.createStateConfig({
  meta: { step: 3, title: 'Members' },
  initial: 'list',
  states: {
    entering: {
      invoke: {
        id: 'member',
        src: 'memberEntry',
        input: ({ context }) => memberEntryInput(context),
        onDone: [
          { guard: and(['isReviewChange', 'memberSaved']), target: '#registration.review.summary', actions: ['keepMember', 'endReviewChange'] },
          { guard: 'isReviewChange', target: '#registration.review.summary', actions: ['endEntry', 'endReviewChange'] },
          { guard: 'memberSaved', target: 'list', actions: 'keepMember' },
          { guard: 'hasMembers', target: 'list', actions: 'endEntry' },
          { target: '#registration.town.mailboxAddress', actions: 'endEntry' },
        ],
      },
      on: {
        ANSWER: { actions: 'forwardToMember' },
        SAVE_MEMBER: { actions: 'forwardToMember' },
        BACK: { actions: 'forwardToMember' },
        LIST_MEMBERS: { actions: 'forwardToMember' },
      },
    },
    list: {
      tags: ['question'],
      on: {
        ADD_MEMBER: [{ guard: 'hasRoomForAnotherMember', target: 'entering', actions: 'startNewMember' }, { actions: memberProblem('membersFull') }],
        EDIT_MEMBER: [
          { guard: 'isStaleList', actions: memberProblem('staleList') },
          { guard: 'isOwnerFlagChange', actions: memberProblem('cannotChangeOwnerFlags') },
          { guard: 'memberExists', target: 'entering', actions: 'startEdit' },
          { actions: memberProblem('noSuchMember') },
        ],
        REMOVE_MEMBER: [
          { guard: 'isStaleList', actions: memberProblem('staleList') },
          { guard: 'isOwnerRemoval', actions: memberProblem('cannotRemoveOwner') },
          { guard: 'memberExists', target: 'confirmRemoval', actions: 'askRemoval' },
          { actions: memberProblem('noSuchMember') },
        ],
        LIST_MEMBERS: { actions: 'clearProblem' },
        MEMBERS_DONE: [{ guard: 'hasEnoughMembers', target: '#registration.review', actions: 'clearProblem' }, { actions: memberProblem('tooFewMembers') }],
        BACK: { target: '#registration.town.mailboxAddress', actions: 'clearProblem' },
      },
    },
    confirmRemoval: {
      tags: ['question'],
      on: {
        ANSWER: [
          { guard: 'confirmedRemoval', target: 'list', actions: 'removeMember' },
          { guard: 'refusedRemoval', target: 'list', actions: 'keepMemberAfterAll' },
        ],
        // The same Remove button pressed again asks the same question again.
        REMOVE_MEMBER: {},
        BACK: { target: 'list', actions: 'keepMemberAfterAll' },
      },
    },
  },
});
