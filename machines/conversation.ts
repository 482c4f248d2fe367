import { AnyActorLogic, AnyEventObject, AnyMachineSnapshot, AnyStateMachine, setup, sendTo } from 'xstate';

/**
 * The whole conversation: a menu of flows, and at most one flow in progress. Each flow is its
 * own machine, invoked as the child `flow`; this machine only starts, pauses, restarts and
 * cancels flows and forwards the user's answers to the one in progress.
 */

export interface FlowMachine {
  /** Stable id: stored in snapshots, so never renamed once released. */
  readonly id: string;
  readonly machine: AnyActorLogic;
}

export type ConversationEvent =
  | { type: 'START_FLOW'; flow: string }
  /** Show the menu; a flow in progress is kept and can be resumed. */
  | { type: 'MENU' }
  | { type: 'RESUME' }
  /** Leave the flow in progress; nothing it gathered is kept. */
  | { type: 'CANCEL' }
  /** Begin the flow in progress again from its first step. */
  | { type: 'RESTART' }
  /** Anything meant for the flow in progress (answers, back, …). */
  | { type: 'TO_FLOW'; event: AnyEventObject };

export const FLOW_CHILD_ID = 'flow';

export function createConversationMachine(flows: readonly FlowMachine[]): AnyStateMachine {
  const actors: Record<string, AnyActorLogic> = Object.fromEntries(flows.map((f) => [f.id, f.machine]));
  const startsFlow = (id: string) => ({ event }: { event: ConversationEvent }) =>
    event.type === 'START_FLOW' && event.flow === id;

  const flowStates = Object.fromEntries(
    flows.map((flow) => [
      flow.id,
      {
        invoke: { id: FLOW_CHILD_ID, src: flow.id, onDone: { target: '#conversation.menu' } },
        initial: 'active',
        states: {
          active: {
            on: {
              TO_FLOW: { actions: 'forwardToFlow' },
              MENU: { target: 'menuOpen' },
            },
          },
          menuOpen: {
            on: {
              RESUME: { target: 'active' },
              START_FLOW: flows.map((other) =>
                other.id === flow.id
                  ? { guard: startsFlow(other.id), target: 'active' }
                  : { guard: startsFlow(other.id), target: `#conversation.inFlow.${other.id}` },
              ),
            },
          },
        },
        on: {
          RESTART: { target: `#conversation.inFlow.${flow.id}`, reenter: true },
          CANCEL: { target: '#conversation.menu' },
        },
      },
    ]),
  );

  return setup({
    types: {
      events: {} as ConversationEvent,
    },
    actors,
    actions: {
      forwardToFlow: sendTo(FLOW_CHILD_ID, ({ event }) => (event.type === 'TO_FLOW' ? event.event : event)),
    },
  }).createMachine({
    id: 'conversation',
    initial: 'menu',
    states: {
      menu: {
        on: {
          START_FLOW: flows.map((flow) => ({ guard: startsFlow(flow.id), target: `inFlow.${flow.id}` })),
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
