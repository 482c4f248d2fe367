import { fromPromise } from 'xstate';
import type { OwnerVerificationServices } from './model';
import { ownerVerificationMachine } from './machine';

/**
 * Owner verification (SPEC §3): the reusable step that proves who is asking. Invoke
 * `ownerVerificationMachine` as a child (input: the session, and an identity proved earlier in
 * the conversation if still valid); word it with dialogs/ownerVerification.
 */
export * from './model';
export { ownerVerificationMachine, type OwnerVerificationMachine } from './machine';

type In<K extends keyof OwnerVerificationServices> = Parameters<OwnerVerificationServices[K]>[0];

/** The verification machine with its effects: the same machine runs with fakes in tests. */
export function provideOwnerVerification(s: OwnerVerificationServices) {
  return ownerVerificationMachine.provide({
    actors: {
      identifyPerson: fromPromise(({ input }: { input: In<'identifyPerson'> }) => s.identifyPerson(input)),
      sendOwnerCode: fromPromise(({ input }: { input: In<'sendOwnerCode'> }) => s.sendOwnerCode(input)),
      verifyOwnerCode: fromPromise(({ input }: { input: In<'verifyOwnerCode'> }) => s.verifyOwnerCode(input)),
    },
  });
}
