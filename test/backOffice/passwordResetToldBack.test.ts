import { main } from '../../scripts/nas';
import { RunningBot, startBot, startPrivateRedis, waitFor } from '../helpers/bot';
import { RecordingChannel } from '../helpers/recordingChannel';
import type { TestRedis } from '../helpers/redis';
import { scaled } from '../helpers/timeouts';

/**
 * A password reset raised in the chat (Emulator channel, over HTTP, one bot process on Redis),
 * worked by NAS with `npm run nas` (a process with no server): the requester hears each change
 * on their serviceUrl, ending with where the temporary password went.
 */
describe('a password reset worked by NAS, told back in the chat that raised it', () => {
  let redis: TestRedis;
  let bot: RunningBot;
  let emulator: RecordingChannel;
  let env: Record<string, string>;

  beforeAll(async () => {
    redis = await startPrivateRedis();
    env = { REDIS_URL: redis.url, LOG_LEVEL: 'silent' };
    [bot, emulator] = await Promise.all([startBot({ REDIS_URL: redis.url }), RecordingChannel.start('emulator')]);
  });

  afterAll(async () => {
    await Promise.all([bot?.close(), emulator?.close()]);
    await redis?.stop();
  });

  const nas = async (...argv: string[]) => {
    const out: string[] = [];
    const code = await main(argv, env, (l) => out.push(l), (l) => out.push(l));
    return { code, out: out.join('\n') };
  };

  it('in progress, then done: "NAS has sent a temporary password by text to the mobile ending 033"', async () => {
    const id = emulator.newConversation();
    const said = async (text: string, expected: RegExp) => {
      const before = emulator.textsOf(id).length;
      expect(await emulator.say(bot.url, id, text)).toBe(200);
      await waitFor(() => emulator.textsOf(id).slice(before).some((t) => expected.test(t)), `a reply to "${text}" matching ${expected}`, scaled(10_000));
      return emulator.textsOf(id).slice(before).join('\n');
    };
    expect(await emulator.post(bot.url, emulator.activity(id, { type: 'conversationUpdate', membersAdded: [{ id: 'user-1' }] }))).toBe(200);
    await said('locked out!!', /Which NHSmail address is locked\?/);
    await said('Amy.Pearce@nhs.net', /the National Administration Service unlocks it/);
    await said('raise a reset request', /can you get text messages/);
    await said('yep', /Please type the code from the text sent to the mobile ending 033/);
    const sms = (await bot.assistant.adapters.outbox.latest(10)).find((m) => m.channel === 'sms' && m.recipient === '+447400000033');
    const code = /\b(\d{6})\b/.exec(sms?.body ?? '')![1]!;
    const verified = await said(`${code.slice(0, 3)} ${code.slice(3)}`, /That code is right/);
    const ref = /PWD-[A-Z0-9]{8}/.exec(verified)![0];

    const taken = await nas('take', '--queue', 'care', '--as', 'Sam Jones');
    expect([taken.code, taken.out]).toEqual([0, expect.stringContaining(`You (Sam Jones) have taken ${ref}.`)]);
    expect(taken.out).toContain('Temporary password to:  07400 000033');
    await waitFor(() => emulator.textsOf(id).some((t) => t.includes(`Your password reset for amy.pearce@nhs.net is in progress (${ref})`)), 'the in-progress message', scaled(10_000));

    const done = await nas('update', ref, 'done', '--as', 'Sam Jones');
    expect([done.code, done.out]).toEqual([0, expect.stringContaining('The requester has been told in the chat that raised it.')]);
    await waitFor(() => emulator.textsOf(id).some((t) => t.includes('NAS has sent a temporary password by text to the mobile ending 033')), 'the done message', scaled(10_000));
    // Asked afterwards, in the same chat.
    expect(await said(`whats the status of ${ref.toLowerCase()}?`, /Its status is done, since/)).toContain(ref);
  }, scaled(90_000));
});
