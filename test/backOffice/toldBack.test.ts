import type { NasRequester, NasSubmission } from '../../adapters/nasRequests';
import { main } from '../../scripts/nas';
import { RunningBot, startBot, startPrivateRedis, waitFor } from '../helpers/bot';
import { newOdsCode, registration } from '../helpers/nasRequests';
import { RecordingChannel } from '../helpers/recordingChannel';
import type { TestRedis } from '../helpers/redis';

/**
 * The requester told in their own chat when NAS moves their request (SPEC §3), whichever way NAS
 * came in: `npm run nas -- update` (a process with no server), or the API of another instance
 * than the one the conversation talks to; on Teams the status card is updated in place; a chat
 * that can no longer be reached gets an email; the web page's conversation hears it through any
 * instance.
 */

const TOKEN = 't'.repeat(40);
const cardOf = (activity: Record<string, unknown>) =>
  ((activity.attachments as { contentType: string; content: { body?: unknown[] } }[] | undefined) ?? []).find(
    (a) => a.contentType === 'application/vnd.microsoft.card.adaptive',
  )?.content;
/** The card's "Status: …" line. */
const statusOnCard = (activity: Record<string, unknown>) => {
  const body = (cardOf(activity)?.body ?? []) as { inlines?: { text: string }[] }[];
  const line = body.find((b) => b.inlines?.[0]?.text === 'Status: ');
  return line?.inlines?.[1]?.text;
};

