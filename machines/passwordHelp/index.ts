import { assign, fromPromise } from 'xstate';
import type { PasswordHelpContext, PasswordHelpServices } from './model';
import type { LeafPaths } from '../flow';
import { passwordHelpMachine } from './machine';

/**
 * The password and account help (SPEC §2): the statechart, its model and its rules. Every effect is
 * a service provided from outside, so the same machine runs with fakes in tests and with the
 * adapters in the bot (bot/flows/passwordHelp.ts).
 */
export * from './model';
export * from './rules';
export { passwordHelpMachine, type PasswordHelpMachine } from './machine';
export type { PasswordHelpMeta } from './setup';

type In<K extends keyof PasswordHelpServices> = Parameters<PasswordHelpServices[K]>[0];

/** The machine's actors, done with these services. */
export function passwordHelpActors(s: PasswordHelpServices) {
  return {
    whoAdministers: fromPromise(({ input }: { input: In<'whoAdministers'> }) => s.whoAdministers(input)),
    sendResetCode: fromPromise(({ input }: { input: In<'sendResetCode'> }) => s.sendResetCode(input)),
    verifyResetCode: fromPromise(({ input }: { input: In<'verifyResetCode'> }) => s.verifyResetCode(input)),
    submitReset: fromPromise(({ input }: { input: In<'submitReset'> }) => s.submitReset(input)),
    askOwner: fromPromise(({ input }: { input: In<'askOwner'> }) => s.askOwner(input)),
    vouchStatus: fromPromise(({ input }: { input: In<'vouchStatus'> }) => s.vouchStatus(input)),
    findVouch: fromPromise(({ input }: { input: In<'findVouch'> }) => s.findVouch(input)),
    answerVouch: fromPromise(({ input }: { input: In<'answerVouch'> }) => s.answerVouch(input)),
  };
}

/** The clock the flow reads (through its `noteTime` action) to say who is open now. */
export function passwordHelpActions(now: () => number) {
  return { noteTime: assign<PasswordHelpContext, never, undefined, never, never>({ now: () => now() }) };
}

/** The machine with its effects and its clock: the same machine runs with fakes in tests. */
export function providePasswordHelpServices(services: PasswordHelpServices, now: () => number) {
  return passwordHelpMachine.provide({ actors: passwordHelpActors(services), actions: passwordHelpActions(now) as never });
}

/** Every state of the password help, as a dotted path: `reset.enterCode`. */
export type PasswordHelpState = LeafPaths<ReturnType<typeof passwordHelpMachine.getInitialSnapshot>['value']>;

/** States the user never rests in: they wait for a service (`busy`) or decide at once where to go. */
export type PasswordHelpPassingState =
  | 'starting'
  | 'locked.lookingUp'
  | 'reset.entry'
  | 'reset.sendingCode'
  | 'reset.verifyingCode'
  | 'reset.submitting'
  | 'reset.owner.asking'
  | 'reset.owner.checking'
  | 'reset.owner.decided'
  | 'vouch.finding'
  | 'vouch.checkFailures'
  | 'vouch.answering'
  | 'closed';

/** The states a user can be in between turns: each has its wording in dialogs/passwordHelp/. */
export type PasswordHelpStep = Exclude<PasswordHelpState, PasswordHelpPassingState>;
