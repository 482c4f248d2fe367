import { getShortestPaths } from '@xstate/graph';
import { createActor } from 'xstate';
import {
  allowedStatuses,
  decideStatusChange,
  NAS_REQUEST_STATUSES,
  NasRequestStatus,
  nasRequestStatusMachine,
  NasStatusEvent,
  StatusChangeRequest,
} from '../../machines/nasRequestStatus';
import { coverageOf } from '../helpers/coverage';

const coverage = coverageOf(nasRequestStatusMachine);
afterAll(() => console.log(coverage.report().text));

/** Every text a change could carry: the table below asks only "is this move allowed?". */
const full = (status: NasRequestStatus): StatusChangeRequest => ({
  status,
  reason: 'duplicate of REG-7KD9QX2P',
  question: 'Which town should the shared mailbox name?',
  answer: 'Leeds',
});

/** Where each status may go (SPEC §3.1): a yes is a move; everything else is refused. */
const MOVES: Record<NasRequestStatus, NasRequestStatus[]> = {
  received: ['inProgress', 'waitingForRequester', 'rejected'],
  inProgress: ['waitingForRequester', 'done', 'rejected'],
  waitingForRequester: ['inProgress', 'rejected'],
  done: [],
  rejected: [],
};

const EVENTS: NasStatusEvent[] = [
  { type: 'START_WORK' },
  { type: 'ASK_REQUESTER', question: 'Which town?' },
  { type: 'ASK_REQUESTER', question: ' ' },
  { type: 'REQUESTER_ANSWERED', answer: 'Leeds' },
  { type: 'REQUESTER_ANSWERED', reason: 'answered by phone' },
  { type: 'REQUESTER_ANSWERED' },
  { type: 'COMPLETE' },
  { type: 'REJECT', reason: 'the organisation is a hospice' },
  { type: 'REJECT', reason: '' },
];

function run(events: NasStatusEvent[]) {
  const actor = createActor(nasRequestStatusMachine, { inspect: coverage.inspect }).start();
  for (const event of events) actor.send(event);
  return actor.getSnapshot();
}

describe('the NAS request status machine', () => {
  const table = NAS_REQUEST_STATUSES.flatMap((from) => NAS_REQUEST_STATUSES.map((to) => [from, to, MOVES[from].includes(to)] as const));

  it.each(table)('a request that is %s may become %s: %s', (from, to, allowed) => {
    const decision = decideStatusChange(from, full(to));
    expect(decision.ok).toBe(allowed);
    if (!decision.ok) {
      expect(decision.problem).toBe('notAllowed');
      expect(decision.allowed).toEqual(MOVES[from]);
    }
  });

  it('names the allowed statuses when it refuses a move', () => {
    expect(decideStatusChange('received', full('done'))).toEqual({
      ok: false,
      problem: 'notAllowed',
      message: 'a request that is received cannot become done: it may move to in progress, waiting for the requester, rejected',
      allowed: ['inProgress', 'waitingForRequester', 'rejected'],
    });
    expect(decideStatusChange('done', full('inProgress'))).toMatchObject({
      ok: false,
      message: 'a request that is done cannot become in progress: done is final',
      allowed: [],
    });
    expect(decideStatusChange('inProgress', full('inProgress'))).toMatchObject({ ok: false, problem: 'notAllowed' });
  });

  it.each<[string, NasRequestStatus, StatusChangeRequest, string]>([
    ['a rejection without a reason', 'inProgress', { status: 'rejected' }, 'reasonRequired'],
    ['a rejection with a blank reason', 'received', { status: 'rejected', reason: '  ' }, 'reasonRequired'],
    ['a question without its text', 'inProgress', { status: 'waitingForRequester' }, 'questionRequired'],
    ['carrying on without the answer', 'waitingForRequester', { status: 'inProgress' }, 'answerRequired'],
  ])('refuses %s, saying what is missing', (_, from, change, problem) => {
    expect(decideStatusChange(from, change)).toMatchObject({ ok: false, problem, allowed: MOVES[from] });
  });

  it.each<[NasRequestStatus, StatusChangeRequest, NasStatusEvent['type']]>([
    ['received', { status: 'inProgress' }, 'START_WORK'],
    ['waitingForRequester', { status: 'inProgress', answer: 'Leeds' }, 'REQUESTER_ANSWERED'],
    ['waitingForRequester', { status: 'inProgress', reason: 'answered on the phone' }, 'REQUESTER_ANSWERED'],
    ['inProgress', { status: 'waitingForRequester', question: 'Which town?' }, 'ASK_REQUESTER'],
    ['inProgress', { status: 'done' }, 'COMPLETE'],
    ['waitingForRequester', { status: 'rejected', reason: 'no answer in 30 days' }, 'REJECT'],
  ])('moves %s with %j by %s', (from, change, type) => {
    expect(decideStatusChange(from, change)).toMatchObject({ ok: true, status: change.status, event: { type } });
  });

  it('reaches every status from received, done only through in progress', () => {
    const paths = getShortestPaths(nasRequestStatusMachine, { events: EVENTS });
    const reached = new Map(paths.map((p) => [String(p.state.value), p.steps.map((s) => (s.event as { type: string }).type).filter((t) => t !== 'xstate.init')]));
    expect([...reached.keys()].sort()).toEqual([...NAS_REQUEST_STATUSES].sort());
    expect(reached.get('done')).toEqual(['START_WORK', 'COMPLETE']);
    for (const path of paths) {
      const events = path.steps.map((s) => s.event as NasStatusEvent).filter((e) => (e.type as string) !== 'xstate.init');
      expect(run(events).value).toBe(path.state.value);
    }
    // The question and answer loop, then done.
    expect(run([{ type: 'START_WORK' }, { type: 'ASK_REQUESTER', question: 'Which town?' }, { type: 'REQUESTER_ANSWERED', answer: 'Leeds' }, { type: 'COMPLETE' }]).status).toBe('done');
    for (const event of EVENTS) run([event]);
    for (const from of ['inProgress', 'waitingForRequester'] as const) {
      for (const event of EVENTS) createActor(nasRequestStatusMachine, { snapshot: nasRequestStatusMachine.resolveState({ value: from, context: {} }), inspect: coverage.inspect }).start().send(event);
    }
    const report = coverage.report();
    expect(report.states.missing).toEqual([]);
    expect(report.transitions.missing).toEqual([]);
  });

  it('lists where each status may go', () => {
    for (const from of NAS_REQUEST_STATUSES) expect(allowedStatuses(from)).toEqual(MOVES[from]);
  });
});
