import type { NasRequest, NasRequests } from '../../adapters/nasRequests';
import type { OneTimePasscodes } from '../../adapters/oneTimePasscodes';
import type { ServiceEvents } from '../../adapters/serviceEvents';
import type { VerificationCodes } from '../../adapters/verificationCodes';

/**
 * The adapters as flows use them, counting for the dashboard what happens through them: a
 * passcode issued, a lock-out beginning, a request made (a password reset with how it was
 * verified), done or rejected. Each wrapper answers exactly what the adapter answers (counting happens after,
 * and never throws); every other method is the adapter's own.
 */

/** `inner` with some methods replaced; the rest (including ones added later) pass through. */
function wrap<T extends object>(inner: T, replaced: Partial<T>): T {
  return new Proxy(inner, {
    get(target, property, receiver) {
      if (Object.prototype.hasOwnProperty.call(replaced, property)) return (replaced as Record<PropertyKey, unknown>)[property];
      const value = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
    // A counted method replaced from outside (a test's spy) stays replaced, and still counts
    // when it calls through.
    set(target, property, value, receiver) {
      if (!Object.prototype.hasOwnProperty.call(replaced, property)) return Reflect.set(target, property, value, receiver);
      (replaced as Record<PropertyKey, unknown>)[property] = value;
      return true;
    },
  });
}

const quietly = (count: () => void) => {
  try {
    count();
  } catch {
    // Counting never changes an answer.
  }
};

/**
 * Registration passcodes: one issued (by email or post); a lock-out when a failure uses up the
 * organisation's last try (the verification that answers `failuresLeft: 0`, or a recorded failure
 * that locks — the registration checks for a lock before recording one).
 */
export function countingPasscodes(inner: OneTimePasscodes, events: ServiceEvents): OneTimePasscodes {
  return wrap(inner, {
    issue: async (odsCode, options) => {
      const result = await inner.issue(odsCode, options);
      if (result.ok) quietly(() => events.record({ name: 'passcodeRequested', flow: 'registration', detail: options.channel }));
      return result;
    },
    verify: async (odsCode, code) => {
      const result = await inner.verify(odsCode, code);
      if (!result.ok && (result.reason === 'wrong' || result.reason === 'none-issued') && result.failuresLeft === 0) {
        quietly(() => events.record({ name: 'lockedOut', flow: 'registration', detail: 'registration' }));
      }
      return result;
    },
    recordFailure: async (odsCode) => {
      const result = await inner.recordFailure(odsCode);
      if (result.locked) quietly(() => events.record({ name: 'lockedOut', flow: 'registration', detail: 'registration' }));
      return result;
    },
  });
}

/** Password-reset and owner codes: a lock-out of code entry (how a reset was verified is counted with its request). */
export function countingVerificationCodes(inner: VerificationCodes, events: ServiceEvents): VerificationCodes {
  return wrap(inner, {
    verify: async (purpose, subject, code) => {
      const result = await inner.verify(purpose, subject, code);
      quietly(() => {
        if (!result.ok && result.reason === 'wrong' && result.attemptsLeft === 0) events.record({ name: 'lockedOut', detail: purpose });
      });
      return result;
    },
  });
}

/** How long a request took from being made to its last change. */
const ageOf = (request: NasRequest) => (request.history[request.history.length - 1]?.at ?? request.updatedAt) - request.createdAt;

/**
 * NAS requests: one made (a `question` request is a conversation handed to a person; a password
 * reset request says how it was verified: by the code texted to the mobile, or by an owner); one done
 * (with how long it took) or rejected. Only the call that made or moved it counts: a repeated
 * submission or a stale update counts nothing.
 */
export function countingRequests<R extends NasRequests>(inner: R, events: ServiceEvents): R {
  const replaced: Partial<NasRequests> = {
    submit: async (input) => {
      const result = await inner.submit(input);
      quietly(() => {
        const made = result.outcome === 'created' ? result.request : undefined;
        if (!made) return;
        events.record({ name: 'requestCreated', kind: made.kind, channel: made.requester.channelId });
        if ((made.kind as string) === 'question') events.record({ name: 'handedToPerson', channel: made.requester.channelId });
        const request = made as NasRequest;
        if (request.kind === 'passwordReset') {
          events.record({ name: 'resetVerified', channel: request.requester.channelId, detail: request.details.verification.verifiedBy });
        }
      });
      return result;
    },
    update: async (reference, change, expectedVersion) => {
      const result = await inner.update(reference, change, expectedVersion);
      quietly(() => {
        if (result.outcome !== 'updated') return;
        const { request } = result;
        if (request.status === 'done') events.record({ name: 'requestDone', kind: request.kind, durationMs: ageOf(request) });
        if (request.status === 'rejected') events.record({ name: 'requestRejected', kind: request.kind });
      });
      return result;
    },
  };
  return wrap(inner, replaced as Partial<R>);
}
