import { randomUUID } from 'node:crypto';
import { ChannelActivity, LocalChannel } from '../../bench/localChannel';
import { checkNumber, lastText, RunningBot, startBot, startPrivateRedis, texts } from '../helpers/bot';
import type { TestRedis } from '../helpers/redis';
import { startTcpProxy, TcpProxy } from '../helpers/tcpProxy';
import { scaled } from '../helpers/timeouts';
import { FlakyChannel, startFlakyChannel } from './helpers/flakyChannel';

/**
 * Finding 2: when the channel refused the reply after the state was saved, the bot still answered
 * 200, a redelivery of the same activity got no reply at all, and typing the answer again applied
 * it twice. Now the last turn's replies are kept with the state: a redelivery (on any instance)
 * or the same message typed again gets them; a reply lost when nothing was saved is a 5xx, so
 * the channel sends the activity again.
 */

describe('a reply the channel could not take', () => {
  let redis: TestRedis;
  let proxy: TcpProxy;
  let botA: RunningBot;
  let botB: RunningBot;
  /** Reaches Redis through a proxy that can be cut. */
  let botC: RunningBot;
  let channel: LocalChannel;
  let flaky: FlakyChannel;

  beforeAll(async () => {
    redis = await startPrivateRedis();
    const target = new URL(redis.url);
    proxy = await startTcpProxy('127.0.0.1', Number(target.port));
    channel = await LocalChannel.start();
    flaky = await startFlakyChannel(channel.serviceUrl);
    [botA, botB, botC] = await Promise.all([
      startBot({ REDIS_URL: redis.url }),
      startBot({ REDIS_URL: redis.url }),
      startBot({ REDIS_URL: `redis://127.0.0.1:${proxy.port}` }),
    ]);
  }, scaled(30_000));

  afterEach(() => {
    flaky.mode = 'pass';
  });

  afterAll(async () => {
    await proxy?.restore();
    await Promise.all([botA?.close(), botB?.close(), botC?.close()]);
    await flaky?.close();
    await channel?.close();
    await proxy?.close();
    await redis?.stop();
  });

  /** A conversation whose replies go through the flaky serviceUrl; at the toolkit question (check 3). */
  async function atCheck3(bot: RunningBot) {
    const id = `lost-${randomUUID()}`;
    const activity = (text: string): ChannelActivity => channel.message(id, text, { serviceUrl: flaky.serviceUrl });
    const send = (a: ChannelActivity, to = bot) => channel.send(to.url, a);
    await send(channel.activity(id, { type: 'conversationUpdate', serviceUrl: flaky.serviceUrl, membersAdded: [{ id: 'user-1' }] }));
    for (const text of ['register', 'care provider']) expect((await send(activity(text))).status).toBe(200);
    const at = await send(activity('no'));
    expect(checkNumber(at)).toBe(3);
    return { id, activity, send };
  }

  it('saved, reply refused: 200; the redelivered activity gets the lost reply, and is not applied again', async () => {
    const { activity, send } = await atCheck3(botA);
    flaky.mode = 403;
    const yes = activity('yes');
    const refused = await send(yes);
    expect(refused.status).toBe(200);
    expect(refused.replies).toEqual([]);

    flaky.mode = 'pass';
    const redelivered = await send({ ...yes });
    expect(redelivered.status).toBe(200);
    expect(checkNumber(redelivered)).toBe(4);
    // Once delivered, a further copy is not answered again by the same instance.
    expect((await send({ ...yes })).replies).toEqual([]);
    // Moved once: the next answer is check 4's, even typed as the lost one was.
    expect(checkNumber(await send(activity('yes')))).toBe(5);
  });

  it('saved, reply refused: the same answer typed again shows the lost reply instead of answering the next question', async () => {
    const { activity, send } = await atCheck3(botA);
    flaky.mode = 403;
    expect((await send(activity('yes'))).status).toBe(200);
    flaky.mode = 'pass';
    const again = await send(activity('yes'));
    expect(checkNumber(again)).toBe(4);
    expect(texts(again).join('\n')).not.toMatch(/Sorry/);
    // And then "yes" is an answer again (to check 4), not a resend.
    expect(checkNumber(await send(activity('yes')))).toBe(5);
  });

  it('saved, reply refused on one instance: the redelivery on another instance gets it', async () => {
    const { activity, send } = await atCheck3(botA);
    flaky.mode = 403;
    const yes = activity('yes');
    expect((await send(yes)).status).toBe(200);
    flaky.mode = 'pass';
    const elsewhere = await send({ ...yes }, botB);
    expect(checkNumber(elsewhere)).toBe(4);
    expect(checkNumber(await send(activity('no'), botB))).toBe(5);
  });

  it('delivered by one instance, redelivered to another: answered again rather than lost', async () => {
    const { activity, send } = await atCheck3(botA);
    const yes = activity('yes');
    expect(checkNumber(await send(yes))).toBe(4);
    // botB cannot know botA's reply arrived (botA might have died before sending it).
    const elsewhere = await send({ ...yes }, botB);
    expect(elsewhere.status).toBe(200);
    expect(lastText(elsewhere)).toMatch(/check 4 of 6/);
    expect(checkNumber(await send(activity('no'), botB))).toBe(5);
  });

  it('nothing saved and the reply refused: a 5xx, so the channel sends it again, and then it is processed', async () => {
    const { activity, send } = await atCheck3(botC);
    const yes = activity('yes');
    await proxy.cut();
    flaky.mode = 403;
    const failed = await send(yes, botC);
    expect(failed.status).toBeGreaterThanOrEqual(500);
    expect(failed.body).not.toMatch(/at |Error:|redis|127\.0\.0\.1/i);
    await proxy.restore();
    flaky.mode = 'pass';
    // The bot reconnects by itself; the channel's retry of the same activity is processed once.
    const deadline = Date.now() + scaled(10_000);
    let retried = await send({ ...yes }, botC);
    while (checkNumber(retried) !== 4 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      retried = await send({ ...yes }, botC);
    }
    expect(checkNumber(retried)).toBe(4);
    expect(checkNumber(await send(activity('no'), botC))).toBe(5);
  }, scaled(30_000));
});
