import { randomUUID } from 'node:crypto';
import { AnyActorRef, AnyMachineSnapshot, waitFor } from 'xstate';
import type { FlowSession } from '../machines/flow';
import { FLOW_CHILD_ID } from '../machines/conversation';
import type { Flow, PersistedFlow } from './flows/types';

/**
 * The engine's flow-related parts: the versions a stored conversation carries (the root's
 * `schemaVersion`, and each flow's own version, so changing one flow's machine does not restart
 * conversations in another), bringing an older stored conversation up to date, telling the root
 * machine about the conversation, and waiting for invoked work to settle.
 */

/**
 * The envelope and the root machine's shape. 1: the first release (no root context, one flat
 * registration, no flow versions). 2: the root machine's context holds the conversation and the
 * attempt id; `flowVersions` names the version of each flow's snapshot.
 */
export const SCHEMA_VERSION = 2;

type PersistedRoot = Record<string, unknown> & {
  value?: unknown;
  context?: unknown;
  children?: Record<string, { snapshot?: PersistedFlow; src?: string } | undefined>;
};

/** The version of the flow in progress, to store beside the snapshot. */
export function flowVersionsOf(persisted: PersistedRoot, flows: readonly Flow[]): Record<string, number> {
  const src = persisted.children?.[FLOW_CHILD_ID]?.src;
  const flow = flows.find((f) => f.id === src);
  return flow ? { [flow.id]: flow.version } : {};
}

export interface Upgraded {
  snapshot: PersistedRoot;
  /** The flow in progress could not be carried over: the conversation is back at the menu. */
  flowRestarted?: string;
}

/**
 * A stored conversation as this release's: the root snapshot of schema 1 gets its context, and
 * the flow in progress is migrated to its current version (or, when it cannot be, dropped with
 * `flowRestarted` set, so the user is told). Undefined: the envelope's schema is unknown.
 */
export function upgrade(
  stored: { schemaVersion: number; snapshot: Record<string, unknown>; flowVersions?: Record<string, number> },
  flows: readonly Flow[],
  session: FlowSession,
): Upgraded | undefined {
  if (stored.schemaVersion !== 1 && stored.schemaVersion !== SCHEMA_VERSION) return undefined;
  let root = stored.snapshot as PersistedRoot;
  const child = root.children?.[FLOW_CHILD_ID];
  if (stored.schemaVersion === 1) {
    root = { ...root, context: { session, attemptId: child ? randomUUID() : '' } };
  }
  if (!child?.snapshot || !child.src) return { snapshot: root };
  const flow = flows.find((f) => f.id === child.src);
  // A flow that no longer exists: the root cannot restore it, so the caller starts afresh.
  if (!flow) return { snapshot: root };
  const version = stored.flowVersions?.[flow.id] ?? (stored.schemaVersion === 1 ? 1 : flow.version);
  if (version === flow.version) return { snapshot: root };
  const context = root.context as { attemptId?: string } | undefined;
  const migrated = flow.migrate?.({ version, snapshot: child.snapshot }, { ...session, attemptId: context?.attemptId || randomUUID() });
  if (migrated) return { snapshot: { ...root, children: { ...root.children, [FLOW_CHILD_ID]: { ...child, snapshot: migrated } } } };
  const { [FLOW_CHILD_ID]: _dropped, ...others } = root.children ?? {};
  return { snapshot: { ...root, value: 'menu', children: others }, flowRestarted: flow.id };
}

/** What the root machine should be told about the conversation, if anything changed. */
export function sessionChange(snapshot: AnyMachineSnapshot, now: FlowSession): Partial<FlowSession> | undefined {
  const known = (snapshot.context as { session?: FlowSession } | undefined)?.session;
  if (!known) return now;
  const change: Partial<FlowSession> = {};
  if (now.user && JSON.stringify(now.user) !== JSON.stringify(known.user)) change.user = now.user;
  // A reference names the latest activity too; only a change of where to reach the conversation counts.
  const where = (ref: unknown) => {
    if (!ref || typeof ref !== 'object') return JSON.stringify(ref ?? null);
    const { activityId: _a, ...rest } = ref as Record<string, unknown>;
    return JSON.stringify(rest);
  };
  if (now.conversationReference !== undefined && where(now.conversationReference) !== where(known.conversationReference)) {
    change.conversationReference = now.conversationReference;
  }
  return Object.keys(change).length ? change : undefined;
}

function children(actor: AnyActorRef): AnyActorRef[] {
  const snapshot = actor.getSnapshot() as { children?: Record<string, AnyActorRef | undefined> };
  return Object.values(snapshot.children ?? {}).filter((c): c is AnyActorRef => !!c);
}

/** The first actor (the conversation, its flow, or a child of the flow) waiting on invoked work. */
function busyActor(actor: AnyActorRef): AnyActorRef | undefined {
  const snapshot = actor.getSnapshot() as { hasTag?: (tag: string) => boolean; status?: string };
  if (snapshot.status === 'active' && snapshot.hasTag?.('busy')) return actor;
  for (const child of children(actor)) {
    const busy = busyActor(child);
    if (busy) return busy;
  }
  return undefined;
}

/**
 * Waits until no actor of the conversation is in a state tagged `busy` (a lookup, a send). Each
 * busy actor is awaited with XState's `waitFor`; a child that settles may start work in its
 * parent, so the tree is looked at again until it is quiet. Rejects after `timeoutMs` in all.
 */
export async function settle(root: AnyActorRef, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let busy = busyActor(root); busy; busy = busyActor(root)) {
    const left = deadline - Date.now();
    if (left <= 0) throw new Error('invoked work did not settle in time');
    try {
      await waitFor(busy, (s: { hasTag?: (tag: string) => boolean; status?: string }) => s.status !== 'active' || !s.hasTag?.('busy'), { timeout: left });
    } catch (error) {
      if (Date.now() >= deadline) throw new Error('invoked work did not settle in time');
      throw error;
    }
  }
}
