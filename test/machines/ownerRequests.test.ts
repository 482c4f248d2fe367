import type { NasRequestDetailsByKind } from '../../adapters/nasRequests';
import type { PlannedRequest } from '../../machines/ownerRequests';
import { SITES, T0, TEAMS_SESSION, coverage, personAt, startRequests, verifiedAs } from './ownerRequestsDriver';

const DAY = 86_400_000;
const planned = <K extends PlannedRequest['kind']>(flow: ReturnType<typeof startRequests>, kind: K) =>
  flow.context.plan?.find((p) => p.kind === kind)?.details as NasRequestDetailsByKind[K];

/** Verified as Sarah Hollis, the only owner of Hollybank (VHB01), on a leaver report. */
async function hollybank(start: Record<string, unknown> = { kind: 'leaver' }, options: Parameters<typeof startRequests>[0] = {}) {
  const flow = startRequests(options, { start });
  await flow.settle();
  await verifiedAs(flow, 'sarah.hollis@nhs.net');
  return flow;
}

/** Priya Raman, one of the two owners of Larkspur House (VLH01), signed in to Teams. */
async function larkspur(start: Record<string, unknown>, options: Parameters<typeof startRequests>[0] = {}) {
  const flow = startRequests(options, { ...TEAMS_SESSION, start });
  await flow.settle();
  return flow;
}

afterAll(() => {
  const report = coverage.report();
  console.log(`coverage of the owners' requests: ${report.text}\n  missing: ${JSON.stringify([...report.states.missing, ...report.transitions.missing])}`);
});

describe('who may ask (SPEC §3)', () => {

  it('starts by asking what the request is, then who is asking', async () => {
    const flow = startRequests();
    await flow.settle();
    expect(flow.state).toBe('choose');
    await flow.answer('kind', 'joiner');
    expect(flow.state).toBe('verifying');
    await verifiedAs(flow, 'priya.raman@nhs.net');
    expect(flow.state).toBe('joiner.address');
  });

  it('someone who is not an owner is told so, with their owner’s name, and can report their own leaving instead', async () => {
    const flow = startRequests({}, { start: { kind: 'leaver' } });
    await flow.settle();
    await verifiedAs(flow, 'tom.okafor@nhs.net');
    expect(flow.state).toBe('notOwner');
    expect(flow.context.person?.organisationOwners).toEqual(['Sarah Hollis']);
    await flow.answer('kind', 'newStarter');
    expect(flow.state).toBe('notOwner');
    await flow.answer('kind', 'ownLeaving');
    expect(flow.state).toBe('leaver.lastDay');
    expect(flow.context.leaver).toMatchObject({ self: true, entries: [{ address: 'tom.okafor@nhs.net' }] });
    await flow.answer('lastDay', '2026-12-04');
    await flow.answer('leaving', 'organisation');
    expect(flow.state).toBe('review.summary');
    expect(planned(flow, 'leaver').raisedBy).toEqual({
      by: 'self',
      address: 'tom.okafor@nhs.net',
      name: 'Tom Okafor',
      identity: 'emailCode',
      checkWithOwners: [{ address: 'sarah.hollis@nhs.net', name: 'Sarah Hollis' }],
    });
    await flow.send({ type: 'BACK' });
    expect(flow.state).toBe('leaver.leaving');
    await flow.send({ type: 'BACK' });
    await flow.send({ type: 'BACK' });
    expect(flow.state).toBe('choose');
  });

  it('a person whose account a CCG or CSU looks after is sent to it; one already marked a leaver is told so', async () => {
    const local = startRequests({}, { start: { kind: 'ownLeaving' } });
    await local.settle();
    await verifiedAs(local, 'ruth.barnes@nhs.net');
    expect(local.state).toBe('ownLocal');
    await local.answer('kind', 'leaver');
    expect(local.state).toBe('notOwner');
    const gone = startRequests({}, { start: { kind: 'ownLeaving' } });
    await gone.settle();
    await verifiedAs(gone, 'kwame.oyelaran@nhs.net');
    expect(gone.state).toBe('ownAlreadyLeaver');
    await gone.answer('next', 'done');
    expect(gone.actor.getSnapshot().status).toBe('done');
  });

  it('an owner reporting their own leaving makes an owner’s leaver report about themselves (a new owner first)', async () => {
    const flow = startRequests({}, { start: { kind: 'ownLeaving' } });
    await flow.settle();
    await verifiedAs(flow, 'sarah.hollis@nhs.net');
    expect(flow.state).toBe('leaver.lastDay');
    expect(flow.context.kind).toBe('leaver');
    await flow.answer('lastDay', '2026-12-18');
    await flow.answer('leaving', 'socialCare');
    expect(flow.state).toBe('leaver.newOwner');
  });

  it('an owner of several shared mailboxes chooses the site', async () => {
    const two = personAt('priya.raman@nhs.net')!;
    two.ownerOf = [...two.ownerOf, { odsCode: 'VHB01', name: 'Hollybank Care Home', kind: 'care' }];
    const flow = startRequests({ person: (a) => (a === 'priya.raman@nhs.net' ? two : personAt(a)) }, { ...TEAMS_SESSION, start: { kind: 'siteAudit' } });
    await flow.settle();
    expect(flow.state).toBe('chooseSite');
    await flow.answer('site', 'VFL10');
    expect(flow.state).toBe('chooseSite');
    await flow.send({ type: 'BACK' });
    expect(flow.state).toBe('choose');
    await flow.answer('kind', 'siteAudit');
    await flow.answer('site', 'VHB01');
    expect(flow.state).toBe('audit.list');
    expect(flow.context.site?.site.odsCode).toBe('VHB01');
  });

  it('the site’s accounts that cannot be read are said, and tried again', async () => {
    const flow = await larkspur({ kind: 'siteAudit' }, { fail: { loadSite: 1 } });
    expect(flow.state).toBe('siteUnavailable');
    await flow.send({ type: 'TRY_AGAIN' });
    expect(flow.state).toBe('audit.list');
    const back = await larkspur({ kind: 'siteAudit' }, { fail: { loadSite: 1 } });
    await back.send({ type: 'BACK' });
    expect(back.state).toBe('choose');
  });

  it('"that is all" at the first question ends the flow', async () => {
    const flow = startRequests();
    await flow.settle();
    await flow.answer('next', 'done');
    expect(flow.actor.getSnapshot().status).toBe('done');
  });
});

