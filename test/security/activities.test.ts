import { randomUUID } from 'node:crypto';
import { ChannelActivity, LocalChannel } from '../../bench/localChannel';
import { checkActivity } from '../../bot/activities';
import { checkNumber, RunningBot, startBot } from '../helpers/bot';

/**
 * Finding 9: malformed activities got past the 400 check and failed inside the turn (non-string
 * text, no recipient, membersAdded: [null], bad entities, a numeric id, NUL or unicode in the
 * conversation id), and invoke activities got 501. Now every activity is checked with zod at
 * the edge (400 naming the field) and invokes are answered with an invoke response.
 */

const good = (fields: Partial<ChannelActivity> = {}): ChannelActivity => ({
  type: 'message',
  id: 'activity-1',
  channelId: 'emulator',
  serviceUrl: 'http://127.0.0.1:9/',
  from: { id: 'user-1', name: 'User' },
  recipient: { id: 'bot', name: 'Bot' },
  conversation: { id: 'conversation-1' },
  text: 'hello',
  ...fields,
});

const bad: [string, unknown, RegExp][] = [
  ['a numeric text', good({ text: 123 as never }), /^the activity's "text" must be a string$/],
  ['no recipient', { ...good(), recipient: undefined }, /^the activity has no "recipient.id"$/],
  ['a recipient without id', good({ recipient: { name: 'Bot' } as never }), /^the activity has no "recipient.id"$/],
  ['no sender', { ...good(), from: undefined }, /^the activity has no "from.id"$/],
  ['a sender id with a NUL', good({ from: { id: 'user\u0000' } }), /^the activity's "from.id" may not hold control characters$/],
  ['membersAdded: [null]', good({ type: 'conversationUpdate', membersAdded: [null] as never }), /^the activity's "membersAdded\[0\]" must be an object with an "id"$/],
  ['membersAdded not a list', good({ membersAdded: { id: 'x' } as never }), /^the activity's "membersAdded" must be a list of members$/],
  ['entities as a string', good({ entities: 'mention' as never }), /^the activity's "entities" must be a list$/],
  ['entities: [null]', good({ entities: [null] as never }), /^the activity's "entities\[0\]" must be an object with a "type"$/],
  ['an entity without type', good({ entities: [{ text: 'x' }] as never }), /^the activity's "entities\[0\].type" must be a string$/],
  ['attachments: [1]', good({ attachments: [1] as never }), /^the activity's "attachments\[0\]" must be an object with a "contentType"$/],
  ['a numeric id', good({ id: 42 as never }), /^the activity's "id" must be a string$/],
  ['a NUL in the conversation id', good({ conversation: { id: 'conv\u0000-1' } }), /^the activity's "conversation.id" may hold only printable ASCII characters$/],
  ['a unicode conversation id', good({ conversation: { id: 'ünïcødé-😀' } }), /^the activity's "conversation.id" may hold only printable ASCII characters$/],
  ['an empty conversation id', good({ conversation: { id: '' } }), /^the activity has no "conversation.id"$/],
  ['a conversation id of 600 characters', good({ conversation: { id: 'x'.repeat(600) } }), /^the activity's "conversation.id" is longer than 512 characters$/],
  ['a conversation that is a string', good({ conversation: 'conversation-1' as never }), /^the activity's "conversation" must be an object with an "id"$/],
  ['isGroup as a string', good({ conversation: { id: 'c', isGroup: 'yes' } as never }), /^the activity's "conversation.isGroup" must be true or false$/],
  ['a channel id with a slash', good({ channelId: '../msteams' }), /^the activity's "channelId" must be a channel name/],
  ['a serviceUrl that is not http', good({ serviceUrl: 'file:///etc/passwd' }), /^the activity has no valid "serviceUrl": it must be an http or https URL$/],
  ['an empty type', good({ type: '' }), /^the activity has no "type"$/],
  ['a numeric type', good({ type: 7 as never }), /^the activity's "type" must be a string$/],
  ['a numeric locale', good({ locale: 44 as never }), /^the activity's "locale" must be a string$/],
  ['51 members added', good({ membersAdded: Array.from({ length: 51 }, (_, i) => ({ id: `u${i}` })) }), /^the activity's "membersAdded" holds more than 50 members$/],
];

const fine: [string, unknown][] = [
  ['a message', good()],
  ['a message without text (a card submission)', { ...good(), text: undefined, value: { action: 'saveMember' } }],
  ['a card value with __proto__ and constructor keys', good({ value: JSON.parse('{"__proto__":{"admin":true},"constructor":{"prototype":{}},"action":"x"}') })],
  ['unicode text, markdown and HTML', good({ text: '**ünï** <script>alert(1)</script> 😀' })],
  ['a Teams conversation id', good({ channelId: 'msteams', conversation: { id: 'a:1Xyz-AbC_dEf;messageid=1700000000000', conversationType: 'personal', tenantId: 't' } as never })],
  ['fields it does not read', good({ channelData: { tenant: { id: 't' } }, suggestedActions: { actions: [] }, speak: 'hi' })],
  ['members added', good({ type: 'conversationUpdate', text: undefined, membersAdded: [{ id: 'user-1', name: 'Zoë' }, { id: 'bot' }] })],
  ['an invoke', good({ type: 'invoke', name: 'adaptiveCard/action', value: { action: { type: 'Action.Execute' } } })],
  ['a unicode user name', good({ from: { id: '29:1abc', name: 'Siân Ó Briain' } })],
];

describe('activities are checked at the edge', () => {
  it.each(bad)('%s is refused, naming the field', (_name, body, message) => {
    const checked = checkActivity(body);
    expect('problem' in checked && checked.problem).toMatch(message);
  });

  it.each(fine)('%s is accepted', (_name, body) => {
    const checked = checkActivity(body);
    expect('problem' in checked ? checked.problem : 'accepted').toBe('accepted');
  });

  it('keeps the fields it does not know', () => {
    const checked = checkActivity(good({ channelData: { a: 1 } }));
    expect('activity' in checked && checked.activity.channelData).toEqual({ a: 1 });
  });
});

describe('over HTTP', () => {
  let bot: RunningBot;
  let channel: LocalChannel;

  beforeAll(async () => {
    bot = await startBot();
    channel = await LocalChannel.start();
  });
  afterAll(async () => {
    await channel?.close();
    await bot?.close();
  });

  const post = async (body: unknown) => {
    const response = await fetch(`${bot.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: response.status, body: await response.text() };
  };

  it.each(bad)('%s: 400 with the reason, before any turn', async (_name, body, message) => {
    // Replies (if any got through) would go to the local channel.
    const serviceUrl = String((body as Record<string, unknown>).serviceUrl);
    const activity = { ...(body as Record<string, unknown>), serviceUrl: serviceUrl.startsWith('http') ? channel.serviceUrl : serviceUrl };
    const answer = await post(activity);
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body).error).toMatch(message);
  });

  it('answers invokes with an invoke response, without a turn', async () => {
    const id = `conv-${randomUUID()}`;
    const execute = await post(channel.activity(id, { type: 'invoke', name: 'adaptiveCard/action', value: { action: { type: 'Action.Execute', verb: 'x' } } }));
    expect(execute.status).toBe(200);
    expect(JSON.parse(execute.body)).toMatchObject({ statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: expect.stringMatching(/latest message/) });
    const other = await post(channel.activity(id, { type: 'invoke', name: 'task/fetch', value: {} }));
    expect(other.status).toBe(200);
    const health = await post(channel.activity(id, { type: 'invoke', name: 'healthCheck' }));
    expect(JSON.parse(health.body)).toMatchObject({ healthResults: { success: true } });
    expect(channel.transcript(id)).toEqual([]);
  });

  it('still holds a conversation together after all of them', async () => {
    const id = `conv-${randomUUID()}`;
    for (const [, body] of bad) await post({ ...(body as object), conversation: { id }, serviceUrl: channel.serviceUrl });
    const result = await channel.send(bot.url, channel.message(id, 'register'));
    expect(checkNumber(result)).toBe(1);
    expect(checkNumber(await channel.send(bot.url, channel.message(id, 'care provider')))).toBe(2);
  });
});
