import type { AnyMachineSnapshot } from 'xstate';
import type { FunnelStep } from './stats';

/**
 * A flow's parts as the funnel counts them: the top-level states of its machine, in the order the
 * machine declares them, named by their `meta.title` (the "Members" of "Step 3 of 4 · Members").
 */

interface StateNodeLike {
  key: string;
  meta?: unknown;
  tags?: readonly string[];
  states: Record<string, StateNodeLike>;
}

interface MachineLike {
  root: StateNodeLike;
  config: { initial?: unknown };
}

const titleOf = (node: StateNodeLike): string | undefined => {
  const title = (node.meta as { title?: unknown } | undefined)?.title;
  return typeof title === 'string' ? title : undefined;
};

/**
 * The parts of a flow after its first (entering the first is starting the flow): those with a
 * `meta.title`, or — for a machine without any — every top-level state tagged `question`.
 */
export function funnelStepsOf(machine: MachineLike): FunnelStep[] {
  const nodes = Object.values(machine.root.states);
  const titled = nodes.filter((n) => titleOf(n) !== undefined);
  const parts = titled.length > 0 ? titled : nodes.filter((n) => n.tags?.includes('question'));
  const initial = typeof machine.config.initial === 'string' ? machine.config.initial : nodes[0]?.key;
  return parts.filter((n) => n.key !== initial).map((n) => ({ step: n.key, title: titleOf(n) ?? n.key }));
}

/** The part a flow's snapshot is in: its top-level state (`members` for `members.list`). */
export function partOf(snapshot: Pick<AnyMachineSnapshot, 'value'>): string | undefined {
  const value = snapshot.value as unknown;
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') return Object.keys(value)[0];
  return undefined;
}
