import { assign, fromPromise } from 'xstate';
import type { LeafPaths } from '../flow';
import { provideMemberEntry } from '../memberEntry';
import { provideOwnerVerification, type OwnerVerificationServices } from '../ownerVerification';
import { ownerRequestsMachine } from './machine';
import type { OwnerRequestsContext, OwnerRequestsServices } from './model';

/**
 * The shared mailbox owners' requests (SPEC §3): the statechart, its model and its rules. Every
 * effect is a service provided from outside (bot/flows/ownerRequests.ts), so the same machine runs
 * with fakes in tests and with the adapters in the bot.
 */
export * from './model';
export * from './rules';
export { planOf } from './plan';
export { fullNameOf, matchPerson, resolvePeople, accountAt } from './people';
export { ownerRequestsMachine, type OwnerRequestsMachine } from './machine';

type In<K extends keyof OwnerRequestsServices> = Parameters<OwnerRequestsServices[K]>[0];

export type AllOwnerRequestsServices = OwnerRequestsServices & OwnerVerificationServices;

/** The machine's actors, done with these services (the verification and member entry children included). */
export function ownerRequestsActors(s: AllOwnerRequestsServices) {
  return {
    ownerVerification: provideOwnerVerification(s),
    memberEntry: provideMemberEntry(s.isMobileOnNhsmail),
    loadSite: fromPromise(({ input }: { input: In<'loadSite'> }) => s.loadSite(input)),
    findAccount: fromPromise(({ input }: { input: In<'findAccount'> }) => s.findAccount(input)),
    findProvider: fromPromise(({ input }: { input: In<'findProvider'> }) => s.findProvider(input)),
    submitRequests: fromPromise(({ input }: { input: In<'submitRequests'> }) => s.submitRequests(input)),
  };
}

/** The clock the flow reads (through its `noteTime` action). */
export function ownerRequestsActions(now: () => number) {
  return { noteTime: assign<OwnerRequestsContext, never, undefined, never, never>({ now: () => now() }) };
}

/** The machine with its effects and its clock: the same machine runs with fakes in tests. */
export function provideOwnerRequests(services: AllOwnerRequestsServices, now: () => number) {
  return ownerRequestsMachine.provide({ actors: ownerRequestsActors(services), actions: ownerRequestsActions(now) as never });
}

/** Every state of the flow, as a dotted path: `leaver.lastDay`. */
export type OwnerRequestsState = LeafPaths<ReturnType<typeof ownerRequestsMachine.getInitialSnapshot>['value']>;

/** States the user never rests in: they wait for a service, decide at once, or hand over to a child. */
export type OwnerRequestsPassingState =
  | 'starting'
  | 'verifying'
  | 'authorised'
  | 'loadingSite'
  | 'begin'
  | 'leaver.resolving'
  | 'leaver.findingProvider'
  | 'leaver.nextPerson'
  | 'leaver.checkNewOwner'
  | 'newStarter.check'
  | 'newStarter.entering'
  | 'joiner.finding'
  | 'handover.check'
  | 'rename.checkHost'
  | 'review.submitting'
  | 'closed';

/** The states a user can be in between turns: each has its wording in dialogs/ownerRequests/. */
export type OwnerRequestsStep = Exclude<OwnerRequestsState, OwnerRequestsPassingState>;
