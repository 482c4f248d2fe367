import type { NasRequester } from '../../adapters/nasRequests';
import { answerText, asksForStatus } from '../../bot/backOffice/requestDesk';
import { BackOffice } from '../../bot/backOffice/service';
import { requestAsked } from '../../dialogs/routing';
import { RunningBot, startBot, waitFor } from '../helpers/bot';
import { newOdsCode, registration } from '../helpers/nasRequests';
import { RecordingChannel } from '../helpers/recordingChannel';

/**
 * "What is the status of REG-…?" at any time, and NAS's question answered in the chat: through the
 * real bot over HTTP, from Teams and Emulator conversations on loopback.
 */

describe('a NAS reference in a message', () => {
  it.each([
    ['what is the status of REG-7KD9QX2P?', 'REG-7KD9QX2P'],
    ['reg-7kd9qx2p any news', 'REG-7KD9QX2P'],
    ['REG 7KD9QX2P: the town is Leeds', 'REG-7KD9QX2P'],
    ['my reset PWD-ABCDEFGH', 'PWD-ABCDEFGH'],
  ])('%j names %s', (text, reference) => {
    expect(requestAsked(text)?.reference).toBe(reference);
  });

  it.each([['REG-7KD9QX2'], ['REG-7KD9QX2PX'], ['REG-0000OOII'], ['XYZ-7KD9QX2P'], ['my passcode is 7KD9QX2P'], ['LS6 1BN']])('%j names none', (text) => {
    expect(requestAsked(text)).toBeUndefined();
  });

  it.each([
    ['what is the status of REG-7KD9QX2P?', true],
    ['REG-7KD9QX2P', true],
    ['any update on my registration REG-7KD9QX2P please', true],
    ["how's REG 7KD9QX2P going?", true],
    ['REG-7KD9QX2P: the town is Leeds', false],
    ['The home is in Leeds, REG-7KD9QX2P', false],
    ['REG-7KD9QX2P yes that is right', false],
  ])('%j asks for the status: %p', (text, status) => {
    expect(asksForStatus(text, 'REG-7KD9QX2P')).toBe(status);
  });

  it.each([
    ['REG-7KD9QX2P: the town is Leeds', 'the town is Leeds'],
    ['reg 7kd9qx2p - Leeds  LS6', 'Leeds LS6'],
    ['The home is in Leeds, REG-7KD9QX2P', 'The home is in Leeds,'],
  ])('the answer in %j is %j', (text, answer) => {
    expect(answerText(text, 'REG-7KD9QX2P')).toBe(answer);
  });
});

