import { memoryAdapters } from '../../bot/app';
import { createOwnerRequestsServices } from '../../bot/flows/ownerRequestsServices';
import type { NasRequestOf } from '../../adapters/nasRequests';
import { planOf, type OwnerRequestsContext, emptyLeaver } from '../../machines/ownerRequests';

/**
 * The owners' requests' effects on the shipped directories and the memory adapters: who is asking
 * and what they own, a site's accounts, the emailed code, and what is stored for NAS.
 */
const T0 = Date.UTC(2026, 10, 30, 10, 0);
const SESSION = { channelId: 'emulator', conversationKey: 'conv-owners', conversationReference: { conversation: { id: 'c1' } } };

function services(told: string[] = [], chats: string[] = []) {
  const adapters = memoryAdapters(() => T0);
  const s = createOwnerRequestsServices({
    accounts: adapters.accounts,
    directory: adapters.directory,
    codes: adapters.verificationCodes,
    outbox: adapters.outbox,
    requests: adapters.requests,
    now: () => T0,
    ownerChat: async (address) => (chats.includes(address) ? `chat-of-${address}` : undefined),
    tellInChat: async (key, text) => (told.push(`${key}: ${text}`), true),
  });
  return { s, adapters };
}

describe('who is asking, from the account directory', () => {
  it('an owner: the shared mailboxes they own, and who looks after the account', async () => {
    const { s } = services();
    const found = await s.identifyPerson({ address: 'Priya.Raman@nhs.net' });
    expect(found).toMatchObject({
      found: true,
      at: T0,
      person: {
        address: 'priya.raman@nhs.net',
        firstName: 'Priya',
        organisation: { odsCode: 'VLH01', kind: 'care' },
        host: { kind: 'nas' },
        ownerOf: [{ odsCode: 'VLH01', name: 'Larkspur House Care Home', kind: 'care', sharedMailboxAddress: expect.stringMatching(/^care\..*vlh01@nhs\.net$/) }],
        organisationOwners: ['Priya Raman', 'Gareth Lloyd'],
      },
    });
  });

  it('a member is no owner but learns who is; an account a CCG looks after says so; an unknown address is not found', async () => {
    const { s } = services();
    expect(await s.identifyPerson({ address: 'tom.okafor@nhs.net' })).toMatchObject({ found: true, person: { ownerOf: [], organisationOwners: ['Sarah Hollis'] } });
    expect(await s.identifyPerson({ address: 'ruth.barnes@nhs.net' })).toMatchObject({ person: { host: { kind: 'local', name: 'NHS Minster Vale Clinical Commissioning Group' } } });
    expect(await s.identifyPerson({ address: 'nobody.here@nhs.net' })).toEqual({ found: false, at: T0 });
  });
});

describe('the emailed code', () => {
  it('goes by email to an account, never to an address that is not one; the answer is the same; the right code verifies once', async () => {
    const { s, adapters } = services();
    expect(await s.sendOwnerCode({ address: 'Sarah.Hollis@nhs.net' })).toEqual({ sent: true, expiresAt: T0 + 10 * 60_000 });
    expect(await s.sendOwnerCode({ address: 'nobody.here@nhs.net' })).toEqual({ sent: true, expiresAt: T0 + 10 * 60_000 });
    const mail = await adapters.outbox.latest(10);
    expect(mail).toHaveLength(1);
    expect(mail[0]).toMatchObject({ channel: 'email', recipient: 'sarah.hollis@nhs.net', tags: { kind: 'ownerVerificationCode' } });
    expect(mail[0]!.body).not.toMatch(/https?:|www\./);
    const code = /\b(\d{6})\b/.exec(mail[0]!.body)![1]!;
    expect(await s.verifyOwnerCode({ address: 'sarah.hollis@nhs.net', code: code === '000000' ? '111111' : '000000' })).toEqual({ result: 'wrong', attemptsLeft: 4 });
    expect(await s.verifyOwnerCode({ address: 'sarah.hollis@nhs.net', code: `${code.slice(0, 3)} ${code.slice(3)}` })).toEqual({ result: 'right' });
    expect(await s.verifyOwnerCode({ address: 'sarah.hollis@nhs.net', code })).toEqual({ result: 'noCode' });
    // A new code no sooner than 2 minutes after the last.
    expect(await s.sendOwnerCode({ address: 'sarah.hollis@nhs.net' })).toMatchObject({ sent: false, reason: 'tooSoon' });
  });
});

