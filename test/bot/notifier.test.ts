import { StoreUnavailableError } from '../../adapters/conversationStore';
import type { DirectLineState } from '../../adapters/directLineState';
import type { AdaptiveCard } from '../../dialogs/cards';
import { createLogger } from '../../bot/logger';
import { Notifier } from '../../bot/notifier';
import { RunningBot, sleep, startBot, waitFor } from '../helpers/bot';
import { RecordingChannel } from '../helpers/recordingChannel';

/**
 * The notifier over HTTP: the bot converses with a channel on loopback (a Teams-shaped one and an
 * Emulator one) that records what it receives; the notifier then reaches those conversations from
 * outside their turns, as the NAS back office and the owners' flows will.
 */

const statusCard = (status: string): AdaptiveCard => ({
  type: 'AdaptiveCard',
  $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
  version: '1.5',
  body: [
    { type: 'TextBlock', text: 'REG-7KD9QX2P', weight: 'Bolder', wrap: true },
    { type: 'TextBlock', text: `Status: ${status}`, wrap: true },
  ],
});

const cardOf = (activity: Record<string, unknown>) =>
  ((activity.attachments as { contentType: string; content: { body?: unknown[] } }[] | undefined) ?? []).find((a) => a.contentType === 'application/vnd.microsoft.card.adaptive')?.content;

