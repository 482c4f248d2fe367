import { randomUUID } from 'node:crypto';
import type { NasRequest, NasRequestOf } from '../../adapters/nasRequests';
import { ChannelActivity, LocalChannel, SendResult } from '../../bench/localChannel';
import { RunningBot, startBot, startPrivateRedis, waitFor } from '../helpers/bot';
import type { TestRedis } from '../helpers/redis';

/**
 * The shared mailbox owners' requests over HTTP, as the Emulator and Teams talk to the bot, with
 * two bot processes on one real Redis (every other turn to the other process): an owner verified
 * by their Teams sign-in, and by a code emailed to their NHSmail address (read from the outbox in
 * Redis), raises each kind of request and gets a reference; the stored requests carry what NAS
 * needs; someone who is not an owner cannot raise one; the only owner leaving cannot be reported
 * until a new owner is named; five wrong codes lock code entry for the address, whichever process
 * and chat they came from; a new starter is refused at the site's 11th account.
 */

/** Every text of the replies, the cards' too (Teams shows the member questions as a form). */
const cardTexts = (node: unknown): string[] =>
  Array.isArray(node) ? node.flatMap(cardTexts) : node && typeof node === 'object' ? Object.entries(node).flatMap(([k, v]) => (k === 'text' && typeof v === 'string' ? [v] : cardTexts(v))) : [];
const textOf = (result: SendResult) =>
  result.replies.map((r) => [r.text ?? '', ...cardTexts(r.attachments), ...(r.suggestedActions?.actions ?? []).map((x) => `[${x.title}]`)].filter(Boolean).join('\n')).join('\n\n');
const REFERENCE = (prefix: string) => new RegExp(`${prefix}-[A-HJ-NP-Z2-9]{8}`, 'g');

