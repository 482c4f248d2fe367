import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import type { Redis } from 'ioredis';
import type { NasRequestOf } from '../../adapters/nasRequests';
import { createRedisClient, waitUntilReady } from '../../adapters/redisConversationStore';
import { ChannelActivity, LocalChannel, SendResult } from '../../bench/localChannel';
import { createLogger } from '../../bot/logger';
import { PASSWORD_DROPPED } from '../../dialogs/passwordHelp/drop';
import { RunningBot, startBot, startPrivateRedis, waitFor } from '../helpers/bot';
import type { TestRedis } from '../helpers/redis';

/**
 * Password help over HTTP, as the Emulator and Teams talk to the bot, with two bot processes on one
 * real Redis (issue 8, "Done when"): a code texted to the mobile on record (read from the outbox)
 * verifies a reset request; five wrong codes lock code entry whichever process they reach; with no
 * mobile, a shared mailbox owner is asked in their own Teams chat, and their yes there becomes a
 * verified request and a message in the requester's conversation; a password typed into any
 * channel leaves no trace in Redis or the logs.
 */

const REFERENCE = /PWD-[A-HJ-NP-Z2-9]{8}/;
const textOf = (result: SendResult) => result.replies.map((r) => r.text ?? '').join('\n\n');

/** Every log line the bots write, to scan. */
const logLines: string[] = [];
const logSink = new Writable({
  write(chunk, _encoding, done) {
    logLines.push(String(chunk));
    done();
  },
});

