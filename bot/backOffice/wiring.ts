import type { Logger } from 'pino';
import type { AccountDirectory } from '../../adapters/accountDirectory';
import { EmbeddedAccountDirectory } from '../../adapters/embeddedAccountDirectory';
import { MemoryServiceEvents } from '../../adapters/memoryServiceEvents';
import type { NasRequests } from '../../adapters/nasRequests';
import type { OneTimePasscodes } from '../../adapters/oneTimePasscodes';
import type { Outbox } from '../../adapters/outbox';
import type { RedisClient } from '../../adapters/redisCalls';
import { RedisServiceEvents } from '../../adapters/redisServiceEvents';
import type { ServiceEvents } from '../../adapters/serviceEvents';
import type { VerificationCodes } from '../../adapters/verificationCodes';
import { registrationMachine } from '../../machines/registration';
import type { Config } from '../config';
import { countingPasscodes, countingRequests, countingVerificationCodes } from './counting';
import { funnelStepsOf } from './funnel';
import type { BackOfficeSetup } from './index';
import type { TellRequester } from './service';

/** How bot/app.ts puts the back office and the dashboard's counting together. */

/** The dashboard's counters: in Redis when there is one (shared by every instance), else in memory. */
export function createServiceEvents(redis: RedisClient | undefined, logger: Logger, now: () => number): ServiceEvents {
  if (!redis) return new MemoryServiceEvents({ now });
  return new RedisServiceEvents(redis, {
    now,
    onError: (error) => logger.warn({ err: error }, 'service events could not be written; they are kept a while and tried again'),
  });
}

interface CountableAdapters {
  passcodes: OneTimePasscodes;
  requests: NasRequests;
  verificationCodes?: VerificationCodes;
}

/** The flows' adapters, counting for the dashboard what happens through them (bot/backOffice/counting.ts). */
export function countingAdapters<A extends CountableAdapters>(adapters: A, events: ServiceEvents): A {
  return {
    ...adapters,
    passcodes: countingPasscodes(adapters.passcodes, events),
    requests: countingRequests(adapters.requests, events),
    ...(adapters.verificationCodes ? { verificationCodes: countingVerificationCodes(adapters.verificationCodes, events) } : {}),
  };
}

/** The shipped account directory, loaded the first time a username is chosen. */
function lazyAccounts(): Pick<AccountDirectory, 'findByAddress'> {
  let directory: EmbeddedAccountDirectory | undefined;
  return { findByAddress: (address) => (directory ??= new EmbeddedAccountDirectory()).findByAddress(address) };
}

/** The back office's parts from configuration; off (undefined tokens) without NAS_API_TOKENS. */
export function backOfficeSetup(
  config: Config,
  parts: { requests: NasRequests; outbox: Outbox; events: ServiceEvents; accounts?: Pick<AccountDirectory, 'findByAddress'>; tellRequester?: TellRequester },
  logger: Logger,
  now: () => number,
): BackOfficeSetup {
  return {
    tokens: config.NAS_API_TOKENS,
    requests: parts.requests,
    outbox: parts.outbox,
    events: parts.events,
    accounts: parts.accounts ?? lazyAccounts(),
    ...(parts.tellRequester ? { tellRequester: parts.tellRequester } : {}),
    funnelSteps: funnelStepsOf(registrationMachine as never),
    now,
    warn: (fields, message) => logger.warn(fields, message),
    onError: (error, path) => logger.error({ err: error, path }, 'back office request failed'),
  };
}
