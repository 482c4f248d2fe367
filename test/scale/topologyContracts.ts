import { randomBytes } from 'node:crypto';
import type { RedisClient } from '../../adapters/redis';
import { RedisConversationStore } from '../../adapters/redisConversationStore';
import { RedisDirectLineState } from '../../adapters/redisDirectLineState';
import { NAS_CONSUMER_GROUP, RedisNasRequests } from '../../adapters/redisNasRequests';
import { RedisOneTimePasscodes } from '../../adapters/redisOneTimePasscodes';
import { RedisOutbox } from '../../adapters/redisOutbox';
import { RedisResetVouches } from '../../adapters/redisResetVouches';
import { RedisServiceEvents } from '../../adapters/redisServiceEvents';
import { RedisVerificationCodes } from '../../adapters/redisVerificationCodes';
import { importContracts } from '../helpers/contractSuites';

/**
 * The Redis adapters' contract suites (test/adapters/*.contract.test.ts), run against one Redis
 * topology: each adapter on two clients, as two bot processes would have. An adapter whose Lua
 * scripts still touch keys in several Cluster slots is listed in `CROSS_SLOT` and skipped on a
 * Cluster (it runs on Sentinel, which is one master).
 */

const load = {
  conversations: () => require('../adapters/conversationStore.contract.test') as typeof import('../adapters/conversationStore.contract.test'),
  passcodes: () => require('../adapters/oneTimePasscodes.contract.test') as typeof import('../adapters/oneTimePasscodes.contract.test'),
  outbox: () => require('../adapters/outbox.contract.test') as typeof import('../adapters/outbox.contract.test'),
  requests: () => require('../adapters/nasRequests.contract.test') as typeof import('../adapters/nasRequests.contract.test'),
  queues: () => require('../adapters/nasQueues.contract.test') as typeof import('../adapters/nasQueues.contract.test'),
  vouches: () => require('../adapters/resetVouches.contract.test') as typeof import('../adapters/resetVouches.contract.test'),
  events: () => require('../adapters/serviceEvents.contract.test') as typeof import('../adapters/serviceEvents.contract.test'),
  codes: () => require('../adapters/verificationCodes.contract.test') as typeof import('../adapters/verificationCodes.contract.test'),
  directLine: () => require('../adapters/directLineState.contract.test') as typeof import('../adapters/directLineState.contract.test'),
};

export type ContractSuite = keyof typeof load;

/** Adapters whose scripts are not yet slot-safe: skipped on a Cluster, with the reason. */
export const CROSS_SLOT: Partial<Record<ContractSuite, string>> = {
  outbox: 'the send-once script writes the outbox stream and a dedupe key in different slots',
};

/** Cheap scrypt for the tests, as the adapters' own suites use. */
const TEST_HASH_COST = 1024;

