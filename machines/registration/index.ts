import { fromPromise } from 'xstate';
import { provideMemberEntry } from '../memberEntry';
import type { LeafPaths } from '../flow';
import { checks } from './checks';
import { members } from './members';
import type { RegistrationServices } from './model';
import { organisation } from './organisation';
import { review } from './review';
import { initialContext, registration } from './setup';
import { town } from './town';
import { verification } from './verification';

/**
 * The registration statechart (SPEC §1), in its parts: the checks, the organisation, its
 * verification, the town, the members and the review, each a nested state whose `meta` names it
 * ("Step 3 of 4 · Members" comes from there). Every effect is an actor provided from outside.
 */
export * from './model';
export * from './rules';

export const registrationMachine = registration.createMachine({
  id: 'registration',
  context: ({ input }) => initialContext(input),
  initial: 'checks',
  states: { checks, organisation, verification, town, members, review },
});

export type RegistrationMachine = typeof registrationMachine;

/** Every state of the registration, as a dotted path: `members.list`. */
export type RegistrationState = LeafPaths<ReturnType<RegistrationMachine['getInitialSnapshot']>['value']>;

/**
 * States the user never rests in: they wait for a service (`busy`) or decide at once where to go
 * (`always`). Every other state has wording in dialogs/registration/ (checked by the compiler).
 */
export type RegistrationPassingState =
  | 'organisation.finding'
  | 'organisation.found'
  | 'organisation.lookingUp'
  | 'organisation.chosen'
  | 'organisation.checkingManagerEmail'
  | 'verification.secret'
  | 'verification.requestingPasscode'
  | 'verification.verifying'
  | 'verification.checkingLock'
  | 'verification.verified'
  | 'town.townChecked'
  | 'review.submitting';

/** The states the user can be in between turns. */
export type RegistrationStep = Exclude<RegistrationState, RegistrationPassingState>;

/** The registration's actors, done with these services (for `machine.provide({ actors })`). */
export function registrationActors(services: RegistrationServices) {
  return {
      findOrganisations: fromPromise(({ input }: { input: { postcode: string } }) => services.findOrganisations(input)),
      getOrganisation: fromPromise(({ input }: { input: { odsCode: string; conversationKey: string } }) => services.getOrganisation(input)),
      checkManagerEmail: fromPromise(({ input }: { input: { odsCode: string; email: string } }) => services.checkManagerEmail(input)),
      requestPasscode: fromPromise(({ input }: { input: Parameters<RegistrationServices['requestPasscode']>[0] }) => services.requestPasscode(input)),
      verifyOrganisation: fromPromise(({ input }: { input: Parameters<RegistrationServices['verifyOrganisation']>[0] }) =>
        services.verifyOrganisation(input),
      ),
      verificationLockedUntil: fromPromise(({ input }: { input: { odsCode: string } }) => services.verificationLockedUntil(input)),
      submitRegistration: fromPromise(({ input }: { input: Parameters<RegistrationServices['submitRegistration']>[0] }) =>
        services.submitRegistration(input),
      ),
      memberEntry: provideMemberEntry(services.isMobileOnNhsmail),
  };
}

/** The registration machine with its effects: the same machine runs with fakes in tests. */
export function provideRegistrationServices(services: RegistrationServices) {
  return registrationMachine.provide({ actors: registrationActors(services) });
}
