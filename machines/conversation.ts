import { AnyActorLogic, AnyEventObject, AnyMachineSnapshot, AnyStateMachine, assign, sendTo, setup } from 'xstate';
import type { FlowInput, FlowSession } from './flow';

/**
 * The whole conversation: a menu of flows, and at most one flow in progress. Each flow is its
 * own machine, invoked as the child `flow` with a `FlowInput` built from this machine's context
 * (who the user is, the channel, the conversation reference, and a new attempt id each time a flow
 * starts); this machine only starts, pauses, restarts and cancels flows and forwards the user's
 * answers to the one in progress.
 */

export interface FlowMachine {
  /** Stable id: stored in snapshots, so never renamed once released. */
  readonly id: string;
  readonly machine: AnyActorLogic;
}

export type ConversationEvent =
  | { type: 'START_FLOW'; flow: string; start?: Record<string, unknown> }
  /** Show the menu; a flow in progress is kept and can be resumed. */
  | { type: 'MENU' }
  | { type: 'RESUME' }
  /** Leave the flow in progress; nothing it gathered is kept. */
  | { type: 'CANCEL' }
  /** Begin the flow in progress again as a new attempt: from its first step, or where `start` says. */
  | { type: 'RESTART'; start?: Record<string, unknown> }
  /** Ask before cancelling or restarting a flow that has gathered something worth keeping. */
  | { type: 'ASK_LEAVE'; leave: 'cancel' | 'restart' }
  /** Anything meant for the flow in progress (answers, back, …). */
  | { type: 'TO_FLOW'; event: AnyEventObject }
  /** The channel has said more about the conversation (who the user is, a new reference). */
  | { type: 'SESSION'; session: Partial<FlowSession> };

export interface ConversationContext {
  session: FlowSession;
  /** The attempt id of the flow in progress (set by `newAttempt` each time a flow starts). */
  attemptId: string;
  /** What "yes" does while the user is asked whether to leave the flow. */
  leaving?: 'cancel' | 'restart';
}

export const FLOW_CHILD_ID = 'flow';

const startsFlow = (id: string) => ({ event }: { event: ConversationEvent }) => event.type === 'START_FLOW' && event.flow === id;

/**
 * The root machine for these flows. `newAttempt` must be provided (`machine.provide({ actions:
 * { newAttempt: assign({ attemptId: () => randomId() }) } })`): an attempt id is random, and
 * machines read no random source.
 */
export function createConversationMachine(flows: readonly FlowMachine[]): AnyStateMachine {
  const actors: Record<string, AnyActorLogic> = Object.fromEntries(flows.map((f) => [f.id, f.machine]));

  const flowStates = Object.fromEntries(
    flows.map((flow) => [
      flow.id,
      {
        invoke: {
          id: FLOW_CHILD_ID,
          src: flow.id,
          input: ({ context, event }: { context: ConversationContext; event: ConversationEvent }): FlowInput => ({
            ...context.session,
            attemptId: context.attemptId,
            ...((event.type === 'START_FLOW' || event.type === 'RESTART') && event.start ? { start: event.start } : {}),
          }),
          onDone: { target: '#conversation.menu' },
        },
        initial: 'active',
        states: {
          active: {
            on: {
              TO_FLOW: { actions: 'forwardToFlow' },
              MENU: { target: 'menuOpen' },
              ASK_LEAVE: { target: 'confirmLeave', actions: 'rememberLeaving' },
            },
          },
          menuOpen: {
            tags: ['menuOpen'],
            on: {
              RESUME: { target: 'active' },
              ASK_LEAVE: { target: 'confirmLeave', actions: 'rememberLeaving' },
              START_FLOW: flows.map((other) =>
                other.id === flow.id
                  ? { guard: startsFlow(other.id), target: 'active' }
                  : { guard: startsFlow(other.id), target: `#conversation.inFlow.${other.id}`, actions: 'newAttempt' },
              ),
            },
          },
          /** "Start again? Your … will be lost": yes does what was asked, no carries on. */
          confirmLeave: {
            tags: ['confirmLeave'],
            on: {
              RESUME: { target: 'active', actions: 'forgetLeaving' },
              MENU: { target: 'menuOpen', actions: 'forgetLeaving' },
            },
          },
        },
        on: {
          RESTART: { target: `#conversation.inFlow.${flow.id}`, reenter: true, actions: ['forgetLeaving', 'newAttempt'] },
          CANCEL: { target: '#conversation.menu', actions: 'forgetLeaving' },
        },
      },
    ]),
  );

  return setup({
    types: {
      context: {} as ConversationContext,
      events: {} as ConversationEvent,
      input: {} as FlowSession,
    },
    actors,
    actions: {
      forwardToFlow: sendTo(FLOW_CHILD_ID, ({ event }) => (event.type === 'TO_FLOW' ? event.event : event)),
      newAttempt: () => {
        throw new Error('the conversation machine\'s "newAttempt" action was not provided');
      },
      rememberLeaving: assign({ leaving: ({ event }) => (event.type === 'ASK_LEAVE' ? event.leave : undefined) }),
      forgetLeaving: assign({ leaving: undefined }),
      updateSession: assign({ session: ({ context, event }) => (event.type === 'SESSION' ? { ...context.session, ...event.session } : context.session) }),
    },
  }).createMachine({
    id: 'conversation',
    context: ({ input }: { input: FlowSession }) => ({ session: input, attemptId: '' }),
    initial: 'menu',
    on: { SESSION: { actions: 'updateSession' } },
    states: {
      menu: {
        on: {
          START_FLOW: flows.map((flow) => ({ guard: startsFlow(flow.id), target: `inFlow.${flow.id}`, actions: 'newAttempt' })),
        },
      },
      inFlow: {
        initial: flows[0]?.id,
        // Typed loosely: the flow states are generated from the list of flows.
        states: flowStates as Record<string, object>,
      },
    },
  } as never) as unknown as AnyStateMachine; // flow states are generated, so the state value is untyped
}

export type ConversationMachine = AnyStateMachine;

/** The snapshot of the flow in progress, if any. */
export function flowSnapshot(snapshot: { children: unknown }): AnyMachineSnapshot | undefined {
  const child = (snapshot.children as Record<string, { getSnapshot(): AnyMachineSnapshot } | undefined>)[FLOW_CHILD_ID];
  return child?.getSnapshot();
}

/** Which flow is in progress (by id), whether its menu is open, or whether the user is asked to leave it. */
export function flowInProgress(snapshot: AnyMachineSnapshot, flowIds: readonly string[]): { id: string; menuOpen: boolean; confirmLeave: boolean } | undefined {
  const id = flowIds.find((f) => snapshot.matches({ inFlow: f } as never));
  return id === undefined ? undefined : { id, menuOpen: snapshot.hasTag('menuOpen'), confirmLeave: snapshot.hasTag('confirmLeave') };
}
