import { randomBytes } from 'node:crypto';
import type { RedisClient } from '../../adapters/redis';
import { RedisConversationReferences } from '../../adapters/redisConversationReferences';
import { RedisConversationStore } from '../../adapters/redisConversationStore';
import { RedisDirectLineState } from '../../adapters/redisDirectLineState';
import { NAS_CONSUMER_GROUP, RedisNasRequests } from '../../adapters/redisNasRequests';
import { RedisOneTimePasscodes } from '../../adapters/redisOneTimePasscodes';
import { RedisOutbox } from '../../adapters/redisOutbox';
import { RedisResetVouches } from '../../adapters/redisResetVouches';
import { RedisServiceEvents } from '../../adapters/redisServiceEvents';
import { RedisVerificationCodes } from '../../adapters/redisVerificationCodes';
import { main as outboxCommand } from '../../scripts/outbox';
import { importContracts } from '../helpers/contractSuites';

/**
 * The Redis adapters' contract suites (test/adapters/*.contract.test.ts), run against one Redis
 * topology: each adapter on two clients, as two bot processes would have. Every adapter runs on
 * a Cluster too: each of its scripts touches one slot (test/adapters/clusterSlots.test.ts).
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
  references: () => require('../adapters/conversationReferences.contract.test') as typeof import('../adapters/conversationReferences.contract.test'),
  directLine: () => require('../adapters/directLineState.contract.test') as typeof import('../adapters/directLineState.contract.test'),
};

export type ContractSuite = keyof typeof load;

/** Cheap scrypt for the tests, as the adapters' own suites use. */
const TEST_HASH_COST = 1024;

/** Registers the suites; returns the prefix of every key they write. */
export function describeContractsOn(topology: string, clients: () => [RedisClient, RedisClient]): string {
  const run = `test:${randomBytes(4).toString('hex')}`;
  let n = 0;
  const prefix = (label: string) => `${run}:${label}:${++n}:`;
  const suite = <K extends ContractSuite>(name: K, register: (contracts: ReturnType<(typeof load)[K]>) => void) => {
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

  suite('references', (c) =>
    c.describeReferencesContract(on('RedisConversationReferences'), (clock) => {
      const [a, b] = clients();
      const keyPrefix = prefix('refs');
      const ttlMs = 30 * 24 * 60 * 60 * 1000;
      return [new RedisConversationReferences(a, { keyPrefix, now: clock.now, ttlMs }), new RedisConversationReferences(b, { keyPrefix, now: clock.now, ttlMs })];
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
  return `${run}:`;
}

/** `npm run outbox` with the topology's settings shows a message just sent on it. */
export async function readOutboxWithTheCommand(client: RedisClient, env: Record<string, string>): Promise<void> {
  const keyPrefix = `test:${randomBytes(4).toString('hex')}:command:`;
  const outbox = new RedisOutbox(client, { keyPrefix });
  await outbox.send({ channel: 'email', recipient: 'manager@example.org', subject: 'Your NHSmail registration passcode', body: 'Your passcode is QWER7TYU.' });
  const out: string[] = [];
  const err: string[] = [];
  const code = await outboxCommand(['--prefix', keyPrefix], env, (t) => out.push(t), (t) => err.push(t));
  expect({ code, err }).toEqual({ code: 0, err: [] });
  expect(out.join('\n')).toContain(`Latest 1 message in ${outbox.streamKey}`);
  expect(out.join('\n')).toContain('Your passcode is QWER7TYU.');
}
