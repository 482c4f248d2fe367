import { randomBytes } from 'node:crypto';
import type { RedisClient } from '../../adapters/redis';
import { RedisConversationStore } from '../../adapters/redisConversationStore';
import { RedisNasRequests } from '../../adapters/redisNasRequests';
import { RedisOneTimePasscodes } from '../../adapters/redisOneTimePasscodes';
import { RedisOutbox } from '../../adapters/redisOutbox';
import { importContracts } from '../helpers/contractSuites';

/**
 * The adapters' contract suites (test/adapters/*.contract.test.ts), run against one Redis
 * topology: each adapter on two clients, as two bot processes would have. An adapter whose Lua
 * scripts still touch keys in several Cluster slots is listed in `crossSlot` and skipped on a
 * Cluster (it runs on Sentinel, which is one master).
 */

const conversations = importContracts(
  () => require('../adapters/conversationStore.contract.test') as typeof import('../adapters/conversationStore.contract.test'),
);
const passcodes = importContracts(
  () => require('../adapters/oneTimePasscodes.contract.test') as typeof import('../adapters/oneTimePasscodes.contract.test'),
);
const outbox = importContracts(() => require('../adapters/outbox.contract.test') as typeof import('../adapters/outbox.contract.test'));
const requests = importContracts(
  () => require('../adapters/nasRequests.contract.test') as typeof import('../adapters/nasRequests.contract.test'),
);

export type ContractSuite = 'conversationStore' | 'oneTimePasscodes' | 'outbox' | 'nasRequests';

/** Adapters whose scripts are not yet slot-safe: skipped on a Cluster, with the reason. */
export const CROSS_SLOT: Partial<Record<ContractSuite, string>> = {
  outbox: 'the send-once script writes the outbox stream and a dedupe key in different slots',
  nasRequests: 'the submit script writes the request, two indexes and the stream in different slots, and builds keys inside Lua',
};

export function describeContractsOn(topology: string, clients: () => [RedisClient, RedisClient], options: { cluster: boolean }): void {
  const run = `test:${randomBytes(4).toString('hex')}`;
  let n = 0;
  const prefix = (label: string) => `${run}:${label}:${++n}:`;
  const wanted = (suite: ContractSuite) => !(options.cluster && CROSS_SLOT[suite]);
  const skipped = (suite: ContractSuite) =>
    it.todo(`${suite} contract on ${topology}: waits for slot-safe scripts (${CROSS_SLOT[suite]})`);

  conversations.describeConversationStoreContract(`RedisConversationStore on ${topology}`, (storeOptions) => {
    const [a] = clients();
    return new RedisConversationStore(a, { ...storeOptions, keyPrefix: prefix('conv'), pollMs: 10 });
  });

  if (wanted('oneTimePasscodes')) {
    passcodes.describeOneTimePasscodesContract(`RedisOneTimePasscodes on ${topology}`, (clock, passcodeOptions) => {
      const [a, b] = clients();
      const keyPrefix = prefix('otp');
      return [
        new RedisOneTimePasscodes(a, { keyPrefix, now: clock.now, ...passcodeOptions }),
        new RedisOneTimePasscodes(b, { keyPrefix, now: clock.now, ...passcodeOptions }),
      ];
    });
  } else skipped('oneTimePasscodes');

  if (wanted('outbox')) {
    outbox.describeOutboxContract(`RedisOutbox on ${topology}`, (clock, outboxOptions) => {
      const [a, b] = clients();
      const keyPrefix = prefix('outbox');
      return [new RedisOutbox(a, { keyPrefix, now: clock.now, ...outboxOptions }), new RedisOutbox(b, { keyPrefix, now: clock.now, ...outboxOptions })];
    });
  } else skipped('outbox');

  if (wanted('nasRequests')) {
    requests.describeNasRequestsContract(`RedisNasRequests on ${topology}`, (clock) => {
      const [a, b] = clients();
      const keyPrefix = prefix('nas');
      return [new RedisNasRequests(a, { keyPrefix, now: clock.now }), new RedisNasRequests(b, { keyPrefix, now: clock.now })];
    });
  } else skipped('nasRequests');
}