describe('reporting a leaver (SPEC §3)', () => {
  it('a name typed at the menu is matched among the site’s accounts and confirmed', async () => {
    const flow = await hollybank({ kind: 'leaver', people: ['Tom'] });
    expect(flow.state).toBe('leaver.confirm');
    expect(flow.context.leaver.people).toEqual(['tom.okafor@nhs.net']);
    await flow.answer('confirmPeople', false);
    expect(flow.state).toBe('leaver.who');
    await flow.answer('leavers', ['tom.okafor@nhs.net']);
    // An address is exact: nothing to confirm.
    expect(flow.state).toBe('leaver.lastDay');
  });

  it('names not among the accounts, leavers already marked, and people already reported are refused, saying which', async () => {
    const flow = await larkspur({ kind: 'leaver' }, { sites: { VLH01: { pendingLeavers: [{ address: 'hannah.marsh@nhs.net', reference: 'LVR-AAAA2222' }] } } });
    await flow.answer('leavers', ['Jane Nobody', 'Amy Pearce']);
    expect(flow.state).toBe('leaver.who');
    expect(flow.context).toMatchObject({ problem: 'notFound', problemDetail: ['Jane Nobody'] });
    await flow.answer('leavers', ['Kwame Oyelaran']);
    expect(flow.context).toMatchObject({ problem: 'alreadyLeaver', problemDetail: ['Kwame Oyelaran'] });
    await flow.answer('leavers', ['hannah.marsh@nhs.net']);
    expect(flow.context).toMatchObject({ problem: 'alreadyReported', problemDetail: ['Hannah Marsh (LVR-AAAA2222)'] });
    // The one who was found is kept all along; "no one else" goes on with her.
    expect(flow.context.leaver.people).toEqual(['amy.pearce@nhs.net']);
    await flow.answer('leavers', ['Joseph']);
    expect(flow.state).toBe('leaver.confirm');
    expect(flow.context.leaver.people).toEqual(['amy.pearce@nhs.net', 'joseph.achebe@nhs.net']);
    await flow.send({ type: 'BACK' });
    await flow.answer('leavers', ['Amy Pearce', 'Nobody Else']);
    await flow.answer('noOneElse', true);
    expect(flow.state).toBe('leaver.confirm');
    expect(flow.context.leaver.people).toEqual(['amy.pearce@nhs.net']);
    await flow.send({ type: 'BACK' });
    await flow.answer('noOneElse', true);
    expect(flow.state).toBe('leaver.who');
    await flow.send({ type: 'BACK' });
    expect(flow.state).toBe('choose');
  });

  it('a name that fits two accounts is asked about; a letter out still finds the person', async () => {
    const flow = await larkspur({ kind: 'leaver' });
    await flow.answer('leavers', ['Amy', 'Joseph Acheb']);
    expect(flow.state).toBe('leaver.pick');
    await flow.answer('pick', 'priya.raman@nhs.net');
    expect(flow.state).toBe('leaver.pick');
    await flow.answer('pick', 'amy.pearson@nhs.net');
    expect(flow.state).toBe('leaver.confirm');
    expect(flow.context.leaver.people).toEqual(['amy.pearson@nhs.net', 'joseph.achebe@nhs.net']);
    await flow.send({ type: 'BACK' });
    expect(flow.state).toBe('leaver.who');
    await flow.answer('leavers', ['Amy']);
    await flow.answer('leavers', ['Hannah']);
    expect(flow.state).toBe('leaver.confirm');
    await flow.answer('leavers', ['Amy']);
    await flow.send({ type: 'BACK' });
    expect(flow.state).toBe('leaver.who');
  });

  it('several leavers in one report: each one’s last working day and where they go', async () => {
    const flow = await larkspur({ kind: 'leaver', people: ['Amy Pearce', 'Joseph Achebe', 'ruth.barnes@nhs.net'] });
    await flow.answer('confirmPeople', true);
    await flow.answer('lastDay', '2026-11-27');
    await flow.answer('leaving', 'socialCare');
    expect(flow.context.leaver.current).toBe(1);
    await flow.answer('lastDay', '2026-11-27');
    await flow.answer('leaving', 'provider');
    expect(flow.state).toBe('leaver.provider');
    await flow.answer('provider', { odsCode: 'VXX99' });
    expect(flow.context.problem).toBe('providerNotFound');
    await flow.answer('provider', { odsCode: 'VFL10' });
    expect(flow.context.leaver.current).toBe(2);
    await flow.send({ type: 'BACK' });
    expect(flow.state).toBe('leaver.leaving');
    expect(flow.context.leaver.current).toBe(1);
    await flow.answer('provider', { name: 'Rosewood Care' });
    await flow.answer('lastDay', '2026-12-11');
    await flow.answer('provider', { odsCode: 'VFL10' });
    expect(flow.state).toBe('review.summary');
    const leaver = planned(flow, 'leaver');
    expect(leaver.leavers).toEqual([
      expect.objectContaining({ address: 'amy.pearce@nhs.net', leaving: 'socialCare', lastWorkingDay: '2026-11-27', wasOwner: false, hadSharedMailboxAccess: true }),
      expect.objectContaining({ address: 'joseph.achebe@nhs.net', leaving: 'provider', provider: { name: 'Rosewood Care' } }),
      expect.objectContaining({
        address: 'ruth.barnes@nhs.net',
        leaving: 'provider',
        provider: { name: 'Fernlea Lodge', odsCode: 'VFL10' },
        hostedLocally: { organisation: 'NHS Minster Vale Clinical Commissioning Group', helpdeskEmail: 'minstervale.ithelpdesk@nhs.net' },
      }),
    ]);
    expect(leaver.warnings).toEqual({ ownerLeaving: false, deletedAfter30Days: ['amy.pearce@nhs.net'] });
    // The account a CCG looks after is not marked or deleted by NAS: only taken out of the shared mailbox.
    expect(leaver.changes.filter((c) => 'address' in c && c.address === 'ruth.barnes@nhs.net')).toEqual([{ change: 'removeFromSharedMailbox', address: 'ruth.barnes@nhs.net', odsCode: 'VLH01' }]);
    expect(leaver.changes).toContainEqual({ change: 'deleteAfterMarked', address: 'amy.pearce@nhs.net', days: 30 });
    const joiners = flow.context.plan!.filter((p) => p.kind === 'joiner');
    expect(joiners.map((j) => [j.key, j.queue, j.odsCode])).toEqual([
      ['joiner:joseph.achebe@nhs.net', 'care', undefined],
      ['joiner:ruth.barnes@nhs.net', 'care', 'VFL10'],
    ]);
    await flow.answer('confirm', true);
    expect(flow.state).toBe('review.submitted');
    expect(flow.calls.submitRequests).toHaveLength(1);
    expect(flow.calls.submitRequests![0]).toMatchObject({ idempotencyKey: 'attempt-1:1' });
  });

  it('a last working day may be up to 30 days ago, and not more than a year ahead', async () => {
    const flow = await hollybank({ kind: 'leaver', people: ['tom.okafor@nhs.net'] });
    await flow.answer('lastDay', '2026-11-01');
    expect(flow.context).toMatchObject({ problem: 'lastDayTooLongAgo', problemDetail: ['2026-11-01'] });
    await flow.answer('lastDay', '2027-12-03');
    expect(flow.context.problem).toBe('lastDayTooFarAhead');
    expect(flow.state).toBe('leaver.lastDay');
    await flow.answer('lastDay', '2026-11-02');
    expect(flow.state).toBe('leaver.leaving');
    void T0;
  });

  it('the only owner leaving cannot be reported until a new owner is named from the people who stay', async () => {
    const flow = await hollybank({ kind: 'leaver', people: ['sarah.hollis@nhs.net'] });
    await flow.answer('lastDay', '2026-12-18');
    await flow.answer('leaving', 'organisation');
    expect(flow.state).toBe('leaver.newOwner');
    await flow.answer('newOwner', null);
    expect(flow.state).toBe('leaver.newOwner');
    expect(flow.context.problem).toBe('newOwnerNeeded');
    await flow.answer('newOwner', 'kwame.oyelaran@nhs.net');
    expect(flow.state).toBe('leaver.newOwner');
    await flow.send({ type: 'BACK' });
    expect(flow.state).toBe('leaver.leaving');
    await flow.answer('leaving', 'organisation');
    await flow.answer('newOwner', 'tom.okafor@nhs.net');
    expect(flow.state).toBe('review.summary');
    const leaver = planned(flow, 'leaver');
    expect(leaver.newOwner).toEqual({ address: 'tom.okafor@nhs.net', name: 'Tom Okafor' });
    expect(leaver.warnings).toEqual({ ownerLeaving: true, fewerThanTwoWithAccess: 1, deletedAfter30Days: [] });
    expect(leaver.changes).toEqual([
      { change: 'markLeaver', address: 'sarah.hollis@nhs.net', lastWorkingDay: '2026-12-18' },
      { change: 'removeFromSharedMailbox', address: 'sarah.hollis@nhs.net', odsCode: 'VHB01' },
      { change: 'removeOwner', address: 'sarah.hollis@nhs.net', odsCode: 'VHB01', keepsAccess: false },
      { change: 'makeOwner', address: 'tom.okafor@nhs.net', odsCode: 'VHB01' },
    ]);
    await flow.send({ type: 'BACK' });
    expect(flow.state).toBe('leaver.newOwner');
  });

  it('an owner leaving while another owner stays: a new owner may be named, or none', async () => {
    const flow = await larkspur({ kind: 'leaver', people: ['gareth.lloyd@nhs.net'] });
    await flow.answer('lastDay', '2026-12-01');
    await flow.answer('leaving', 'organisation');
    expect(flow.state).toBe('leaver.newOwner');
    await flow.answer('newOwner', null);
    expect(flow.state).toBe('review.summary');
    expect(planned(flow, 'leaver').newOwner).toBeUndefined();
    expect(planned(flow, 'leaver').warnings.ownerLeaving).toBe(true);
  });

  it('the only owner and nobody else with an account: it cannot be reported; a new starter is offered', async () => {
    const alone = { ...structuredClone(SITES.VHB01!), accounts: [SITES.VHB01!.accounts[0]!] };
    const flow = await hollybank({ kind: 'leaver', people: ['Sarah Hollis'] }, { sites: { VHB01: alone } });
    await flow.answer('confirmPeople', true);
    await flow.answer('lastDay', '2026-12-18');
    await flow.answer('leaving', 'socialCare');
    expect(flow.state).toBe('leaver.noOneLeft');
    await flow.send({ type: 'BACK' });
    expect(flow.state).toBe('leaver.leaving');
    await flow.answer('leaving', 'socialCare');
    await flow.answer('kind', 'newStarter');
    expect(flow.state).toBe('newStarter.entering');
    expect(flow.context.requestNumber).toBe(2);
  });

  it('fewer than 2 keeping access to the shared mailbox is warned about; a submission failure is tried again with the same key', async () => {
    const flow = await hollybank({ kind: 'leaver', people: ['tom.okafor@nhs.net'] }, { fail: { submitRequests: 1 } });
    await flow.answer('lastDay', '2026-11-30');
    await flow.answer('leaving', 'socialCare');
    expect(planned(flow, 'leaver').warnings).toEqual({ ownerLeaving: false, fewerThanTwoWithAccess: 1, deletedAfter30Days: ['tom.okafor@nhs.net'] });
    await flow.answer('confirm', true);
    expect(flow.state).toBe('review.submitFailed');
    await flow.send({ type: 'TRY_AGAIN' });
    expect(flow.state).toBe('review.submitted');
    expect(flow.calls.submitRequests!.map((c) => (c as { idempotencyKey: string }).idempotencyKey)).toEqual(['attempt-1:1', 'attempt-1:1']);
    expect(flow.context.result?.requests[0]).toMatchObject({ kind: 'leaver', outcome: 'created' });
    // Another request from here is a new attempt with its own key.
    await flow.answer('kind', 'siteAudit');
    expect(flow.state).toBe('audit.list');
    await flow.answer('auditNote', null);
    await flow.answer('confirm', true);
    expect((flow.calls.submitRequests![2] as { idempotencyKey: string }).idempotencyKey).toBe('attempt-1:2');
    await flow.answer('next', 'done');
    expect(flow.actor.getSnapshot().status).toBe('done');
  });
});