describe('the notifier', () => {
  let bot: RunningBot;
  let teams: RecordingChannel;
  let emulator: RecordingChannel;

  beforeAll(async () => {
    [bot, teams, emulator] = await Promise.all([startBot(), RecordingChannel.start('msteams'), RecordingChannel.start('emulator')]);
  });

  afterAll(async () => {
    await Promise.all([bot?.close(), teams?.close(), emulator?.close()]);
  });

  const keyOf = (channelId: string, conversationId: string) => bot.assistant.engine.conversationKey({ channelId, conversationId });

  /** A Teams personal chat: the app installed (the bot greets), then "register". */
  async function teamsConversation(user = 'user-1'): Promise<string> {
    const id = teams.newConversation();
    teams.setMember(`29:${user}`, { name: 'Jane Smith', email: `${user}@care.example`, userPrincipalName: `${user}@nhs.net` });
    expect(await teams.post(bot.url, teams.activity(id, { type: 'conversationUpdate', membersAdded: [{ id: '28:bot' }] }, user))).toBe(200);
    expect(await teams.say(bot.url, id, 'register', user)).toBe(200);
    await waitFor(() => teams.textsOf(id).some((t) => /check 1 of 6/.test(t)), 'the first check');
    return id;
  }

  it('keeps each conversation’s reference (ids only) and finds a Teams user’s conversation by email or UPN', async () => {
    const id = await teamsConversation('user-keep');
    const kept = await bot.assistant.references.get(keyOf('msteams', id));
    expect(kept).toEqual({
      channelId: 'msteams',
      serviceUrl: teams.serviceUrl,
      conversation: { id, conversationType: 'personal', tenantId: 'tenant-1' },
      user: { id: '29:user-keep' },
      bot: { id: '28:bot' },
      locale: 'en-GB',
    });
    expect(JSON.stringify(kept)).not.toMatch(/Jane|aad-/);
    await expect(bot.assistant.references.findByUser('USER-KEEP@nhs.net')).resolves.toEqual([{ key: keyOf('msteams', id), reference: kept }]);
    await expect(bot.assistant.references.findByUser('user-keep@care.example', 'msteams')).resolves.toHaveLength(1);
  });

  it('Teams: a status card sent to the conversation, then updated in place when the status moves again', async () => {
    const id = await teamsConversation();
    const before = teams.of(id).length;
    const sent = await bot.assistant.notifier.notify(
      { conversationKey: keyOf('msteams', id) },
      { text: 'Your registration REG-7KD9QX2P has been received.', card: statusCard('received'), updateTag: 'status:REG-7KD9QX2P' },
    );
    expect(sent).toEqual({ outcome: 'delivered', channelId: 'msteams', moved: false, updated: false, activityId: expect.any(String) });
    const [posted] = teams.of(id).slice(before);
    expect(posted).toMatchObject({ method: 'POST', id: sent.outcome === 'delivered' ? sent.activityId : '' });
    expect(cardOf(posted!.activity)?.body?.[1]).toMatchObject({ text: 'Status: received' });
    expect(posted!.activity.summary).toBe('Your registration REG-7KD9QX2P has been received.');

    const moved = await bot.assistant.notifier.notify(
      { conversationKey: keyOf('msteams', id) },
      { text: 'Your registration REG-7KD9QX2P is in progress.', card: statusCard('in progress'), updateTag: 'status:REG-7KD9QX2P' },
    );
    expect(moved).toMatchObject({ outcome: 'delivered', updated: true, activityId: posted!.id });
    // After the first card the question the conversation waits on is asked again (its buttons
    // would be gone); after an update in place they are still there, so nothing more is said.
    const [, again, update, ...more] = teams.of(id).slice(before);
    expect(again).toMatchObject({ method: 'POST' });
    expect(String(again!.activity.text)).toMatch(/check 1 of 6/);
    expect(update).toMatchObject({ method: 'PUT', activityId: posted!.id });
    expect(cardOf(update!.activity)?.body?.[1]).toMatchObject({ text: 'Status: in progress' });
    expect(more).toEqual([]);
  });

  it('Emulator: a message by the kept reference; a tagged one is sent anew (only Teams edits in place)', async () => {
    const id = emulator.newConversation();
    expect(await emulator.post(bot.url, emulator.activity(id, { type: 'conversationUpdate', membersAdded: [{ id: 'user-1' }] }))).toBe(200);
    expect(await emulator.say(bot.url, id, 'register')).toBe(200);
    const before = emulator.of(id).length;
    const reference = { channelId: 'emulator', serviceUrl: emulator.serviceUrl, conversation: { id }, user: { id: 'user-1' }, bot: { id: 'bot' } };
    const first = await bot.assistant.notifier.notify({ conversationReference: reference }, { text: 'Your passcode letter was posted today.', updateTag: 'letter' });
    const second = await bot.assistant.notifier.notify({ conversationReference: reference }, { text: 'Your passcode letter was posted again.', updateTag: 'letter' });
    expect([first.outcome, second.outcome]).toEqual(['delivered', 'delivered']);
    const said = emulator.of(id).slice(before).map((r) => [r.method, String(r.activity.text).split('\n')[0]]);
    expect(said).toEqual([
      ['POST', 'Your passcode letter was posted today.'],
      ['POST', expect.stringMatching(/check 1 of 6/)],
      ['POST', 'Your passcode letter was posted again.'],
      ['POST', expect.stringMatching(/check 1 of 6/)],
    ]);
    // Unless told not to ask again.
    await bot.assistant.notifier.notify({ conversationReference: reference }, { text: 'Just so you know.', repeatPrompt: false });
    expect(emulator.textsOf(id).slice(before + 4)).toEqual(['Just so you know.']);
  });

  it('moves the conversation’s machine with an event and says what it says next; an event it cannot take moves nothing', async () => {
    const id = await teamsConversation();
    const key = keyOf('msteams', id);
    const before = teams.of(id).length;
    const moved = await bot.assistant.notifier.notify({ conversationKey: key }, { text: 'A message from NAS.', event: { type: 'MENU' } });
    expect(moved).toMatchObject({ outcome: 'delivered', moved: true });
    // The notification stands alone (a card can be updated later); what the conversation says follows.
    expect(teams.textsOf(id).slice(before)).toEqual(['A message from NAS.', 'Menu. What would you like to do? Your progress so far is kept.']);
    // The new state was saved: the user carries on from the menu.
    expect(await teams.say(bot.url, id, 'carry on')).toBe(200);
    await waitFor(() => teams.textsOf(id).some((t) => /Carrying on where you left off/.test(t)), 'the flow resumed');

    const after = teams.of(id).length;
    const notTaken = await bot.assistant.notifier.notify({ conversationKey: key }, { text: 'Another message.', event: { type: 'RESUME' } });
    expect(notTaken).toMatchObject({ outcome: 'delivered', moved: false });
    const [message, question, ...rest] = teams.textsOf(id).slice(after);
    expect(message).toBe('Another message.');
    expect(question).toMatch(/check 1 of 6/);
    expect(rest).toEqual([]);
  });

  it('says nothing twice for the same idempotency key', async () => {
    const id = await teamsConversation();
    const before = teams.of(id).length;
    const message = { text: 'REG-7KD9QX2P is done.', idempotencyKey: 'REG-7KD9QX2P:v5' };
    const results = await Promise.all([1, 2, 3].map(() => bot.assistant.notifier.notify({ conversationKey: keyOf('msteams', id) }, message)));
    expect(results.map((r) => r.outcome).sort()).toEqual(['delivered', 'repeated', 'repeated']);
    expect(teams.textsOf(id).slice(before).filter((t) => t === 'REG-7KD9QX2P is done.')).toHaveLength(1);
  });

  it('a conversation whose channel refuses gets an email through the outbox when the address is known; otherwise it is undeliverable', async () => {
    const id = await teamsConversation();
    teams.refuse(id, 403);
    const key = keyOf('msteams', id);
    const emailed = await bot.assistant.notifier.notify(
      { conversationKey: key, email: 'jane.smith@care.example' },
      { text: 'Your registration **REG-7KD9QX2P** is done.', emailSubject: 'Your NHSmail registration REG-7KD9QX2P', idempotencyKey: 'REG-7KD9QX2P:v6' },
    );
    expect(emailed).toEqual({ outcome: 'emailed', reason: 'the channel answered 403', outboxId: expect.any(String) });
    const [email] = await bot.assistant.adapters.outbox.latest(1);
    expect(email).toMatchObject({ channel: 'email', recipient: 'jane.smith@care.example', subject: 'Your NHSmail registration REG-7KD9QX2P', tags: { kind: 'notification' } });
    expect(email!.body).toMatch(/^Your registration REG-7KD9QX2P is done\.\n\nWe could not reach you in the chat/);
    expect(email!.body).toContain('0333 200 1133');

    const lost = await bot.assistant.notifier.notify({ conversationKey: key }, { text: 'Nobody will see this.' });
    expect(lost).toEqual({ outcome: 'undeliverable', reason: 'the channel answered 403' });
    // A conversation the bot never knew: straight to email.
    const unknown = await bot.assistant.notifier.notify({ conversationKey: 'no-such-conversation', email: 'someone@care.example' }, { text: 'Hello.' });
    expect(unknown).toMatchObject({ outcome: 'emailed', reason: 'there is no conversation to reach' });
  });

  it('a web chat state that cannot be written is a failure to try again later, not a reason to email', async () => {
    const state = Object.create(bot.assistant.webChat.state) as DirectLineState;
    state.get = async (id) => ({ id, userId: 'dl_x', started: true, next: 0, createdAt: 0, lastSeen: 0 });
    state.append = async () => {
      throw new StoreUnavailableError('Redis unavailable (direct line append): connection lost');
    };
    const notifier = new Notifier({ engine: bot.assistant.engine, references: bot.assistant.references, outbox: bot.assistant.adapters.outbox, logger: createLogger('silent'), webChat: { state } });
    const target = { conversationReference: { channelId: 'webchat', serviceUrl: 'http://127.0.0.1/', conversation: { id: 'AAAAAAAAAAAAAAAAAAAAAB' }, bot: { id: 'bot' } }, email: 'someone@care.example' };
    const [before] = await bot.assistant.adapters.outbox.latest(1);
    const message = { text: 'Your request moved on.', idempotencyKey: 'REQ:v1' };
    await expect(notifier.notify(target, message)).resolves.toEqual({ outcome: 'failed', reason: 'the web chat state could not be used' });
    const [after] = await bot.assistant.adapters.outbox.latest(1);
    expect(after?.id).toBe(before?.id);
    // Given back: the retry is not taken for a repeat.
    await expect(notifier.notify(target, message)).resolves.toMatchObject({ outcome: 'failed' });
  });

  it('waits for a turn in progress (on any instance) and delivers after it: nothing of either is lost', async () => {
    const id = await teamsConversation();
    const key = keyOf('msteams', id);
    // Another instance is in the middle of a turn of this conversation.
    const lease = await bot.assistant.store.begin(key);
    const before = teams.of(id).length;
    const notified = bot.assistant.notifier.notify({ conversationKey: key }, { text: 'A message while you were typing.', event: { type: 'MENU' } });
    await sleep(300);
    expect(teams.of(id).length).toBe(before);
    await bot.assistant.store.release(lease);
    await expect(notified).resolves.toMatchObject({ outcome: 'delivered', moved: true });
    expect(teams.textsOf(id).slice(before)[0]).toMatch(/^A message while you were typing\./);
  });

  it('delivery racing a slow turn: the event lands after the turn’s own change, and the next answer builds on both', async () => {
    const id = teams.newConversation();
    const key = keyOf('msteams', id);
    teams.setMember('29:user-race', { name: 'Jane Smith', email: 'race@care.example', userPrincipalName: 'race@nhs.net' });
    // The install turn asks Teams who the user is; Teams takes a second to answer.
    teams.delayMembers(1_000);
    try {
      const installed = teams.post(bot.url, teams.activity(id, { type: 'conversationUpdate', membersAdded: [{ id: '28:bot' }] }, 'user-race'));
      await sleep(300);
      // Meanwhile NAS (or an owner's flow) starts something in this conversation.
      const notified = await bot.assistant.notifier.notify(
        { conversationReference: { channelId: 'msteams', serviceUrl: teams.serviceUrl, conversation: { id }, user: { id: '29:user-race' }, bot: { id: '28:bot' } } },
        { text: 'Let us start your registration.', event: { type: 'START_FLOW', flow: 'registration' } },
      );
      expect(await installed).toBe(200);
      // It waited for the install turn: the conversation existed, and the event moved it.
      expect(notified).toMatchObject({ outcome: 'delivered', moved: true });
    } finally {
      teams.delayMembers(0);
    }
    expect(await teams.say(bot.url, id, 'Care provider', 'user-race')).toBe(200);
    await waitFor(() => teams.textsOf(id).some((t) => /check 2 of 6/.test(t)), 'the second check');
    // The install turn's identity lookup was kept too.
    await expect(bot.assistant.references.findByUser('race@nhs.net')).resolves.toEqual([{ key, reference: expect.objectContaining({ channelId: 'msteams' }) }]);
  });
});