describe('NAS status changes told back in the chat that raised the request', () => {
  let redis: TestRedis;
  let conversing: RunningBot;
  let nasInstance: RunningBot;
  let teams: RecordingChannel;
  let emulator: RecordingChannel;
  let env: Record<string, string>;

  beforeAll(async () => {
    redis = await startPrivateRedis();
    env = { REDIS_URL: redis.url, LOG_LEVEL: 'silent' };
    [conversing, nasInstance, teams, emulator] = await Promise.all([
      startBot({ REDIS_URL: redis.url }),
      startBot({ REDIS_URL: redis.url, NAS_API_TOKENS: `care:${TOKEN}` }),
      RecordingChannel.start('msteams'),
      RecordingChannel.start('emulator'),
    ]);
  });

  afterAll(async () => {
    await Promise.all([conversing?.close(), nasInstance?.close(), teams?.close(), emulator?.close()]);
    await redis?.stop();
  });

  const nas = async (...argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(argv, env, (l) => out.push(l), (l) => err.push(l));
    return { code, out: out.join('\n'), err: err.join('\n') };
  };

  /** A conversation on `channel` with the conversing instance, and the requester a request from it has. */
  async function conversation(channel: RecordingChannel, email?: string): Promise<{ id: string; requester: NasRequester }> {
    const id = channel.newConversation();
    expect(await channel.post(conversing.url, channel.activity(id, { type: 'conversationUpdate', membersAdded: [{ id: 'user-1' }] }))).toBe(200);
    expect(await channel.say(conversing.url, id, 'hello')).toBe(200);
    const key = conversing.assistant.engine.conversationKey({ channelId: channel.channelId, conversationId: id });
    await waitFor(async () => (await conversing.assistant.references.get(key)) !== undefined, 'the conversation reference to be kept');
    const reference = await conversing.assistant.references.get(key);
    return { id, requester: { conversationKey: key, conversationReference: reference, channelId: channel.channelId, ...(email ? { email } : {}) } };
  }

  async function submitted(requester: NasRequester): Promise<string> {
    const input: NasSubmission<'registration'> = { ...registration(newOdsCode()), requester };
    const made = await conversing.assistant.adapters.requests.submit(input);
    if (made.outcome !== 'created') throw new Error(made.outcome);
    return made.request.reference;
  }

  it('Teams: `npm run nas -- update REF done` puts a status card in the chat, and each later move updates that card in place', async () => {
    const { id, requester } = await conversation(teams);
    const ref = await submitted(requester);
    const before = teams.of(id).length;

    const started = await nas('update', ref, 'in-progress', '--as', 'Sam Jones');
    expect(started.code).toBe(0);
    expect(started.out).toContain('The requester has been told in the chat that raised it.');
    await waitFor(() => teams.of(id).length > before, 'the status card');
    const [card] = teams.of(id).slice(before);
    expect(card).toMatchObject({ method: 'POST' });
    expect(statusOnCard(card!.activity)).toBe('in progress');
    expect(String(card!.activity.summary ?? card!.activity.text)).toMatch(new RegExp(`^Your registration for Rose Court Care Home is in progress \\(${ref}\\)\\.`));

    const done = await nas('update', ref, 'done', '--as', 'Sam Jones');
    expect(done.out).toContain('The requester has been told in the chat that raised it.');
    await waitFor(() => teams.of(id).some((r) => r.method === 'PUT'), 'the card updated in place');
    const update = teams.of(id).find((r) => r.method === 'PUT')!;
    expect(update.activityId).toBe(card!.id);
    expect(statusOnCard(update.activity)).toBe('done');
    const steps = JSON.stringify(cardOf(update.activity));
    expect(steps).toContain('welcome email with their username');
    expect(steps).toContain('log in at www.nhs.net, change the password');
    // Addresses are shown as they are, with nothing invisible inside them (issue 7, defect 12).
    expect(steps).toContain('www.nhs.net');
    expect(steps).not.toContain('\u200b');
  });

  it('Emulator: a change through the API of another instance reaches the chat; a question from NAS is asked there', async () => {
    const { id, requester } = await conversation(emulator);
    const ref = await submitted(requester);
    const before = emulator.of(id).length;
    const read = await fetch(`${nasInstance.url}/nas/api/requests/${ref}`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    const asked = await fetch(`${nasInstance.url}/nas/api/requests/${ref}/status`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json', 'If-Match': read.headers.get('etag')! },
      body: JSON.stringify({ status: 'waitingForRequester', by: 'Sam Jones', question: 'Which town is the home in?' }),
    });
    expect(asked.status).toBe(200);
    expect(((await asked.json()) as { told: unknown }).told).toEqual({ how: 'chat', detail: 'emulator' });
    await waitFor(() => emulator.textsOf(id).length > before, 'the question in the chat');
    const [said] = emulator.textsOf(id).slice(before);
    expect(said).toMatch(new RegExp(`^NAS has a question about your registration for Rose Court Care Home \\(${ref}\\)\\.`));
    expect(said).toContain('They ask: “Which town is the home in?”');
  });

  it('emails the requester when their chat can no longer be reached', async () => {
    const { id, requester } = await conversation(emulator, 'jane.manager@example.org');
    const ref = await submitted(requester);
    emulator.refuse(id, 403);
    const rejected = await nas('update', ref, 'rejected', '--reason', 'the organisation is a hospice', '--as', 'Sam Jones');
    expect(rejected.code).toBe(0);
    expect(rejected.out).toMatch(/The requester's chat could not be reached, so they have been emailed/);
    const mail = (await conversing.assistant.adapters.outbox.latest(20)).find((m) => m.recipient === 'jane.manager@example.org');
    expect(mail).toMatchObject({ channel: 'email', subject: `${ref}: rejected`, tags: { kind: 'notification' } });
    expect(mail!.body).toContain('NAS could not go ahead with it: the organisation is a hospice.');
    expect(mail!.body).toContain('We could not reach you in the chat where you asked for this');
  });

  it('tells the requester once per change, however often the same change is told', async () => {
    const { id, requester } = await conversation(emulator);
    const ref = await submitted(requester);
    await nas('update', ref, 'in-progress', '--as', 'Sam Jones');
    await waitFor(() => emulator.textsOf(id).some((t) => t.includes(ref)), 'the message');
    const request = await conversing.assistant.adapters.requests.get(ref);
    const tell = conversing.assistant.backOffice.tellRequester!;
    expect(await tell(request!, 'received')).toEqual({ how: 'chat', detail: 'told before' });
    expect(emulator.textsOf(id).filter((t) => t.includes(ref))).toHaveLength(1);
  });
});
