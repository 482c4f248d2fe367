import { randomUUID } from 'node:crypto';
import type { RedisClient } from '../../adapters/redis';
import { RedisNasRequests } from '../../adapters/redisNasRequests';
import type { LocalChannel } from '../../bench/localChannel';
import { BotProcess, buttons, Chat, checkNumber, lastText, spawnBot, texts } from '../helpers/bot';
import { DriveResult, driveRegistration, registrableCareProviders, registrationScript, RegistrationScript } from './registrationDriver';

/**
 * What every Redis topology must carry, written once and run by each topology's test file:
 * a whole registration, one conversation through two processes at once, a process killed and the
 * conversation resumed on another, and registrations through a failover.
 */

export const sum = (results: DriveResult[], pick: (r: DriveResult) => number) => results.reduce((total, r) => total + pick(r), 0);

/**
 * `n` registration scripts for organisations of their own, from `offset` in the directory. With
 * `submit: false` they stop at the review, before anything is sent to NAS.
 */
export function scriptsFor(n: number, offset: number, options: { submit?: boolean } = {}): RegistrationScript[] {
  const organisations = registrableCareProviders().slice(offset, offset + n);
  if (organisations.length < n) throw new Error(`only ${organisations.length} registrable care providers from offset ${offset}`);
  // Series 50–99 keep these invented members apart from other tests' (inventedMember's series).
  return organisations.map((organisation, i) => {
    const script = registrationScript(organisation, 50 + ((offset + i) % 50));
    return options.submit === false ? { ...script, steps: script.steps.slice(0, -1) } : script;
  });
}

/**
 * Every acknowledged registration is in NAS's records, once, with what was typed: the request by
 * its reference (organisation, members), the organisation's pending request, one entry in the
 * care queue's stream (which NAS workers read with their consumer group).
 */
export async function expectRequestsRecorded(client: RedisClient, done: { script: RegistrationScript; result: DriveResult }[]): Promise<void> {
  const requests = new RedisNasRequests(client);
  const { stream } = requests.queueKeys('care');
  const queued = (await client.xrange(stream, '-', '+')).map(([, fields]) => fields[fields.indexOf('reference') + 1]);
  for (const { script, result } of done) {
    expect(result.reference).toMatch(/^REG-[A-Z2-9]{8}$/);
    const request = await requests.get(result.reference!);
    const registration = request?.kind === 'registration' ? request : undefined;
    expect({ reference: result.reference, found: registration?.details.organisation.odsCode }).toEqual({
      reference: result.reference,
      found: script.organisation.odsCode,
    });
    expect(registration!.details.members.map((m) => m.email)).toEqual(script.members.map((m) => m.email));
    expect((await requests.pendingFor(`registration:${script.organisation.odsCode}`))?.reference).toBe(result.reference);
    expect(queued.filter((reference) => reference === result.reference)).toHaveLength(1);
  }
}

/** Two bot processes take turns of one conversation sent to both at the same moment, six times. */
export async function twoProcessesOneConversation(channels: [LocalChannel, LocalChannel], a: BotProcess, b: BotProcess): Promise<void> {
  const [channelA, channelB] = channels;
  for (let round = 0; round < 6; round++) {
    const id = `conv-${randomUUID()}`;
    const chatA = new Chat(channelA, a.url, id);
    const chatB = new Chat(channelB, b.url, id);
    await chatA.start();
    expect(checkNumber(await chatA.answers('register', 'Care provider', 'No'))).toBe(3);
    // "Yes" answers the toolkit question and then the passcode question, whichever goes first.
    // (A channel each: a channel reads the replies of one request per conversation at a time.)
    const [ra, rb] = await Promise.all([channelA.send(a.url, chatA.message('Yes')), channelB.send(b.url, chatB.message('yes'))]);
    expect([ra.status, rb.status]).toEqual([200, 200]);
    expect([...texts(ra), ...texts(rb)].join('\n')).not.toMatch(/Sorry|unavailable|still working/);
    expect([checkNumber(ra), checkNumber(rb)].sort()).toEqual([4, 5]);
    // Both answers kept, in order: two questions on, and "back" finds them.
    expect(checkNumber(await chatB.say('help'))).toBe(5);
    const back = await chatA.say('back');
    expect(texts(back)[0]).toBe('Going back. Last time you answered: yes.');
    expect(checkNumber(back)).toBe(4);
  }
}

/** A process killed (SIGKILL) mid-conversation; a new one, on another port, carries it on. */
export async function restartAndResume(channel: LocalChannel, spawn: () => Promise<BotProcess>): Promise<void> {
  const first = await spawn();
  const chat = new Chat(channel, first.url, `conv-${randomUUID()}`);
  await chat.start();
  const pending = await chat.answers('register', 'Care provider', 'No', 'Yes');
  expect(checkNumber(pending)).toBe(4);
  await first.kill();

  const second = await spawn();
  chat.botUrl = second.url;
  const help = await chat.say('help');
  expect(lastText(help)).toBe(lastText(pending));
  expect(buttons(help)).toEqual(['Yes', 'No']);
  const back = await chat.say('back');
  expect(texts(back)[0]).toBe('Going back. Last time you answered: yes.');
  const summary = await chat.answers('Yes', 'No', 'Yes', 'No', 'No', 'Post');
  expect(lastText(summary)).toContain('all checks done');
  await second.kill();
}

export interface FailoverRun {
  results: DriveResult[];
  /** Acknowledged turns when the failover began, when it was over, and in all. */
  acknowledgedAtFailover: number;
  acknowledgedAfterFailover: number;
  totalTurns: number;
  failoverMs: number;
}

/**
 * `scripts.length` registrations at once, spread over `bots`; once `startAfter` of all their
 * turns are acknowledged, `failover()` runs while they carry on. Resolves when every
 * registration and the failover are done.
 */
export async function registrationsThroughFailover(options: {
  channel: LocalChannel;
  bots: { url: string }[];
  scripts: RegistrationScript[];
  startAfter: number;
  failover: () => Promise<unknown>;
}): Promise<FailoverRun> {
  const totalTurns = options.scripts.reduce((n, s) => n + s.steps.length + 1, 0);
  let acknowledged = 0;
  let acknowledgedAtFailover = -1;
  let acknowledgedAfterFailover = -1;
  let failing: Promise<number> | undefined;
  const begin = () => {
    acknowledged++;
    if (!failing && acknowledged >= Math.floor(totalTurns * options.startAfter)) {
      acknowledgedAtFailover = acknowledged;
      const started = Date.now();
      failing = options.failover().then(() => {
        acknowledgedAfterFailover = acknowledged;
        return Date.now() - started;
      });
    }
  };
  const results = await Promise.all(
    options.scripts.map((script, i) =>
      driveRegistration(new Chat(options.channel, options.bots[i % options.bots.length]!.url, `conv-${randomUUID()}`), script, {
        onAcknowledged: begin,
      }),
    ),
  );
  if (!failing) throw new Error('the registrations ended before the failover was started');
  const failoverMs = await failing;
  return { results, acknowledgedAtFailover, acknowledgedAfterFailover, totalTurns, failoverMs };
}

export { spawnBot };