describe('a new starter (SPEC §3)', () => {
  const member = { firstName: 'Ben', lastName: 'Carter', email: 'ben.carter@example.co.uk', mobile: '+447400123456', role: 'Care Assistant', sharedMailboxAccess: true, mailboxAdmin: false, owner: false };

  it('is refused at the 11th account of the site, new starters already asked for counted', async () => {
    const full = startRequests({}, { start: { kind: 'newStarter' } });
    await full.settle();
    await verifiedAs(full, 'marcus.ashworth@nhs.net');
    expect(full.state).toBe('newStarter.full');
    await full.answer('kind', 'leaver');
    expect(full.state).toBe('leaver.who');
    const pending = await larkspur({ kind: 'newStarter' }, { sites: { VLH01: { pendingNewStarters: 2 } } });
    expect(pending.state).toBe('newStarter.full');
    const room = await larkspur({ kind: 'newStarter' }, { sites: { VLH01: { pendingNewStarters: 1 } } });
    expect(room.state).toBe('newStarter.entering');
  });

  it('is asked for with the registration’s member questions and checks, then reviewed and sent', async () => {
    const flow = await larkspur({ kind: 'newStarter' });
    expect(flow.member?.value).toBe('title');
    await flow.answer('memberTitle', null);
    await flow.answer('memberFirstName', 'Ben');
    await flow.answer('memberLastName', 'Carter');
    await flow.answer('memberEmail', 'ben.carter@example.co.uk');
    await flow.answer('memberMobile', '+447400000031');
    expect(flow.member?.context.problem).toBe('mobileAlreadyOnNhsmail');
    await flow.answer('memberMobile', '+447400123456');
    await flow.answer('memberRole', 'Care Assistant');
    await flow.answer('memberOwner', false);
    await flow.answer('memberMailboxAccess', true);
    await flow.answer('memberMailboxAdmin', false);
    expect(flow.state).toBe('review.summary');
    expect(planned(flow, 'newStarter')).toMatchObject({ member, accountsAtSite: 8, changes: [{ change: 'createAccount', odsCode: 'VLH01', email: 'ben.carter@example.co.uk', name: 'Ben Carter' }] });
    // Back goes through the same questions with the answers kept.
    await flow.send({ type: 'BACK' });
    expect(flow.state).toBe('newStarter.entering');
    expect(flow.member?.context).toMatchObject({ editing: true, member: expect.objectContaining({ firstName: 'Ben' }) });
    await flow.send({ type: 'BACK' });
    expect(flow.state).toBe('review.summary');
    await flow.answer('confirm', true);
    expect(flow.context.result?.requests[0]?.reference).toMatch(/^NST-/);
  });

  it('a whole member from the form; "back" from the first question leaves for the list of requests', async () => {
    const flow = await larkspur({ kind: 'newStarter' });
    await flow.send({ type: 'SAVE_MEMBER', member });
    expect(flow.state).toBe('review.summary');
    const again = await larkspur({ kind: 'newStarter' });
    await again.send({ type: 'LIST_MEMBERS' });
    expect(again.state).toBe('choose');
  });
});