describe('asking about a request in the chat', () => {
  let bot: RunningBot;
  let teams: RecordingChannel;
  let emulator: RecordingChannel;
  let office: BackOffice;

  beforeAll(async () => {
    [bot, teams, emulator] = await Promise.all([
      startBot({ RATE_LIMIT_PER_MINUTE: '0', USER_RATE_LIMIT_PER_MINUTE: '0' }),
      RecordingChannel.start('msteams'),
      RecordingChannel.start('emulator'),
    ]);
    office = new BackOffice(bot.assistant.backOffice);
  });

  afterAll(async () => {
    await Promise.all([bot?.close(), teams?.close(), emulator?.close()]);
  });

  async function conversation(channel: RecordingChannel): Promise<{ id: string; requester: NasRequester }> {
    const id = channel.newConversation();
    expect(await channel.post(bot.url, channel.activity(id, { type: 'conversationUpdate', membersAdded: [{ id: 'user-1' }] }))).toBe(200);
    const key = bot.assistant.engine.conversationKey({ channelId: channel.channelId, conversationId: id });
    await waitFor(async () => (await bot.assistant.references.get(key)) !== undefined, 'the reference to be kept');
    return { id, requester: { conversationKey: key, conversationReference: await bot.assistant.references.get(key), channelId: channel.channelId } };
  }

  async function submitted(requester: NasRequester): Promise<string> {
    const made = await bot.assistant.adapters.requests.submit({ ...registration(newOdsCode()), requester });
    if (made.outcome !== 'created') throw new Error(made.outcome);
    return made.request.reference;
  }

  /** Says `text` and returns what the bot said back (the new messages). */
  async function ask(channel: RecordingChannel, id: string, text: string): Promise<string[]> {
    const before = channel.of(id).length;
    expect(await channel.say(bot.url, id, text)).toBe(200);
    await waitFor(() => channel.of(id).length > before, 'an answer');
    return channel.textsOf(id).slice(before);
  }

  it('answers "what is the status of REG-…?" in the chat that raised it, from any point of the conversation', async () => {
    const { id, requester } = await conversation(emulator);
    const ref = await submitted(requester);
    const [answer] = await ask(emulator, id, `what's the status of ${ref.toLowerCase().replace('-', ' ')}?`);
    expect(answer).toMatch(new RegExp(`^We have your registration for Rose Court Care Home \\(${ref}\\)\\. Its status is received, since \\w+day \\d+ \\w+ at \\d\\d?(:\\d\\d)?[ap]m\\.`));
    expect(answer).toContain('NAS has it and will start on it soon.');

    // In the middle of another registration: answered, then the question it was on is asked again.
    await ask(emulator, id, 'register');
    const during = await ask(emulator, id, `${ref} status?`);
    expect(during[0]).toMatch(new RegExp(`^We have your registration .*\\(${ref}\\)`));
    expect(during.at(-1)).toMatch(/check 1 of 6/);
  });

  it('answers "where is my request?" without a reference from the requests made in this chat', async () => {
    const { id, requester } = await conversation(emulator);
    const [none] = await ask(emulator, id, 'what is the status of my request?');
    expect(none).toMatch(/^I cannot find a request made in this chat\. Tell me the reference and I will check where it is/);
    const first = await submitted(requester);
    const [one] = await ask(emulator, id, 'any news about my request?');
    expect(one).toMatch(new RegExp(`^We have your registration for Rose Court Care Home \\(${first}\\)\\. Its status is received`));
    const second = await submitted(requester);
    await office.changeStatus(second, { status: 'inProgress', by: 'Sam Jones' });
    const [two] = await ask(emulator, id, "where's my request");
    expect(two).toMatch(/^These are the requests made in this chat:\n\n/);
    expect(two).toMatch(new RegExp(`• ${second}: in progress, since .*\\n• ${first}: received, since `));
    expect(two).toContain(`Tell me a reference (for example "status of ${second}") to hear more about one.`);
  });

  it('says the same about a request of another chat as about one that does not exist', async () => {
    const { requester } = await conversation(emulator);
    const ref = await submitted(requester);
    const other = await conversation(emulator);
    const [theirs] = await ask(emulator, other.id, `status of ${ref}`);
    const [unknown] = await ask(emulator, other.id, 'status of REG-ABCDEFGH');
    expect(theirs).toBe(unknown!.replace('REG-ABCDEFGH', ref));
    expect(theirs).toMatch(new RegExp(`^I cannot find a request ${ref} made in this chat\\.`));
  });

  it("takes the answer to NAS's question in the chat, which moves the request back to in progress", async () => {
    const { id, requester } = await conversation(emulator);
    const ref = await submitted(requester);
    const before = emulator.of(id).length;
    const asked = await office.changeStatus(ref, { status: 'waitingForRequester', by: 'Sam Jones', question: 'Which town is the home in?' });
    expect(asked).toMatchObject({ outcome: 'updated', told: { how: 'chat' } });
    await waitFor(() => emulator.of(id).length > before, 'the question');
    expect(emulator.textsOf(id).at(-1)).toContain('They ask: “Which town is the home in?”');

    const [status] = await ask(emulator, id, `any news on ${ref}?`);
    expect(status).toMatch(/Its status is waiting for the requester/);
    expect(status).toContain('They ask: “Which town is the home in?”');

    const said = await ask(emulator, id, `${ref}: the home is in Leeds`);
    expect(said[0]!.startsWith(`Thank you. I have passed your answer to NAS: “the home is in Leeds”\n\n${ref} is back in progress, and I will tell you here when it moves on.`)).toBe(true);
    const request = await bot.assistant.adapters.requests.get(ref);
    expect(request?.status).toBe('inProgress');
    expect(request?.history.at(-1)).toMatchObject({ status: 'inProgress', by: 'requester', answer: 'the home is in Leeds' });
    // Not told back what they just did.
    expect(emulator.textsOf(id).filter((t) => t.includes('NAS has your answer'))).toEqual([]);
    // Once answered, the same words are a status question again, not a second answer.
    const [again] = await ask(emulator, id, `${ref}: the home is in Leeds`);
    expect(again).toMatch(/Its status is in progress/);
  });

  it('Teams: the answer box on the status card sends the answer, and the card is then updated in place', async () => {
    const { id, requester } = await conversation(teams);
    const ref = await submitted(requester);
    const before = teams.of(id).length;
    await office.changeStatus(ref, { status: 'waitingForRequester', by: 'Sam Jones', question: 'What is the registered manager’s mobile?' });
    await waitFor(() => teams.of(id).length > before, 'the status card');
    const card = teams.of(id)[before]!;
    const content = JSON.stringify(card.activity.attachments);
    expect(content).toContain('"id":"answer"');
    expect(content).toContain(`"data":{"action":"nasAnswer","reference":"${ref}"}`);

    const sent = teams.of(id).length;
    expect(await teams.post(bot.url, teams.activity(id, { type: 'message', value: { action: 'nasAnswer', reference: ref, answer: '07400 123456' } }))).toBe(200);
    await waitFor(() => teams.of(id).some((r, i) => i >= sent && r.method === 'PUT'), 'the card updated in place');
    const said = teams.textsOf(id).slice(sent);
    expect(said[0]).toMatch(/^Thank you\. I have passed your answer to NAS: “07400 123456”/);
    const update = teams.of(id).find((r, i) => i >= sent && r.method === 'PUT')!;
    expect(update.activityId).toBe(card.id);
    expect(JSON.stringify(update.activity.attachments)).toContain('in progress');
    expect(JSON.stringify(update.activity.attachments)).not.toContain('"id":"answer"');
    expect((await bot.assistant.adapters.requests.get(ref))?.status).toBe('inProgress');
  });
});