describe('a site, as the requests see it', () => {
  it('every account of the organisation with its shared mailbox access and status; what is already with NAS', async () => {
    const { s } = services();
    const site = await s.loadSite({ odsCode: 'VLH01' });
    expect(site.site).toMatchObject({ odsCode: 'VLH01', name: 'Larkspur House Care Home', kind: 'care' });
    const byAddress = Object.fromEntries(site.accounts.map((a) => [a.address, a]));
    expect(byAddress['priya.raman@nhs.net']).toMatchObject({ access: 'owner', status: 'active' });
    expect(byAddress['amy.pearce@nhs.net']).toMatchObject({ access: 'member' });
    expect(byAddress['kwame.oyelaran@nhs.net']).toMatchObject({ access: 'none', status: 'leaver' });
    expect(byAddress['ruth.barnes@nhs.net']?.hostedLocally?.helpdesk.email).toBe('minstervale.ithelpdesk@nhs.net');
    expect(site).toMatchObject({ pendingNewStarters: 0, pendingLeavers: [] });
    expect((await s.loadSite({ odsCode: 'VFL10' })).accounts).toHaveLength(10);
    await expect(s.loadSite({ odsCode: 'ZZZ99' })).rejects.toThrow(/not in the directory/);
  });

  it('a provider by its ODS code, and a joiner by their address', async () => {
    const { s } = services();
    expect(await s.findProvider({ odsCode: 'VFL10' })).toEqual({ name: expect.stringContaining('Fernlea'), odsCode: 'VFL10', kind: 'care' });
    expect(await s.findProvider({ odsCode: 'ZZZ99' })).toBeUndefined();
    expect(await s.findAccount({ address: 'leah.doyle@nhs.net' })).toMatchObject({ organisation: { odsCode: 'DODSC1' }, status: 'active' });
    expect(await s.isMobileOnNhsmail({ mobile: '+447400000031' })).toBe(true);
    expect(await s.isMobileOnNhsmail({ mobile: '+447400123456' })).toBe(false);
  });
});