describe('the other requests (SPEC §3)', () => {
  it('a joiner who already has NHSmail: found by address, not one of the site’s own, with or without shared mailbox access', async () => {
    const flow = await larkspur({ kind: 'joiner' });
    await flow.answer('joinerAddress', 'nobody@nhs.net');
    expect(flow.context.problem).toBe('noSuchAccount');
    await flow.answer('joinerAddress', 'amy.pearce@nhs.net');
    expect(flow.context.problem).toBe('alreadyAtSite');
    await flow.answer('joinerAddress', 'tom.okafor@nhs.net');
    expect(flow.state).toBe('joiner.access');
    await flow.answer('joinerAddress', 'leah.doyle@nhs.net');
    expect(flow.context.joiner?.account?.organisation.odsCode).toBe('DODSC1');
    await flow.answer('sharedMailboxAccess', true);
    expect(flow.state).toBe('review.summary');
    expect(flow.context.plan![0]).toMatchObject({ kind: 'joiner', exclusive: 'leah.doyle@nhs.net', odsCode: 'VLH01' });
    expect(planned(flow, 'joiner')).toMatchObject({
      joining: { name: 'Larkspur House Care Home', odsCode: 'VLH01', kind: 'care' },
      joiner: { address: 'leah.doyle@nhs.net', name: 'Leah Doyle', from: { odsCode: 'DODSC1', name: 'Quayside Dental Practice' } },
      sharedMailboxAccess: true,
      withLeaverReport: false,
      changes: [
        { change: 'moveToOrganisation', address: 'leah.doyle@nhs.net', from: 'DODSC1', to: { name: 'Larkspur House Care Home', odsCode: 'VLH01' } },
        { change: 'addToSharedMailbox', address: 'leah.doyle@nhs.net', odsCode: 'VLH01' },
      ],
    });
    await flow.send({ type: 'BACK' });
    await flow.send({ type: 'BACK' });
    await flow.send({ type: 'BACK' });
    expect(flow.state).toBe('choose');
    const down = await larkspur({ kind: 'joiner' }, { fail: { findAccount: true } });
    await down.answer('joinerAddress', 'leah.doyle@nhs.net');
    expect(down.context.problem).toBe('serviceUnavailable');
  });

  it('an owner handover names the new owner from the site’s active accounts; the outgoing owner may keep access', async () => {
    const flow = await larkspur({ kind: 'ownerChange' });
    expect(flow.state).toBe('handover.newOwner');
    await flow.answer('handoverTo', 'dawn.fenwick@nhs.net');
    expect(flow.state).toBe('handover.newOwner');
    await flow.answer('handoverTo', 'amy.pearce@nhs.net');
    await flow.send({ type: 'BACK' });
    await flow.answer('handoverTo', 'hannah.marsh@nhs.net');
    await flow.answer('keepAccess', true);
    expect(planned(flow, 'ownerChange')).toMatchObject({
      from: { address: 'priya.raman@nhs.net', name: 'Priya Raman' },
      to: { address: 'hannah.marsh@nhs.net', name: 'Hannah Marsh' },
      outgoingKeepsAccess: true,
      changes: [
        { change: 'makeOwner', address: 'hannah.marsh@nhs.net', odsCode: 'VLH01' },
        { change: 'removeOwner', address: 'priya.raman@nhs.net', odsCode: 'VLH01', keepsAccess: true },
      ],
    });
    await flow.send({ type: 'BACK' });
    expect(flow.state).toBe('handover.keepAccess');
    await flow.answer('keepAccess', false);
    await flow.answer('confirm', true);
    expect(flow.context.result).toMatchObject({ newOwnerTold: 'email' });
    await flow.send({ type: 'BACK' });
    expect(flow.state).toBe('review.submitted');
    await flow.send({ type: 'BACK' });
    const alone = { ...structuredClone(SITES.VHB01!), accounts: [SITES.VHB01!.accounts[0]!] };
    const nobody = await hollybank({ kind: 'ownerChange' }, { sites: { VHB01: alone } });
    expect(nobody.state).toBe('handover.noOne');
    await nobody.send({ type: 'BACK' });
    expect(nobody.state).toBe('choose');
    await nobody.answer('kind', 'ownerChange');
    await nobody.answer('kind', 'newStarter');
    expect(nobody.state).toBe('newStarter.entering');
  });

  it('a name change: whose, then the new name; an account a CCG looks after is sent there', async () => {
    const flow = await larkspur({ kind: 'nameChange' });
    await flow.answer('renameWho', 'nobody@nhs.net');
    expect(flow.state).toBe('rename.who');
    await flow.answer('renameWho', 'ruth.barnes@nhs.net');
    expect(flow.state).toBe('rename.local');
    await flow.send({ type: 'BACK' });
    await flow.answer('renameWho', 'amy.pearce@nhs.net');
    await flow.send({ type: 'BACK' });
    await flow.answer('renameWho', 'amy.pearce@nhs.net');
    await flow.answer('newName', { firstName: 'Amy', lastName: 'Pearce-Jones' });
    expect(planned(flow, 'nameChange')).toMatchObject({
      account: { address: 'amy.pearce@nhs.net', name: 'Amy Pearce' },
      newName: { firstName: 'Amy', lastName: 'Pearce-Jones' },
      changes: [{ change: 'rename', address: 'amy.pearce@nhs.net', firstName: 'Amy', lastName: 'Pearce-Jones' }],
    });
    await flow.send({ type: 'BACK' });
    expect(flow.state).toBe('rename.newName');
    await flow.send({ type: 'BACK' });
    await flow.send({ type: 'BACK' });
    expect(flow.state).toBe('choose');
    const local = await larkspur({ kind: 'nameChange' });
    await local.answer('renameWho', 'ruth.barnes@nhs.net');
    await local.answer('kind', 'siteAudit');
    expect(local.state).toBe('audit.list');
  });

  it('a site audit shows the directory’s list at once and asks NAS to confirm it, with what the owner says is wrong', async () => {
    const flow = await larkspur({ kind: 'siteAudit' });
    expect(flow.state).toBe('audit.list');
    await flow.answer('auditNote', 'Dawn left in October');
    const audit = planned(flow, 'siteAudit');
    expect(audit.ownerNote).toBe('Dawn left in October');
    expect(audit.listed).toContainEqual({ address: 'dawn.fenwick@nhs.net', name: 'Dawn Fenwick', access: 'member', status: 'inactive' });
    expect(audit.listed).toHaveLength(SITES.VLH01!.accounts.length);
    expect(flow.context.plan![0]).toMatchObject({ exclusive: 'VLH01' });
    await flow.send({ type: 'BACK' });
    await flow.send({ type: 'BACK' });
    expect(flow.state).toBe('choose');
  });

  it('a Teams team: its name, and who is in it; the shared mailbox owners own it', async () => {
    const flow = await larkspur({ kind: 'teamsTeam' });
    await flow.answer('teamName', 'Larkspur team');
    await flow.send({ type: 'BACK' });
    await flow.answer('teamName', 'Larkspur House team');
    await flow.answer('teamMembers', 'sharedMailbox');
    const team = planned(flow, 'teamsTeam');
    expect(team.teamName).toBe('Larkspur House team');
    expect(team.owners.map((o) => o.address)).toEqual(['priya.raman@nhs.net', 'gareth.lloyd@nhs.net']);
    expect(team.members.map((m) => m.address)).not.toContain('amy.pearson@nhs.net');
    expect(team.members.map((m) => m.address)).not.toContain('dawn.fenwick@nhs.net');
    await flow.send({ type: 'BACK' });
    await flow.answer('teamMembers', 'everyone');
    expect(planned(flow, 'teamsTeam').members.map((m) => m.address)).toContain('amy.pearson@nhs.net');
    await flow.send({ type: 'BACK' });
    await flow.send({ type: 'BACK' });
    await flow.send({ type: 'BACK' });
    expect(flow.state).toBe('choose');
    void DAY;
  });
});

