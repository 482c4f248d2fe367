import { randomUUID } from 'node:crypto';
import { ChannelActivity, LocalChannel } from '../../bench/localChannel';
import { RunningBot, startBot } from '../helpers/bot';

/** Talking to the bot as Microsoft Teams does: channelId msteams, personal chat. */
describe('on Microsoft Teams', () => {
  let bot: RunningBot;
  let teams: LocalChannel;

  beforeAll(async () => {
    bot = await startBot();
    teams = await LocalChannel.start({ channelId: 'msteams' });
  });
  afterAll(async () => {
    await teams.close();
    await bot.close();
  });

  const personal = (conversationId: string, fields: Partial<ChannelActivity>) =>
    teams.activity(conversationId, { conversation: { id: conversationId, conversationType: 'personal' } as never, ...fields });
  const install = (conversationId: string) =>
    personal(conversationId, { type: 'conversationUpdate', membersAdded: [{ id: 'bot', name: 'Bot' }] });
  const say = (conversationId: string, text: string, extra: Partial<ChannelActivity> = {}) =>
    teams.send(bot.url, personal(conversationId, { type: 'message', text, ...extra }));
  const cardOf = (activity: ChannelActivity | undefined) =>
    (activity?.attachments as { contentType: string; content: Record<string, unknown> }[] | undefined)?.find(
      (a) => a.contentType === 'application/vnd.microsoft.card.adaptive',
    )?.content;

  it('greets the user once when the app is installed', async () => {
    const id = `a:${randomUUID()}`;
    const first = await teams.send(bot.url, install(id));
    expect(first.status).toBe(200);
    expect(first.replies[0]!.text).toMatch(/NHSmail care assistant/);
    const again = await teams.send(bot.url, install(id));
    expect(again.replies).toEqual([]);
  });

  it('shows that it is typing, and reads a message that starts with its own @mention', async () => {
    const id = `a:${randomUUID()}`;
    await teams.send(bot.url, install(id));
    const mention = {
      type: 'mention',
      mentioned: { id: 'bot', name: 'NHSmail assistant' },
      text: '<at>NHSmail assistant</at>',
    };
    const result = await say(id, '<at>NHSmail assistant</at> register', { entities: [mention] });
    expect(result.replies[0]!.text).toMatch(/Registering takes about 10 minutes/);
    const types = teams.activitiesOf(id).map((a) => a.type);
    expect(types.slice(-2)).toEqual(['typing', 'message']);
  });

  it('learns who the signed-in user is from Teams and keeps it on the conversation', async () => {
    const id = `a:${randomUUID()}`;
    teams.setMember('user-1', { name: 'Jane Smith', email: 'jane.smith@example.co.uk', userPrincipalName: 'jane.smith@carehome.example' });
    await teams.send(bot.url, install(id));
    expect(await bot.assistant.engine.identityOf({ channelId: 'msteams', conversationId: id })).toEqual({
      name: 'Jane Smith',
      email: 'jane.smith@example.co.uk',
      userPrincipalName: 'jane.smith@carehome.example',
      source: 'teams',
    });
  });

  it('carries on without an identity when the lookup fails', async () => {
    const id = `a:${randomUUID()}`;
    const stranger = personal(id, { type: 'message', text: 'hello', from: { id: 'unknown-user', name: 'Someone' } });
    const result = await teams.send(bot.url, stranger);
    expect(result.status).toBe(200);
    expect(result.replies.at(-1)!.text).toMatch(/What would you like to do/);
    expect(await bot.assistant.engine.identityOf({ channelId: 'msteams', conversationId: id })).toBeUndefined();
  });

  it('offers the member form as a card, and a bad field comes back beside it', async () => {
    const id = `a:${randomUUID()}`;
    for (const text of ['register', 'care', 'no', 'yes', 'no', 'yes', 'continue', 'LS6 1BN', 'CPODS2', '1-1002733005', 'CON1-123456789', 'Leeds', 'Leeds']) {
      await say(id, text);
    }
    const form = await say(id, 'continue');
    expect(cardOf(form.replies.at(-1))).toBeDefined();
    const value = { action: 'saveMember', firstName: 'Jane', lastName: 'Smith', email: 'jane@example.co.uk', mobile: '07400 12345', role: 'Registered Manager' };
    const refused = await teams.send(bot.url, personal(id, { type: 'message', value }));
    expect(refused.replies[0]!.text).toMatch(/Please correct the detail marked on the form/);
    expect(JSON.stringify(cardOf(refused.replies.at(-1)))).toMatch(/07400 12345 is too short for a UK mobile number/);
    // The same submission delivered twice (Teams retries) is processed once.
    const good = personal(id, { type: 'message', value: { ...value, mobile: '07400 123456' } });
    const saved = await teams.send(bot.url, good);
    expect(JSON.stringify(cardOf(saved.replies.at(-1)))).toMatch(/"Member 1: ".*"Jane Smith"/);
    expect((await teams.send(bot.url, good)).replies).toEqual([]);
  });
});