describe('password help over HTTP, two bot processes on one Redis', () => {
  let redis: TestRedis;
  let direct: Redis;
  let a: RunningBot;
  let b: RunningBot;
  let emulator: LocalChannel;
  let teams: LocalChannel;

  beforeAll(async () => {
    redis = await startPrivateRedis();
    direct = createRedisClient(redis.url);
    await waitUntilReady(direct);
    const logger = createLogger('info', logSink);
    a = await startBot({ REDIS_URL: redis.url, LOG_LEVEL: 'info' }, { logger });
    b = await startBot({ REDIS_URL: redis.url, LOG_LEVEL: 'info' }, { logger });
    emulator = await LocalChannel.start({ channelId: 'emulator' });
    teams = await LocalChannel.start({ channelId: 'msteams' });
  }, 90_000);

  afterAll(async () => {
    await emulator?.close();
    await teams?.close();
    await a?.close();
    await b?.close();
    await direct?.quit().catch(() => direct.disconnect());
    await redis?.stop();
  });

  /** A conversation on a channel whose turns go to the bot `to()` names (a or b, each turn). */
  function conversation(channel: LocalChannel, options: { userId?: string; teams?: boolean } = {}) {
    const id = `${options.teams ? 'a:' : ''}${randomUUID()}`;
    const base: Partial<ChannelActivity> = {
      conversation: { id, ...(options.teams ? { conversationType: 'personal' } : {}) } as never,
      ...(options.userId ? { from: { id: options.userId, name: 'User' } } : {}),
    };
    const send = async (bot: RunningBot, fields: Partial<ChannelActivity>) => {
      const result = await channel.send(bot.url, channel.activity(id, { ...base, type: 'message', ...fields }));
      expect(result.status).toBe(200);
      return result;
    };
    return {
      id,
      say: async (text: string, bot: RunningBot = a) => textOf(await send(bot, { text })),
      transcript: () => channel.transcript(id).map((r) => r.text ?? ''),
    };
  }

  async function codeTextedTo(mobile: string): Promise<string> {
    let code = '';
    await waitFor(async () => {
      const [sms] = (await a.assistant.adapters.outbox.latest(50)).filter((m) => m.channel === 'sms' && m.recipient === mobile);
      code = /\b(\d{6})\b/.exec(sms?.body ?? '')?.[1] ?? '';
      return code !== '';
    }, `a code texted to ${mobile}`);
    return code;
  }

  it.each([
    ['emulator', 'amy.pearce@nhs.net', '+447400000033', '033'],
    ['msteams', 'leah.doyle@nhs.net', '+447400000053', '053'],
  ])('%s: the code texted to the mobile on record (outbox) verifies a reset request with a reference', async (channelId, address, mobile, ending) => {
    const chat = conversation(channelId === 'msteams' ? teams : emulator, { teams: channelId === 'msteams' });
    await chat.say('hi');
    expect(await chat.say('I forgot my password')).toMatch(/security questions/);
    expect(await chat.say("I can't answer my security questions")).toMatch(/Which NHSmail address is it for\?/);
    expect(await chat.say(address.toUpperCase(), b)).toMatch(new RegExp(`For ${address}: can you get text messages`));
    const sent = await chat.say('yes text me a code');
    expect(sent).toMatch(new RegExp(`texted a 6-digit code to the mobile number on that account, ending ${ending}`));
    expect(sent).not.toContain(mobile.slice(3, -3));
    const code = await codeTextedTo(mobile);
    const done = await chat.say(`${code.slice(0, 3)} ${code.slice(3)}`, b);
    const reference = REFERENCE.exec(done)?.[0];
    expect(done).toMatch(new RegExp(`reference \\*\\*${reference}\\*\\*[\\s\\S]*temporary password to the mobile number ending ${ending}`));
    const stored = (await a.assistant.adapters.requests.get(reference!)) as NasRequestOf<'passwordReset'>;
    expect(stored).toMatchObject({
      kind: 'passwordReset',
      status: 'received',
      details: { account: { address }, mobile, verification: { verifiedBy: 'mobile' } },
      requester: { channelId },
    });
  }, 60_000);

  it('five wrong codes lock code entry for the account, through two bot processes, and another conversation finds it locked', async () => {
    const chat = conversation(emulator);
    await chat.say('hi');
    await chat.say('reset my password for me');
    await chat.say('i cant answer the security questions');
    await chat.say('tom.okafor@nhs.net');
    await chat.say('yes');
    const code = await codeTextedTo('+447400000012');
    const wrong = code === '000000' ? '111111' : '000000';
    const said: string[] = [];
    for (let i = 0; i < 5; i++) said.push(await chat.say(wrong, i % 2 ? b : a));
    expect(said.slice(0, 4).map((s) => /You have (\d) tr(?:y|ies) left/.exec(s)?.[1])).toEqual(['4', '3', '2', '1']);
    expect(said[4]).toMatch(/code entry is locked until/);
    // The right code now, in another conversation on the other process: still locked.
    const other = conversation(emulator);
    await other.say('hi', b);
    await other.say('my account is locked', b);
    await other.say('tom.okafor@nhs.net', b);
    await other.say('raise a reset request', b);
    expect(await other.say('yes', b)).toMatch(/code entry is locked/);
  }, 60_000);

  it('no mobile: the owner is asked in their own Teams chat, and their yes there is a verified request and a message in the requester’s conversation', async () => {
    // Priya, an owner of Larkspur House, has a Teams chat with the assistant already.
    const priyaId = `29:${randomUUID()}`;
    teams.setMember(priyaId, { name: 'Priya Raman', email: 'Priya.Raman@nhs.net', userPrincipalName: 'Priya.Raman@nhs.net' });
    const priya = conversation(teams, { userId: priyaId, teams: true });
    expect(await priya.say('hello', b)).toMatch(/What would you like to do\?/);

    const joseph = conversation(emulator);
    await joseph.say('hi');
    await joseph.say('I cant log in');
    await joseph.say('forgot my password');
    await joseph.say("don't know my security answers");
    await joseph.say('Joseph.Achebe@nhs.net');
    expect(await joseph.say('no, there is no mobile on my account')).toMatch(/Which mobile number should NAS text your temporary password to\?/);
    expect(await joseph.say('07400 123456')).toMatch(/I have asked your organisation's shared mailbox owners to confirm it is you and that 07400 123456 is your mobile/);

    // In Priya's own chat, delivered by the notifier: the question, with yes and no.
    await waitFor(() => priya.transcript().some((t) => /Do you vouch that it is really Joseph Achebe asking/.test(t)), 'the question in Priya’s Teams chat');
    expect(priya.transcript().join('\n')).toMatch(/07400 123456/);
    // Gareth, the other owner, has no Teams chat: he is emailed a code with no link.
    const gareth = (await a.assistant.adapters.outbox.latest(50)).find((m) => m.recipient === 'gareth.lloyd@nhs.net');
    expect(gareth?.body).toMatch(/vouch [A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}/);
    expect(gareth?.body).not.toMatch(/https?:|www\./);

    const answered = await priya.say('Yes, I vouch for them', a);
    const reference = REFERENCE.exec(answered)?.[0];
    expect(answered).toMatch(/is now verified and with NAS, and Joseph Achebe has been told/);
    const stored = (await b.assistant.adapters.requests.get(reference!)) as NasRequestOf<'passwordReset'>;
    expect(stored.details).toMatchObject({
      account: { address: 'joseph.achebe@nhs.net' },
      mobile: '+447400123456',
      verification: { verifiedBy: 'owner', owner: { address: 'priya.raman@nhs.net' }, answer: 'yes', via: 'teams' },
    });
    // On the requester's serviceUrl, without them typing anything.
    await waitFor(() => joseph.transcript().some((t) => t.includes(reference!)), 'the answer in Joseph’s conversation');
    const told = joseph.transcript().join('\n\n');
    expect(told).toMatch(/your shared mailbox owner has answered/);
    expect(told).toMatch(new RegExp(`Your shared mailbox owner has vouched for you[\\s\\S]*\\*\\*${reference}\\*\\*[\\s\\S]*ending 456`));
    // Gareth's code is closed now.
    const code = /vouch (\S+)/.exec(gareth!.body.slice(gareth!.body.indexOf('    vouch')))![1]!;
    const late = conversation(emulator);
    await late.say('hi', b);
    expect(await late.say(`vouch ${code}`, b)).toMatch(/Another shared mailbox owner has already answered this request \(they vouched\)/);
  }, 90_000);

  it('a password typed on any channel leaves no trace in Redis keys or values, or in the logs', async () => {
    const secrets = ['Summer2024!x', 'Xk9#mQ2!zzP', 'Tr0ub4dor&3q'];
    const chat = conversation(emulator);
    await chat.say('hi');
    expect(await chat.say(`my password is ${secrets[0]}`)).toMatch(new RegExp(`^${PASSWORD_DROPPED.slice(0, 40).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    await chat.say('I forgot my password', b);
    expect(await chat.say(secrets[1]!, b)).toContain(PASSWORD_DROPPED);
    const inTeams = conversation(teams, { teams: true });
    await inTeams.say('hello');
    await inTeams.say(`pw: ${secrets[2]}`);
    // The web chat page, through the Direct Line the bot serves (its buffer is in Redis).
    const token = await (await fetch(`${b.url}/v3/directline/tokens/generate`, { method: 'POST' })).json() as { token: string; conversationId: string };
    const auth = { authorization: `Bearer ${token.token}`, 'content-type': 'application/json' };
    expect((await fetch(`${a.url}/v3/directline/conversations`, { method: 'POST', headers: auth, body: '{}' })).status).toBe(201);
    const posted = await fetch(`${a.url}/v3/directline/conversations/${token.conversationId}/activities`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ type: 'message', from: { id: 'page-user' }, text: `my password is ${secrets[0]} and ${secrets[1]}` }),
    });
    expect(posted.status).toBe(200);
    const page = (await (await fetch(`${b.url}/v3/directline/conversations/${token.conversationId}/activities?watermark=`, { headers: auth })).json()) as { activities: { text?: string; from: { role?: string } }[] };
    expect(page.activities.some((m) => m.text === 'my password is [password] and [password]')).toBe(true);
    expect(page.activities.some((m) => m.text?.startsWith(PASSWORD_DROPPED))).toBe(true);

    await a.assistant.events.flush();
    await b.assistant.events.flush();
    const dump = await dumpRedis(direct);
    expect(dump.length).toBeGreaterThan(1000);
    const logs = logLines.join('');
    expect(logs).toMatch(/"outcome":"passwordDropped"/);
    for (const secret of secrets) {
      expect({ secret, inRedis: dump.includes(secret) }).toEqual({ secret, inRedis: false });
      expect({ secret, inLogs: logs.includes(secret) }).toEqual({ secret, inLogs: false });
    }
  }, 60_000);
});

/** Every key of the database and everything in it, as one string. */
async function dumpRedis(redis: Redis): Promise<string> {
  const parts: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'COUNT', 500);
    cursor = next;
    for (const key of keys) {
      parts.push(key);
      const type = await redis.type(key);
      if (type === 'string') parts.push(String(await redis.get(key)));
      else if (type === 'hash') parts.push(JSON.stringify(await redis.hgetall(key)));
      else if (type === 'list') parts.push(JSON.stringify(await redis.lrange(key, 0, -1)));
      else if (type === 'set') parts.push(JSON.stringify(await redis.smembers(key)));
      else if (type === 'zset') parts.push(JSON.stringify(await redis.zrange(key, '0', '-1', 'WITHSCORES')));
      else if (type === 'stream') parts.push(JSON.stringify(await redis.xrange(key, '-', '+')));
      else parts.push(`(${type})`);
    }
  } while (cursor !== '0');
  return parts.join('\n');
}
