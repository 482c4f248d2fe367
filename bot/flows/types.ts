import type { AnyStateMachine } from 'xstate';
import type { NasRequests } from '../../adapters/nasRequests';
import type { OneTimePasscodes } from '../../adapters/oneTimePasscodes';
import type { OrganisationDirectory } from '../../adapters/organisationDirectory';
import type { Outbox } from '../../adapters/outbox';
import type { AccountDirectory } from '../../adapters/accountDirectory';
import type { ResetVouches } from '../../adapters/resetVouches';
import type { ServiceEvents } from '../../adapters/serviceEvents';
import type { VerificationCodes } from '../../adapters/verificationCodes';
import type { Proactive } from './passwordHelp';
import type { FlowInput } from '../../machines/flow';
import type { FlowDialog } from '../../dialogs/types';

/** The adapters a flow may use (bot/app.ts makes them: memory by default, Redis with REDIS_URL). */
export interface FlowAdapters {
  directory: OrganisationDirectory;
  passcodes: OneTimePasscodes;
  outbox: Outbox;
  requests: NasRequests;
  /** Password help: the NHSmail accounts, the short codes, the owners asked to vouch. */
  accounts: AccountDirectory;
  verificationCodes: VerificationCodes;
  vouches: ResetVouches;
  /** A secret the same for every instance (password help's made-up mobile endings). */
  secret: () => Promise<Buffer>;
  /** The clock flows read through their provided actions (default Date.now). */
  now?: () => number;
  /** The dashboard's counters, for what the adapters cannot count themselves. */
  events?: ServiceEvents;
  /** Other conversations: filled in once the notifier exists (it needs the engine, which needs the flows). */
  proactive?: Proactive;
}

/** A flow's snapshot as XState persists it (the `flow` child of the root machine's snapshot). */
export type PersistedFlow = Record<string, unknown> & { value?: unknown; context?: unknown };

/**
 * One conversation flow (docs/architecture.md, "Adding a flow"): its machine (machines/<flow>/),
 * its dialog (dialogs/<flow>/) and the implementations of its effects made from the adapters.
 */
export interface Flow {
  /** Stable: stored in snapshots, so never renamed once released. */
  readonly id: string;
  /**
   * This flow's snapshot version. Bump it when a release changes the machine so that a stored
   * snapshot no longer fits; `migrate` may carry older ones over, else the flow starts again
   * (other flows' conversations are not touched).
   */
  readonly version: number;
  /** The pure machine; its effects are named actors and actions. */
  readonly machine: AnyStateMachine;
  readonly dialog: FlowDialog;
  /** The dialog as the assistant uses it, when it needs the adapters (the clock, say); default `dialog`. */
  dialogFor?(adapters: FlowAdapters): FlowDialog;
  /** What `machine.provide(...)` needs: the actors (and actions) done with the adapters. */
  services(adapters: FlowAdapters): Parameters<AnyStateMachine['provide']>[0];
  /** An older version's stored snapshot as this version's, or undefined when it cannot be carried over. */
  migrate?(stored: { version: number; snapshot: PersistedFlow }, input: FlowInput): PersistedFlow | undefined;
}