describe('anywhere: back, again, and "that is all"', () => {
  it('the verification step takes back, resend and try again; back from its first question returns to the list', async () => {
    const flow = startRequests({ fail: { identifyPerson: 1 } }, { start: { kind: 'leaver' } });
    await flow.settle();
    await flow.answer('ownerAddress', 'sarah.hollis@nhs.net');
    await flow.send({ type: 'RESEND' });
    await flow.answer('ownerCode', '246810');
    await flow.send({ type: 'TRY_AGAIN' });
    expect(flow.state).toBe('leaver.who');
    const back = startRequests({}, { start: { kind: 'leaver' } });
    await back.settle();
    await back.send({ type: 'BACK' });
    expect(back.state).toBe('choose');
  });

  it('"that is all" ends the flow at every stop', async () => {
    const notOwner = startRequests({}, { start: { kind: 'leaver' } });
    await notOwner.settle();
    await verifiedAs(notOwner, 'tom.okafor@nhs.net');
    const local = startRequests({}, { start: { kind: 'ownLeaving' } });
    await local.settle();
    await verifiedAs(local, 'ruth.barnes@nhs.net');
    const full = startRequests({}, { start: { kind: 'newStarter' } });
    await full.settle();
    await verifiedAs(full, 'marcus.ashworth@nhs.net');
    const alone = { ...structuredClone(SITES.VHB01!), accounts: [SITES.VHB01!.accounts[0]!] };
    const noOne = await hollybank({ kind: 'ownerChange' }, { sites: { VHB01: alone } });
    const noOneLeft = await hollybank({ kind: 'leaver', people: ['sarah.hollis@nhs.net'] }, { sites: { VHB01: alone } });
    await noOneLeft.answer('lastDay', '2026-12-18');
    await noOneLeft.answer('leaving', 'organisation');
    const renameLocal = await larkspur({ kind: 'nameChange' });
    await renameLocal.answer('renameWho', 'ruth.barnes@nhs.net');
    const stops = [notOwner, local, full, noOne, noOneLeft, renameLocal];
    expect(stops.map((f) => f.state)).toEqual(['notOwner', 'ownLocal', 'newStarter.full', 'handover.noOne', 'leaver.noOneLeft', 'rename.local']);
    for (const f of stops) await f.answer('next', 'done');
    expect(stops.map((f) => f.actor.getSnapshot().status)).toEqual(stops.map(() => 'done'));
  });

  it('a provider by name at its own question; back from it; a directory that is down', async () => {
    const flow = await hollybank({ kind: 'leaver', people: ['tom.okafor@nhs.net'] }, { fail: { findProvider: true } });
    await flow.send({ type: 'BACK' });
    expect(flow.state).toBe('leaver.who');
    await flow.answer('leavers', ['tom.okafor@nhs.net']);
    await flow.answer('lastDay', '2026-12-01');
    await flow.answer('leaving', 'provider');
    await flow.send({ type: 'BACK' });
    expect(flow.state).toBe('leaver.leaving');
    await flow.answer('leaving', 'provider');
    await flow.answer('provider', { odsCode: 'VFL10' });
    expect(flow.state).toBe('leaver.provider');
    expect(flow.context.problem).toBe('serviceUnavailable');
    await flow.answer('provider', { name: 'Fernlea Lodge' });
    expect(flow.state).toBe('review.summary');
  });

  it('back from the handover’s first question returns to the list', async () => {
    const flow = await larkspur({ kind: 'ownerChange' });
    await flow.send({ type: 'BACK' });
    expect(flow.state).toBe('choose');
  });
});