describe('what is stored for NAS', () => {
  async function context(kind: OwnerRequestsContext['kind'], fill: (c: OwnerRequestsContext) => void): Promise<OwnerRequestsContext> {
    const { s } = services();
    const found = await s.identifyPerson({ address: 'priya.raman@nhs.net' });
    const c: OwnerRequestsContext = {
      session: SESSION,
      attemptId: 'a1',
      requestNumber: 1,
      now: T0,
      kind,
      identity: { address: 'priya.raman@nhs.net', via: 'teamsSignIn', at: T0 },
      person: found.found ? found.person : undefined,
      site: await s.loadSite({ odsCode: 'VLH01' }),
      leaver: emptyLeaver(),
    };
    fill(c);
    return c;
  }

  it('a leaver moving to a named provider: the joiner request first, named by the leaver report; once per idempotency key', async () => {
    const { s, adapters } = services();
    const c = await context('leaver', (c) => {
      c.leaver = { ...emptyLeaver(), entries: [{ address: 'amy.pearce@nhs.net', lastWorkingDay: '2026-12-04', leaving: { leaving: 'provider', provider: { name: 'Fernlea Lodge', odsCode: 'VFL10' } }, providerKind: 'care' }] };
    });
    const plan = planOf(c);
    const first = await s.submitRequests({ plan, idempotencyKey: 'a1:1', session: SESSION });
    expect(first.requests.map((r) => [r.kind, r.outcome])).toEqual([
      ['leaver', 'created'],
      ['joiner', 'created'],
    ]);
    const [leaverRef, joinerRef] = first.requests.map((r) => r.reference);
    const leaver = (await adapters.requests.get(leaverRef!)) as NasRequestOf<'leaver'>;
    expect(leaver).toMatchObject({ kind: 'leaver', queue: 'care', odsCode: 'VLH01', status: 'received', idempotencyKey: 'a1:1:leaver', requester: { channelId: 'emulator', conversationKey: 'conv-owners', email: 'priya.raman@nhs.net' } });
    expect(leaver.details).toMatchObject({
      summary: expect.stringContaining('Amy Pearce (amy.pearce@nhs.net)'),
      organisationName: 'Larkspur House Care Home',
      site: { odsCode: 'VLH01', kind: 'care' },
      raisedBy: { by: 'owner', address: 'priya.raman@nhs.net', name: 'Priya Raman', verifiedBy: 'teamsSignIn', verifiedAt: T0 },
      leavers: [{ address: 'amy.pearce@nhs.net', name: 'Amy Pearce', leaving: 'provider', provider: { name: 'Fernlea Lodge', odsCode: 'VFL10' }, lastWorkingDay: '2026-12-04', wasOwner: false, hadSharedMailboxAccess: true, joinerReference: joinerRef }],
      changes: [
        { change: 'markLeaver', address: 'amy.pearce@nhs.net', lastWorkingDay: '2026-12-04' },
        { change: 'removeFromSharedMailbox', address: 'amy.pearce@nhs.net', odsCode: 'VLH01' },
      ],
      warnings: { ownerLeaving: false, deletedAfter30Days: [] },
    });
    const joiner = (await adapters.requests.get(joinerRef!)) as NasRequestOf<'joiner'>;
    expect(joiner).toMatchObject({ kind: 'joiner', odsCode: 'VFL10', details: { joining: { name: 'Fernlea Lodge', odsCode: 'VFL10', kind: 'care' }, withLeaverReport: true, sharedMailboxAccess: true } });
    // A retried turn or a second confirm: the same requests, nothing new.
    const again = await s.submitRequests({ plan, idempotencyKey: 'a1:1', session: SESSION });
    expect(again.requests.map((r) => [r.reference, r.outcome])).toEqual([
      [leaverRef, 'repeated'],
      [joinerRef, 'repeated'],
    ]);
    expect((await adapters.requests.forConversation('conv-owners')).map((r) => r.reference).sort()).toEqual([leaverRef, joinerRef].sort());
    // The pending leaver is known to the next report.
    expect((await s.loadSite({ odsCode: 'VLH01' })).pendingLeavers).toEqual([{ address: 'amy.pearce@nhs.net', reference: leaverRef }]);
  });

  it('an owner handover tells the new owner in their own Teams chat when they have one, else by email', async () => {
    const told: string[] = [];
    const { s, adapters } = services(told, ['joseph.achebe@nhs.net']);
    const toJoseph = await context('ownerChange', (c) => (c.handover = { to: 'joseph.achebe@nhs.net', keepsAccess: false }));
    const inTeams = await s.submitRequests({ plan: planOf(toJoseph), idempotencyKey: 'a0:1', session: SESSION });
    expect(inTeams.newOwnerTold).toBe('teams');
    expect(told).toEqual([expect.stringMatching(/^chat-of-joseph\.achebe@nhs\.net: Priya Raman has asked the National Administration Service \(NAS\) to make you the shared mailbox owner of Larkspur House Care Home/)]);
    await adapters.requests.update(inTeams.requests[0]!.reference, { status: 'rejected', reason: 'test', by: 'nas.worker' });
    const toHannah = await context('ownerChange', (c) => (c.handover = { to: 'hannah.marsh@nhs.net', keepsAccess: true }));
    const emailed = await s.submitRequests({ plan: planOf(toHannah), idempotencyKey: 'a1:1', session: SESSION });
    expect(emailed.newOwnerTold).toBe('email');
    const mail = (await adapters.outbox.latest(5)).find((m) => m.recipient === 'hannah.marsh@nhs.net');
    expect(mail?.body).toContain(emailed.requests[0]!.reference);
    const stored = (await adapters.requests.get(emailed.requests[0]!.reference)) as NasRequestOf<'ownerChange'>;
    expect(stored.details).toMatchObject({ from: { address: 'priya.raman@nhs.net' }, to: { address: 'hannah.marsh@nhs.net' }, outgoingKeepsAccess: true, newOwnerTold: 'email' });
    expect(stored.exclusiveKey).toBe('ownerChange:VLH01');
    // One handover per site at a time: another is kept for NAS as a duplicate.
    const second = await context('ownerChange', (c) => (c.handover = { to: 'amy.pearce@nhs.net', keepsAccess: false }));
    const conflict = await s.submitRequests({ plan: planOf(second), idempotencyKey: 'a2:1', session: SESSION });
    expect(conflict.requests[0]).toMatchObject({ outcome: 'conflict', existing: { reference: emailed.requests[0]!.reference } });
    expect(conflict.newOwnerTold).toBeUndefined();
  });
});