export function describeContractsOn(topology: string, clients: () => [RedisClient, RedisClient], options: { cluster: boolean }): void {
  const run = `test:${randomBytes(4).toString('hex')}`;
  let n = 0;
  const prefix = (label: string) => `${run}:${label}:${++n}:`;
  const suite = <K extends ContractSuite>(name: K, register: (contracts: ReturnType<(typeof load)[K]>) => void) => {
    if (options.cluster && CROSS_SLOT[name]) {
      it.todo(`${name} contract on ${topology}: waits for slot-safe scripts (${CROSS_SLOT[name]})`);
      return;
    }
    register(importContracts(load[name] as () => ReturnType<(typeof load)[K]>));
  };
  const on = (what: string) => `${what} on ${topology}`;

  suite('conversations', (c) =>
    c.describeConversationStoreContract(on('RedisConversationStore'), (storeOptions) => {
      const [a] = clients();
      return new RedisConversationStore(a, { ...storeOptions, keyPrefix: prefix('conv'), pollMs: 10 });
    }),
  );

  suite('passcodes', (c) =>
    c.describeOneTimePasscodesContract(on('RedisOneTimePasscodes'), (clock, more) => {
      const [a, b] = clients();
      const keyPrefix = prefix('otp');
      return [new RedisOneTimePasscodes(a, { keyPrefix, now: clock.now, ...more }), new RedisOneTimePasscodes(b, { keyPrefix, now: clock.now, ...more })];
    }),
  );

  suite('outbox', (c) =>
    c.describeOutboxContract(on('RedisOutbox'), (clock, more) => {
      const [a, b] = clients();
      const keyPrefix = prefix('outbox');
      return [new RedisOutbox(a, { keyPrefix, now: clock.now, ...more }), new RedisOutbox(b, { keyPrefix, now: clock.now, ...more })];
    }),
  );

  suite('requests', (c) =>
    c.describeNasRequestsContract(on('RedisNasRequests'), (clock) => {
      const [a, b] = clients();
      const keyPrefix = prefix('nas');
      return [new RedisNasRequests(a, { keyPrefix, now: clock.now }), new RedisNasRequests(b, { keyPrefix, now: clock.now })];
    }),
  );

  // The NAS consumer group: two workers taking, reclaiming and finishing requests from the queues.
  suite('queues', (c) =>
    c.describeNasQueuesContract(on('RedisNasRequests queues'), (clock, more) => {
      const [clientA, clientB] = clients();
      const keyPrefix = prefix('queues');
      const a = new RedisNasRequests(clientA, { ...more, keyPrefix, now: clock.now });
      const b = new RedisNasRequests(clientB, { ...more, keyPrefix, now: clock.now });
      // Redis times how long an entry is held itself: make every held entry that much older.
      const age = async (ms: number) => {
        clock.advance(ms);
        for (const queue of ['care', 'dental'] as const) {
          const { stream } = a.queueKeys(queue);
          if (!(await clientA.exists(stream))) continue;
          const held = (await clientA.call('XPENDING', stream, NAS_CONSUMER_GROUP, 'IDLE', 0, '-', '+', 100)) as [string, string, number, number][];
          for (const [id, consumer, idle] of held) {
            await clientA.call('XCLAIM', stream, NAS_CONSUMER_GROUP, consumer, 0, id, 'IDLE', Number(idle) + ms, 'JUSTID');
          }
        }
      };
      return { a, b, age };
    }),
  );

  suite('vouches', (c) =>
    c.describeResetVouchesContract(on('RedisResetVouches'), (clock) => {
      const [a, b] = clients();
      const keyPrefix = prefix('vouch');
      return [new RedisResetVouches(a, { keyPrefix, now: clock.now }), new RedisResetVouches(b, { keyPrefix, now: clock.now })];
    }),
  );

  suite('events', (c) =>
    c.describeServiceEventsContract(on('RedisServiceEvents'), (clock) => {
      const [a, b] = clients();
      const keyPrefix = prefix('events');
      return [new RedisServiceEvents(a, { now: clock.now, keyPrefix, flushMs: 0 }), new RedisServiceEvents(b, { now: clock.now, keyPrefix, flushMs: 0 })];
    }),
  );

  suite('codes', (c) =>
    c.describeVerificationCodesContract(on('RedisVerificationCodes'), (clock) => {
      const [a, b] = clients();
      const keyPrefix = prefix('codes');
      return [
        new RedisVerificationCodes(a, { keyPrefix, now: clock.now, hashCost: TEST_HASH_COST }),
        new RedisVerificationCodes(b, { keyPrefix, now: clock.now, hashCost: TEST_HASH_COST }),
      ];
    }),
  );

  suite('directLine', (c) =>
    c.describeDirectLineStateContract(on('RedisDirectLineState'), (clock, limits) => {
      const [a, b] = clients();
      const keyPrefix = prefix('dl');
      return [
        new RedisDirectLineState(a, { now: clock.now, limits, keyPrefix, touchEveryMs: 0 }),
        new RedisDirectLineState(b, { now: clock.now, limits, keyPrefix, touchEveryMs: 0 }),
      ];
    }),
  );
}
