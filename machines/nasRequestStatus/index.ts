import { transition } from 'xstate';
import { NAS_REQUEST_STATUSES, NasRequestStatus, nasRequestStatusMachine, NasStatusEvent } from './machine';

export { NAS_REQUEST_STATUSES, nasRequestStatusMachine } from './machine';
export type { NasRequestStatus, NasStatusEvent } from './machine';

/** A change asked for by its target status, as the back office and the chat ask for it. */
export interface StatusChangeRequest {
  status: NasRequestStatus;
  reason?: string;
  question?: string;
  answer?: string;
}

export type StatusDecision =
  | { ok: true; status: NasRequestStatus; event: NasStatusEvent }
  | {
      ok: false;
      problem: 'notAllowed' | 'questionRequired' | 'answerRequired' | 'reasonRequired';
      /** Says what is wrong and, for a move that is not allowed, which are. */
      message: string;
      /** The statuses the request may move to from where it is. */
      allowed: NasRequestStatus[];
    };

/** The event that moves a request from `from` to `change.status`, if any does. */
function eventFor(from: NasRequestStatus, change: StatusChangeRequest): NasStatusEvent | undefined {
  switch (change.status) {
    case 'inProgress':
      return from === 'waitingForRequester' ? { type: 'REQUESTER_ANSWERED', answer: change.answer, reason: change.reason } : { type: 'START_WORK' };
    case 'waitingForRequester':
      return { type: 'ASK_REQUESTER', question: change.question };
    case 'done':
      return { type: 'COMPLETE' };
    case 'rejected':
      return { type: 'REJECT', reason: change.reason };
    default:
      return undefined; // nothing moves a request back to `received`
  }
}

/** The same change with every text it could need, to tell "not allowed" from "missing a text". */
const complete = (change: StatusChangeRequest): StatusChangeRequest => ({ ...change, reason: 'x', question: 'x', answer: 'x' });

const snapshotAt = (status: NasRequestStatus) => nasRequestStatusMachine.resolveState({ value: status, context: {} });

function reaches(from: NasRequestStatus, change: StatusChangeRequest): boolean {
  const event = eventFor(from, change);
  if (!event) return false;
  const [next] = transition(nasRequestStatusMachine, snapshotAt(from), event);
  return next.value !== from;
}

/** The statuses a request in `from` may move to (given the texts each needs). */
export function allowedStatuses(from: NasRequestStatus): NasRequestStatus[] {
  return NAS_REQUEST_STATUSES.filter((to) => to !== from && reaches(from, complete({ status: to })));
}

const NAMES: Record<NasRequestStatus, string> = {
  received: 'received',
  inProgress: 'in progress',
  waitingForRequester: 'waiting for the requester',
  done: 'done',
  rejected: 'rejected',
};

/** "in progress", "waiting for the requester": a status as people say it. */
export const statusName = (status: NasRequestStatus): string => NAMES[status];

/**
 * Whether a request in `from` may move to `change.status` with the texts given, by running the
 * status machine; refusals name the allowed statuses, or the text that is missing.
 */
export function decideStatusChange(from: NasRequestStatus, change: StatusChangeRequest): StatusDecision {
  const allowed = allowedStatuses(from);
  if (change.status !== from && reaches(from, change)) return { ok: true, status: change.status, event: eventFor(from, change)! };
  if (allowed.includes(change.status)) {
    const missing =
      change.status === 'waitingForRequester'
        ? ({ problem: 'questionRequired', message: 'a question for the requester is required' } as const)
        : change.status === 'rejected'
          ? ({ problem: 'reasonRequired', message: 'a reason for the rejection is required' } as const)
          : ({ problem: 'answerRequired', message: "the requester's answer (or a note of why work carries on) is required" } as const);
    return { ok: false, ...missing, allowed };
  }
  const options = allowed.length ? `it may move to ${allowed.map(statusName).join(', ')}` : `${statusName(from)} is final`;
  return {
    ok: false,
    problem: 'notAllowed',
    message: `a request that is ${statusName(from)} cannot become ${statusName(change.status)}: ${options}`,
    allowed,
  };
}
