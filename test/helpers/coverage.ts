import type { AnyStateMachine, AnyStateNode, InspectionEvent } from 'xstate';

/**
 * Which states and transitions of a machine the tests have taken. Pass `inspect` to every
 * `createActor` of the machine; `report()` compares what was taken with what the machine defines.
 */
export function coverageOf(machine: AnyStateMachine) {
  const allStates = new Set<string>();
  const allTransitions = new Set<string>();
  const visit = (node: AnyStateNode) => {
    allStates.add(node.id);
    node.transitions.forEach((definitions, eventType) =>
      definitions.forEach((_, index) => allTransitions.add(`${node.id} --${eventType}#${index}`)),
    );
    Object.values(node.states).forEach((child) => visit(child as AnyStateNode));
  };
  visit(machine.root);

  const states = new Set<string>();
  const transitions = new Set<string>();
  const inspect = (event: InspectionEvent) => {
    if (event.type !== '@xstate.snapshot' && event.type !== '@xstate.microstep') return;
    const snapshot = event.snapshot as { machine?: AnyStateMachine; _nodes?: AnyStateNode[] };
    // `machine.provide(...)` makes a new machine object with the same states: match by id.
    if (snapshot.machine?.id !== machine.id) return;
    snapshot._nodes?.forEach((node) => states.add(node.id));
    if (event.type === '@xstate.microstep') {
      for (const taken of event._transitions) {
        const definitions = taken.source.transitions.get(taken.eventType) ?? [];
        transitions.add(`${taken.source.id} --${taken.eventType}#${definitions.indexOf(taken)}`);
      }
    }
  };

  return {
    inspect,
    report() {
      // A state left at once (an initial state with only \`always\` transitions) is in no snapshot: taking one of its transitions counts.
      const left = new Set([...transitions].map((t) => t.split(' --')[0]!));
      const missingStates = [...allStates].filter((s) => !states.has(s) && !left.has(s));
      const missingTransitions = [...allTransitions].filter((t) => !transitions.has(t));
      return {
        states: { covered: allStates.size - missingStates.length, total: allStates.size, missing: missingStates },
        transitions: {
          covered: allTransitions.size - missingTransitions.length,
          total: allTransitions.size,
          missing: missingTransitions,
        },
        text:
          `${machine.id}: states ${allStates.size - missingStates.length}/${allStates.size}, ` +
          `transitions ${allTransitions.size - missingTransitions.length}/${allTransitions.size}`,
      };
    },
  };
}
