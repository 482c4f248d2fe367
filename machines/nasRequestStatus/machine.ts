import { setup } from 'xstate';

/**
 * A NAS request's status, as NAS works it (SPEC §3.1):
 *
 *   received ──START_WORK──▶ inProgress ──COMPLETE──▶ done
 *      │                      │    ▲
 *      │           ASK_REQUESTER   REQUESTER_ANSWERED
 *      │                      ▼    │
 *      └──ASK_REQUESTER──▶ waitingForRequester
 *   (received, inProgress, waitingForRequester) ──REJECT──▶ rejected
 *
 * Asking needs a question, answering needs the answer (or NAS's note of why it carries on),
 * rejecting needs a reason. `done` and `rejected` are final. Pure: who and when are recorded by
 * the caller (the NAS request store), which runs every change through this machine.
 */

export const NAS_REQUEST_STATUSES = ['received', 'inProgress', 'waitingForRequester', 'done', 'rejected'] as const;
export type NasRequestStatus = (typeof NAS_REQUEST_STATUSES)[number];

export type NasStatusEvent =
  | { type: 'START_WORK' }
  | { type: 'ASK_REQUESTER'; question?: string }
  | { type: 'REQUESTER_ANSWERED'; answer?: string; reason?: string }
  | { type: 'COMPLETE' }
  | { type: 'REJECT'; reason?: string };

const given = (text: string | undefined) => typeof text === 'string' && text.trim().length > 0;

export const nasRequestStatusMachine = setup({
  types: { events: {} as NasStatusEvent },
  guards: {
    hasQuestion: ({ event }) => event.type === 'ASK_REQUESTER' && given(event.question),
    hasAnswerOrNote: ({ event }) => event.type === 'REQUESTER_ANSWERED' && (given(event.answer) || given(event.reason)),
    hasReason: ({ event }) => event.type === 'REJECT' && given(event.reason),
  },
}).createMachine({
  id: 'nasRequestStatus',
  initial: 'received',
  states: {
    received: {
      on: {
        START_WORK: 'inProgress',
        ASK_REQUESTER: { guard: 'hasQuestion', target: 'waitingForRequester' },
        REJECT: { guard: 'hasReason', target: 'rejected' },
      },
    },
    inProgress: {
      on: {
        ASK_REQUESTER: { guard: 'hasQuestion', target: 'waitingForRequester' },
        COMPLETE: 'done',
        REJECT: { guard: 'hasReason', target: 'rejected' },
      },
    },
    waitingForRequester: {
      on: {
        REQUESTER_ANSWERED: { guard: 'hasAnswerOrNote', target: 'inProgress' },
        REJECT: { guard: 'hasReason', target: 'rejected' },
      },
    },
    done: { type: 'final' },
    rejected: { type: 'final' },
  },
});
