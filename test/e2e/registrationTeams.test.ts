import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { NasRequestOf } from '../../adapters/nasRequests';
import { createRedisClient, waitUntilReady } from '../../adapters/redisConversationStore';
import { ChannelActivity, LocalChannel, SendResult } from '../../bench/localChannel';
import { RunningBot, startBot, startPrivateRedis } from '../helpers/bot';
import type { TestRedis } from '../helpers/redis';

/**
 * A manager of two homes registers both in the one Teams personal chat (a personal chat is one
 * conversation for ever), as Teams talks to the bot over HTTP, with the state and the requests in
 * a real Redis: two references and two stored requests; a confirm pressed twice makes one.
 */

type Card = Record<string, unknown>;
const REFERENCE = /REG-[A-Z2-9]{8}/;

function cardOf(activity: ChannelActivity | undefined): Card | undefined {
  const attachments = (activity?.attachments ?? []) as { contentType: string; content: Card }[];
  return attachments.find((a) => a.contentType === 'application/vnd.microsoft.card.adaptive')?.content;
}

function elements(card: unknown): Record<string, any>[] {
  const found: Record<string, any>[] = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const element = node as Record<string, any>;
      if (typeof element.type === 'string') found.push(element);
      for (const key of ['body', 'items', 'actions', 'columns']) if (key in element) walk(element[key]);
    }
  };
  walk(card);
  return found;
}

describe('two registrations in one Teams chat, on Redis', () => {
  let redis: TestRedis;
  let direct: Redis;
  let bot: RunningBot;
  let teams: LocalChannel;

  beforeAll(async () => {
    redis = await startPrivateRedis();
    direct = createRedisClient(redis.url);
    await waitUntilReady(direct);
    bot = await startBot({ REDIS_URL: redis.url });
    teams = await LocalChannel.start({ channelId: 'msteams' });
  }, 60_000);

  afterAll(async () => {
    await teams?.close();
    await bot?.close();
    await direct?.quit().catch(() => direct.disconnect());
    await redis?.stop();
  });

  const id = `a:${randomUUID()}`;
  const personal = (fields: Partial<ChannelActivity>) => teams.activity(id, { conversation: { id, conversationType: 'personal' } as never, ...fields });
  async function send(fields: Partial<ChannelActivity>): Promise<SendResult> {
    const result = await teams.send(bot.url, personal({ type: 'message', ...fields }));
    expect(result.status).toBe(200);
    return result;
  }
  const say = (text: string) => send({ text });
  const press = (value: Record<string, unknown>) => send({ value });
  const lastCard = (result: SendResult) => cardOf(result.replies.at(-1));
  const textOf = (result: SendResult) => result.replies.map((r) => r.text ?? '').join('\n');

  async function register(org: { checks: string[]; postcode: string; ods: string; location: string; contactId: string; town: string }, people: Record<string, string>[]) {
    for (const text of org.checks) await say(text);
    const choice = lastCard(await say(org.postcode));
    const button = elements(choice).find((e) => e.type === 'Action.Submit' && String(e.title).endsWith(org.ods));
    expect(button).toBeDefined();
    expect(textOf(await press(button!.data))).toMatch(/CQC location ID/);
    await say(org.location);
    expect(textOf(await say(org.contactId))).toMatch(/is verified/);
    await say(org.town);
    let list = await say('continue');
    for (const [i, person] of people.entries()) {
      if (i > 0) await press({ action: 'addMember' });
      list = await press({ action: 'saveMember', ...person });
    }
    expect(elements(lastCard(list)).map((e) => e.title)).toContain('Done');
    const review = await press({ action: 'membersDone' });
    expect(elements(lastCard(review)).map((e) => e.title)).toEqual(expect.arrayContaining(['Confirm and finish', 'Back']));
  }

  const person = (first: string, n: number, role: string, extra: Record<string, string> = {}) => ({
    title: 'none',
    firstName: first,
    lastName: 'Teams',
    email: `${first.toLowerCase()}.teams@example.co.uk`,
    mobile: `07400 0599${String(n).padStart(2, '0')}`,
    role,
    owner: 'false',
    sharedMailboxAccess: 'true',
    mailboxAdmin: 'false',
    ...extra,
  });

  it('gives two references and stores two requests; the confirm pressed twice at once makes one', async () => {
    await teams.send(bot.url, personal({ type: 'conversationUpdate', membersAdded: [{ id: 'bot', name: 'Bot' }] }));
    await say('register');
    await register(
      { checks: ['care home', 'no', 'yes', 'no', 'yes', 'continue'], postcode: 'LS6 1BN', ods: 'CPODS2', location: '1-1002733005', contactId: 'CON1-123456789', town: 'Leeds' },
      [person('Alma', 1, 'Registered Manager'), person('Bo', 2, 'Nurse')],
    );
    // Pressed twice at once (Teams can deliver an Action.Submit again): one request.
    const shown = teams.transcript(id).length;
    const [a, b] = await Promise.all([press({ action: 'confirm' }), press({ action: 'confirm' })]);
    expect([a.status, b.status]).toEqual([200, 200]);
    const said = teams.transcript(id).slice(shown).map((r) => r.text ?? '').join('\n');
    const references = new Set([...said.matchAll(/REG-[A-Z2-9]{8}/g)].map((m) => m[0]));
    expect(references.size).toBe(1);
    const [first] = [...references];

    // The same chat, a second organisation.
    const again = await say('register another organisation');
    expect(textOf(again)).toMatch(/A new registration[\s\S]*What kind of organisation/);
    await register(
      { checks: ['dental practice', 'no', 'yes', 'no', 'yes', 'continue'], postcode: 'BS1 5TY', ods: 'DODSA1', location: '1-1002733021', contactId: 'CON1-223456789', town: 'Bristol' },
      [person('Cy', 3, 'Dentist'), person('Di', 4, 'Dental Nurse')],
    );
    const done = await press({ action: 'confirm' });
    const second = REFERENCE.exec(textOf(done))?.[0];
    expect(second).toBeDefined();
    expect(second).not.toBe(first);
    expect(textOf(done)).toMatch(/nhsdental\.bristol\.riversidedentalpracticedodsa1@nhs\.net/);

    // What NAS has: two requests, one per organisation, each once, both from this chat.
    const requests = bot.assistant.adapters.requests;
    const one = (await requests.get(first!)) as NasRequestOf<'registration'>;
    const two = (await requests.get(second!)) as NasRequestOf<'registration'>;
    expect([one.details.organisation.odsCode, two.details.organisation.odsCode]).toEqual(['CPODS2', 'DODSA1']);
    expect(one.requester.conversationKey).toBe(two.requester.conversationKey);
    expect(one.requester.channelId).toBe('msteams');
    expect(one.idempotencyKey).not.toBe(two.idempotencyKey);
    const stored = await direct.keys('nhsca:nas:request:*');
    expect(stored.sort()).toEqual([`nhsca:nas:request:{${first}}`, `nhsca:nas:request:{${second}}`].sort());
    // And confirming the second again changes nothing.
    expect(textOf(await press({ action: 'confirm' }))).toContain(`already submitted (reference ${second})`);
    expect((await direct.keys('nhsca:nas:request:*')).length).toBe(2);
  }, 120_000);
});
