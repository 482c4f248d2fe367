import type { AnyActorRef } from 'xstate';

/**
 * What every flow shares with the root machine (docs/architecture.md, "Adding a flow"): the input
 * a flow is started with, and the meta its parts carry so the dialog can say where the user is.
 */

/** The signed-in user, when the channel has said who it is (Teams). */
export interface FlowUser {
  name?: string;
  email?: string;
  userPrincipalName?: string;
  source: 'teams';
}

/**
 * A person whose NHSmail address was proved in this conversation (machines/ownerVerification):
 * by their Teams sign-in, or by a code emailed to the address. How long it counts for is the rule
 * of the flow that reads it (a shared mailbox owner: 8 hours).
 */
export interface VerifiedIdentity {
  address: string;
  via: 'teamsSignIn' | 'emailCode';
  /** When it was proved (milliseconds since the epoch). */
  at: number;
}

/** The conversation a flow runs in: who, which channel, and how to reach it again later. */
export interface FlowSession {
  user?: FlowUser;
  /** Kept for the flows started after the one that proved it (see `keepInSession`). */
  verifiedIdentity?: VerifiedIdentity;
  channelId: string;
  /** The engine's hashed key of the conversation. */
  conversationKey: string;
  /** Opaque here: how the notifier reaches this conversation (a Bot Framework conversation reference). */
  conversationReference: unknown;
}

/** What the root machine gives a flow each time it starts it. */
export interface FlowInput extends FlowSession {
  /**
   * A new id for every start of a flow (random: the root machine's `newAttempt` action is provided
   * by the caller). The registration submits its request with it as the idempotency key.
   */
  attemptId: string;
  /** Anything the user already said that the flow can use (e.g. a postcode typed at the menu). */
  start?: Record<string, unknown>;
}

/**
 * Keeping something in the conversation's session, so every flow started later in this
 * conversation is given it: a flow sends `sessionChange(...)` to `conversationOf` (the root
 * machine merges a `SESSION` event into its session), e.g.
 * `sendTo(conversationOf, ({ context }) => sessionChange({ verifiedIdentity: context.identity }))`.
 * A flow run on its own, with no conversation around it, sends it to itself, where it is ignored.
 */
/** What an `invoke`d actor hands back: its output, on the done event. */
export const outputOf = <T>(event: unknown): T => (event as { output: T }).output;

export const conversationOf = ({ self }: { self: AnyActorRef }): AnyActorRef => self._parent ?? self;
export const sessionChange = (session: Partial<FlowSession>) => ({ type: 'SESSION' as const, session });

/** A part of a flow, for "Step 3 of 4 · Members": its number among the numbered parts, and its title. */
export interface StepMeta {
  step?: number;
  title: string;
}

/** The part a snapshot is in: the deepest active state node whose meta has a title. */
export function stepMetaOf(snapshot: { getMeta(): Record<string, unknown> }): StepMeta | undefined {
  const metas = Object.values(snapshot.getMeta()).filter((m): m is StepMeta => typeof (m as StepMeta | undefined)?.title === 'string');
  return metas[metas.length - 1];
}

/** How many numbered parts a machine has (the "4" of "Step 3 of 4"). */
export function stepCount(machine: { root: { states: Record<string, { meta?: unknown }> } }): number {
  let most = 0;
  for (const node of Object.values(machine.root.states)) {
    const step = (node.meta as StepMeta | undefined)?.step;
    if (typeof step === 'number' && step > most) most = step;
  }
  return most;
}

/** A state value as a dotted path of its active leaf: `{ members: 'list' }` → `members.list`. */
export function statePath(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    const [key, inner] = Object.entries(value as Record<string, unknown>)[0] ?? [];
    return key === undefined ? '' : inner === undefined || (typeof inner === 'object' && inner !== null && Object.keys(inner).length === 0) ? key : `${key}.${statePath(inner)}`;
  }
  return '';
}

/** The leaf paths of a state value type: `{ a: 'x' | 'y' } | 'b'` → `'a.x' | 'a.y' | 'b'`. */
export type LeafPaths<V> = V extends string
  ? V
  : V extends object
    ? { [K in keyof V & string]: V[K] extends infer Inner ? (Inner extends string | object ? `${K}.${LeafPaths<Inner>}` : K) : never }[keyof V & string]
    : never;