describe('owners’ requests over HTTP, two bot processes on one Redis', () => {
  let redis: TestRedis;
  let a: RunningBot;
  let b: RunningBot;
  let emulator: LocalChannel;
  let teams: LocalChannel;

  beforeAll(async () => {
    redis = await startPrivateRedis();
    a = await startBot({ REDIS_URL: redis.url });
    b = await startBot({ REDIS_URL: redis.url });
    emulator = await LocalChannel.start({ channelId: 'emulator' });
    teams = await LocalChannel.start({ channelId: 'msteams' });
  }, 90_000);

  afterAll(async () => {
    await emulator?.close();
    await teams?.close();
    await a?.close();
    await b?.close();
    await redis?.stop();
  });

  /** A conversation whose turns alternate between the two bot processes. */
  function conversation(channel: LocalChannel, options: { userId?: string; teams?: boolean } = {}) {
    const id = `${options.teams ? 'a:' : ''}${randomUUID()}`;
    const base: Partial<ChannelActivity> = {
      conversation: { id, ...(options.teams ? { conversationType: 'personal' } : {}) } as never,
      ...(options.userId ? { from: { id: options.userId, name: 'User' } } : {}),
    };
    let turn = 0;
    return {
      id,
      say: async (text: string) => {
        const bot = turn++ % 2 ? b : a;
        const result = await channel.send(bot.url, channel.activity(id, { ...base, type: 'message', text }));
        expect(result.status).toBe(200);
        return textOf(result);
      },
      transcript: () => channel.transcript(id).map((r) => r.text ?? ''),
    };
  }

  async function codeEmailedTo(address: string, after: number): Promise<string> {
    let code = '';
    await waitFor(async () => {
      const mail = (await a.assistant.adapters.outbox.latest(100)).find((m) => m.recipient === address && m.createdAt >= after && m.tags?.kind === 'ownerVerificationCode');
      code = /\b(\d{6})\b/.exec(mail?.body ?? '')?.[1] ?? '';
      return code !== '';
    }, `a code emailed to ${address}`);
    return code;
  }

  /** Verified by the emailed code, on the Emulator. */
  async function byCode(chat: ReturnType<typeof conversation>, address: string) {
    const before = Date.now() - 1;
    expect(await chat.say(address)).toMatch(new RegExp(`A 6-digit code has been emailed to ${address.replace(/[.]/g, '\\.')}`));
    const code = await codeEmailedTo(address, before);
    return chat.say(`the code is ${code.slice(0, 3)} ${code.slice(3)}`);
  }

  const stored = async <K extends NasRequest['kind']>(reference: string, kind: K) => {
    const request = (await b.assistant.adapters.requests.get(reference)) as NasRequestOf<K>;
    expect(request).toMatchObject({ kind, status: 'received', history: [expect.objectContaining({ status: 'received', by: 'requester' })] });
    return request;
  };
  const referenceIn = (text: string, prefix: string) => {
    const found = text.match(REFERENCE(prefix));
    expect(found).not.toBeNull();
    return found![0]!;
  };

  it('an owner verified by their Teams sign-in raises each kind of request in one chat and gets a reference for each', async () => {
    const priyaId = `29:${randomUUID()}`;
    teams.setMember(priyaId, { name: 'Priya Raman', email: 'Priya.Raman@nhs.net', userPrincipalName: 'priya.raman@nhs.net' });
    const priya = conversation(teams, { userId: priyaId, teams: true });
    await priya.say('hello');

    // A leaver, from free text at the menu: no code is asked for in Teams.
    const found = await priya.say('Amy Pearce has left');
    expect(found).toMatch(/You are signed in to Teams as priya\.raman@nhs\.net, a shared mailbox owner of Larkspur House Care Home \(VLH01\)/);
    expect(found).toMatch(/I found Amy Pearce \(amy\.pearce@nhs\.net\) at Larkspur House Care Home \(VLH01\)\. Is that the person who is leaving\?/);
    await priya.say('yes');
    await priya.say('today');
    const review = await priya.say('leaving social care altogether');
    expect(review).toMatch(/the account is deleted 30 days after it is marked a leaver/);
    const leaverRef = referenceIn(await priya.say('confirm'), 'LVR');
    const leaver = await stored(leaverRef, 'leaver');
    expect(leaver).toMatchObject({
      queue: 'care',
      odsCode: 'VLH01',
      requester: { channelId: 'msteams', email: 'priya.raman@nhs.net' },
      details: {
        site: { odsCode: 'VLH01', name: 'Larkspur House Care Home', kind: 'care' },
        raisedBy: { by: 'owner', address: 'priya.raman@nhs.net', verifiedBy: 'teamsSignIn' },
        leavers: [{ address: 'amy.pearce@nhs.net', name: 'Amy Pearce', leaving: 'socialCare', wasOwner: false, hadSharedMailboxAccess: true, lastWorkingDay: expect.stringMatching(/^\d{4}-\d\d-\d\d$/) }],
        warnings: { ownerLeaving: false, deletedAfter30Days: ['amy.pearce@nhs.net'] },
        changes: expect.arrayContaining([{ change: 'deleteAfterMarked', address: 'amy.pearce@nhs.net', days: 30 }]),
      },
    });

    // A new starter, with the registration's member questions.
    expect(await priya.say('Account for a new starter')).toMatch(/What is their title\? \(optional\)/);
    await priya.say('no title');
    expect(await priya.say('Ben Carter')).toMatch(/Is that first name Ben and last name Carter\?/);
    await priya.say('yes');
    expect(await priya.say('ben.carter@nhs.net')).toMatch(/nhs\.net/);
    await priya.say('ben.carter@example.co.uk');
    await priya.say('07400 123456');
    await priya.say('care assistant');
    await priya.say('no');
    await priya.say('yes');
    const starterReview = await priya.say('no');
    expect(starterReview).toMatch(/An NHSmail account for a new starter at Larkspur House Care Home \(VLH01\):\n• Ben Carter, Care Assistant; in the shared mailbox\./);
    const starterRef = referenceIn(await priya.say('send it'), 'NST');
    const starter = await stored(starterRef, 'newStarter');
    expect(starter.details).toMatchObject({
      member: { firstName: 'Ben', lastName: 'Carter', email: 'ben.carter@example.co.uk', mobile: '+447400123456', role: 'Care Assistant', sharedMailboxAccess: true, mailboxAdmin: false, owner: false },
      // 7 accounts at the site, less Amy Pearce: reported as a leaver above, she no longer counts towards the 10.
      accountsAtSite: 6,
      changes: [{ change: 'createAccount', odsCode: 'VLH01', email: 'ben.carter@example.co.uk', name: 'Ben Carter' }],
    });

    // A joiner who already has NHSmail: asked for at "anything else?".
    expect(await priya.say('add a joiner')).toMatch(/What is the joiner's NHSmail address\?/);
    expect(await priya.say('Leah.Doyle@nhs.net')).toMatch(/Found: Leah Doyle \(leah\.doyle@nhs\.net\), now at Quayside Dental Practice \(DODSC1\)/);
    await priya.say('yes');
    const joiner = await stored(referenceIn(await priya.say('confirm'), 'JNR'), 'joiner');
    expect(joiner.details).toMatchObject({
      joining: { odsCode: 'VLH01' },
      joiner: { address: 'leah.doyle@nhs.net', from: { odsCode: 'DODSC1' } },
      sharedMailboxAccess: true,
      withLeaverReport: false,
    });

    // A name change: from the menu, as another staff change.
    expect(await priya.say('menu')).toMatch(/Another staff change/);
    expect(await priya.say('another staff change')).toMatch(/Which of these is it\?/);
    await priya.say('change a name');
    expect(await priya.say('hannah')).toMatch(/What is Hannah Marsh's new name\?/);
    await priya.say('Hannah Marsh-Clarke');
    const name = await stored(referenceIn(await priya.say('confirm'), 'NAM'), 'nameChange');
    expect(name.details).toMatchObject({ account: { address: 'hannah.marsh@nhs.net' }, newName: { firstName: 'Hannah', lastName: 'Marsh-Clarke' } });

    // A site audit: the directory's list at once.
    const list = await priya.say('who has access to our shared mailbox');
    expect(list).toMatch(/• Gareth Lloyd \(gareth\.lloyd@nhs\.net\) · owner/);
    expect(list).toMatch(/• Dawn Fenwick \(dawn\.fenwick@nhs\.net\) · has access · inactive/);
    await priya.say('Dawn left in October');
    const audit = await stored(referenceIn(await priya.say('confirm'), 'AUD'), 'siteAudit');
    expect(audit.details.ownerNote).toBe('Dawn left in October');
    expect(audit.details.listed).toContainEqual({ address: 'ruth.barnes@nhs.net', name: 'Ruth Barnes', access: 'member', status: 'active' });

    // A Teams team.
    await priya.say('a teams team for the site');
    await priya.say('Larkspur House team');
    await priya.say('everyone');
    const team = await stored(referenceIn(await priya.say('confirm'), 'TMS'), 'teamsTeam');
    expect(team.details).toMatchObject({ teamName: 'Larkspur House team', owners: [{ address: 'priya.raman@nhs.net' }, { address: 'gareth.lloyd@nhs.net' }] });

    // An owner handover: both are told (the new owner by email: no Teams chat).
    expect(await priya.say('hand over ownership')).toMatch(/Who should be the new owner\?/);
    await priya.say('joseph');
    await priya.say('no');
    const handedOver = await priya.say('confirm');
    const handover = await stored(referenceIn(handedOver, 'OWN'), 'ownerChange');
    expect(handedOver).toMatch(/I have told Joseph Achebe by email \(joseph\.achebe@nhs\.net\)\./);
    expect(handover.details).toMatchObject({ from: { address: 'priya.raman@nhs.net' }, to: { address: 'joseph.achebe@nhs.net' }, outgoingKeepsAccess: false, newOwnerTold: 'email' });
    const told = (await a.assistant.adapters.outbox.latest(100)).find((m) => m.recipient === 'joseph.achebe@nhs.net' && m.tags?.kind === 'newOwner');
    expect(told?.body).toContain(handover.reference);

    // Every one of them is this chat's: "what is the status of my request?" answers from the store.
    const mine = await a.assistant.adapters.requests.forConversation(handover.requester.conversationKey, 20);
    expect(mine.map((r) => r.kind).sort()).toEqual(['joiner', 'leaver', 'nameChange', 'newStarter', 'ownerChange', 'siteAudit', 'teamsTeam']);
    expect(await priya.say('what is the status of my request?')).toMatch(/These are the latest 3 requests made in this chat:[\s\S]*OWN-/);
    expect(await priya.say(`status of ${leaverRef}`)).toMatch(new RegExp(`We have your leaver request \\(${leaverRef}\\)\\. Its status is received`));
  }, 120_000);

  it('an owner verified by an emailed code; the only owner leaving cannot be reported until a new owner is named', async () => {
    const sarah = conversation(emulator);
    await sarah.say('hi');
    expect(await sarah.say("I'm leaving at the end of the month")).toMatch(/What is your NHSmail address\? I will email a 6-digit code to it\./);
    const verified = await byCode(sarah, 'sarah.hollis@nhs.net');
    expect(verified).toMatch(/that code is right, so you are sarah\.hollis@nhs\.net, a shared mailbox owner of Hollybank Care Home \(VHB01\)/);
    expect(verified).toMatch(/What is your last working day\?/);
    await sarah.say('end of the month');
    expect(await sarah.say('leaving this home only')).toMatch(/A shared mailbox must always have an owner, so before this can be reported a new owner must be named/);
    expect(await sarah.say('none')).toMatch(/A new owner must be named: nobody else would own the shared mailbox\./);
    expect(await sarah.say('confirm')).toMatch(/is not one of the people I can offer here: Tom Okafor/);
    expect((await a.assistant.adapters.requests.list({ odsCode: 'VHB01', kind: 'leaver' })).requests).toHaveLength(0);
    const review = await sarah.say('Tom Okafor');
    expect(review).toMatch(/⚠ Warning: after this, only 1 person \(Tom Okafor\) would have access to the shared mailbox/);
    const leaver = await stored(referenceIn(await sarah.say('confirm'), 'LVR'), 'leaver');
    expect(leaver.details).toMatchObject({
      raisedBy: { by: 'owner', address: 'sarah.hollis@nhs.net', verifiedBy: 'emailCode' },
      leavers: [{ address: 'sarah.hollis@nhs.net', wasOwner: true, leaving: 'organisation' }],
      newOwner: { address: 'tom.okafor@nhs.net', name: 'Tom Okafor' },
      warnings: { ownerLeaving: true, fewerThanTwoWithAccess: 1 },
      changes: expect.arrayContaining([{ change: 'makeOwner', address: 'tom.okafor@nhs.net', odsCode: 'VHB01' }]),
    });
    // Still verified in this chat: no new code for the next request.
    await sarah.say('menu');
    await sarah.say('another staff change');
    expect(await sarah.say('site audit')).toMatch(/This is who the NHSmail directory says has access to the shared mailbox of Hollybank Care Home/);
  }, 90_000);

  it('someone who is not an owner cannot raise an owner’s request; they can report their own leaving', async () => {
    const tom = conversation(emulator);
    await tom.say('hello');
    await tom.say('we have a new starter');
    const refused = await byCode(tom, 'tom.okafor@nhs.net');
    expect(refused).toMatch(/Only a shared mailbox owner can ask for that, and you are not one for Hollybank Care Home\./);
    expect(refused).toMatch(/The shared mailbox owner of Hollybank Care Home is Sarah Hollis: please ask them\./);
    expect(await tom.say('report a leaver')).toMatch(/Only a shared mailbox owner can ask for that/);
    const before = await a.assistant.adapters.requests.list({ odsCode: 'VHB01', kind: 'newStarter' });
    expect(before.requests).toHaveLength(0);
    expect(await tom.say('I am leaving')).toMatch(/What is your last working day\?/);
    await tom.say('friday');
    await tom.say('moving to another provider');
    await tom.say('VFL10');
    const sent = await tom.say('confirm');
    const own = await stored(referenceIn(sent, 'LVR'), 'leaver');
    expect(own.details.raisedBy).toEqual({ by: 'self', address: 'tom.okafor@nhs.net', name: 'Tom Okafor', identity: 'emailCode', checkWithOwners: [{ address: 'sarah.hollis@nhs.net', name: 'Sarah Hollis' }] });
    const joinerRef = referenceIn(sent, 'JNR');
    expect(own.details.leavers[0]).toMatchObject({ leaving: 'provider', provider: { odsCode: 'VFL10' }, joinerReference: joinerRef });
    expect((await stored(joinerRef, 'joiner')).details).toMatchObject({ joining: { odsCode: 'VFL10' }, withLeaverReport: true });
  }, 90_000);

  it('five wrong codes lock code entry for the address, on both processes and in another chat; the right code no longer works', async () => {
    const address = 'nia.pryce@nhs.net';
    const nia = conversation(emulator);
    await nia.say('hi');
    expect(await nia.say('we have a new starter')).toMatch(/What is your NHSmail address\? I will email a 6-digit code to it\./);
    const before = Date.now() - 1;
    expect(await nia.say(address)).toMatch(/A 6-digit code has been emailed to nia\.pryce@nhs\.net/);
    const code = await codeEmailedTo(address, before);
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    // Turns alternate between the two processes, so the count is the shared one in Redis.
    for (const left of [4, 3, 2]) expect(await nia.say(wrong)).toMatch(new RegExp(`That code is not right\\. You have ${left} tries left before code entry for this address is locked for 24 hours\\.`));
    expect(await nia.say(wrong)).toMatch(/That code is not right\. You have 1 try left before code entry for this address is locked for 24 hours\./);
    const locked = await nia.say(wrong);
    expect(locked).toMatch(/Too many wrong codes were typed for nia\.pryce@nhs\.net, so for its safety code entry is locked until/);
    expect(locked).not.toMatch(/that code is right/);
    const right = await nia.say(code);
    expect(right).not.toMatch(/that code is right/);
    expect(right).not.toMatch(/A new starter|first name/i);
    // Another chat, starting on the other process: no code is sent to a locked address.
    const again = conversation(emulator);
    await again.say('hi');
    await again.say('we have a new starter');
    const lockedAt = Date.now() - 1;
    expect(await again.say(address)).toMatch(/Too many wrong codes were typed for nia\.pryce@nhs\.net, so for its safety code entry is locked until/);
    const mails = (await a.assistant.adapters.outbox.latest(100)).filter((m) => m.recipient === address && m.createdAt >= lockedAt);
    expect(mails).toEqual([]);
    expect((await a.assistant.adapters.requests.list({ odsCode: 'DODSC1' })).requests).toHaveLength(0);
  }, 90_000);

  it('a new starter is refused at the site’s 11th account', async () => {
    const marcus = conversation(emulator);
    await marcus.say('hi');
    await marcus.say('we have a new starter');
    const full = await byCode(marcus, 'marcus.ashworth@nhs.net');
    expect(full).toMatch(/Fernlea Lodge \(VFL10\) already has 10 NHSmail accounts, and a site can have at most 10\. So I cannot ask for another one\./);
    expect((await a.assistant.adapters.requests.list({ odsCode: 'VFL10', kind: 'newStarter' })).requests).toHaveLength(0);
  }, 60_000);
});
