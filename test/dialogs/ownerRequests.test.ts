import { ownerRequestsDialog, STEPS } from '../../dialogs/ownerRequests';
import { longDate, readDate } from '../../dialogs/ownerRequests/dates';
import { ownerRequestsStart, readKind, readLeaving, readNewName, readPeople, readProvider } from '../../dialogs/ownerRequests/read';
import { route } from '../../dialogs/routing';
import { VERIFICATION_STEPS } from '../../dialogs/ownerVerification';
import { startRequests, TEAMS_SESSION, T0, verifiedAs } from '../machines/ownerRequestsDriver';

const NOW = T0; // Wednesday 2 December 2026

describe('reading a last working day', () => {
  it.each([
    ['today', '2026-12-02'],
    ['Yesterday', '2026-12-01'],
    ['the day before yesterday', '2026-11-30'],
    ['tomorrow', '2026-12-03'],
    ['last Friday', '2026-11-27'],
    ['friday', '2026-12-04'],
    ['Fri', '2026-12-04'],
    ['monday', '2026-12-07'],
    ['her last day will be friday', '2026-12-04'],
    ['she is leaving on Friday', '2026-12-04'],
    ['she left on friday', '2026-11-27'],
    ['he finished friday', '2026-11-27'],
    ['it was monday', '2026-11-30'],
    ['wednesday', '2026-12-02'],
    ['last wednesday', '2026-11-25'],
    ['this Friday', '2026-12-04'],
    ['next monday', '2026-12-07'],
    ['27/11/2026', '2026-11-27'],
    ['27/11/26', '2026-11-27'],
    ['27.11.2026', '2026-11-27'],
    ['27-11-2026', '2026-11-27'],
    ['27/11', '2026-11-27'],
    ['5/1', '2027-01-05'],
    ['2026-11-27', '2026-11-27'],
    ['27th November', '2026-11-27'],
    ['27 nov', '2026-11-27'],
    ['November 27th 2026', '2026-11-27'],
    ['Nov 27', '2026-11-27'],
    ['it was the 3rd of December', '2026-12-03'],
    ['her last day is 18 December', '2026-12-18'],
    ['end of the month', '2026-12-31'],
    ['end of November', '2026-11-30'],
    ['he finished on the 30th', '2026-11-30'],
    ['the 3rd', '2026-12-03'],
    ['christmas eve', '2026-12-24'],
    ['xmas eve', '2026-12-24'],
    ['boxing day', '2026-12-26'],
  ])('%j is %s', (text, day) => {
    expect(readDate(text, NOW)).toEqual({ ok: true, value: day });
  });

  it.each([
    ['31/02/2026', /February 2026 has no day 31/],
    ['13/13/2026', /no month 13/],
    ['last week', /Please give the day itself/],
    ['a few days ago', /Please give the day itself/],
  ])('%j is refused saying why', (text, why) => {
    const read = readDate(text, NOW);
    expect(read?.ok).toBe(false);
    expect(read && !read.ok ? read.error : '').toMatch(why);
  });

  it('text with no date in it is not a date', () => {
    expect(readDate('hello', NOW)).toBeUndefined();
    expect(readDate('she is leaving care', NOW)).toBeUndefined();
    expect(longDate('2026-11-27')).toBe('Friday 27 November 2026');
  });
});

describe('reading who a message names', () => {
  it.each([
    ['Jane has left', ['Jane']],
    ['Jane and Tom have left', ['Jane', 'Tom']],
    ['jane smith, tom okafor & amy pearce have all left', ['jane smith', 'tom okafor', 'amy pearce']],
    ['tom.okafor@nhs.net has left the home', ['tom.okafor@nhs.net']],
    ['Tom.Okafor@nhs.net, amy.pearce@nhs.net', ['tom.okafor@nhs.net', 'amy.pearce@nhs.net']],
    ['we have a leaver: Tom', ['Tom']],
    ['Tom left last week', ['Tom']],
    ['our carer Amy has resigned', ['Amy']],
    ['Mrs Pearce is leaving', ['Pearce']],
    ['Tom', ['Tom']],
    ['sorry i meant amy pearce', ['amy pearce']],
    ['no, I mean Amy', ['Amy']],
    ['oops its tom.okafor@nhs.net', ['tom.okafor@nhs.net']],
    ['report a leaver', []],
    ['I need to report a leaver', []],
    ['someone has left', []],
    ['hello', []],
  ])('%j → %j', (text, people) => {
    expect(readPeople(text)).toEqual(people);
  });
});

describe('reading which request a message asks for', () => {
  it.each([
    ['Jane has left', 'leaver'],
    ['our cook resigned last week', 'leaver'],
    ['report a leaver', 'leaver'],
    ['a member of staff no longer works here', 'leaver'],
    ['I am leaving', 'ownLeaving'],
    ["I'm moving to another care home", 'ownLeaving'],
    ['my last day is friday', 'ownLeaving'],
    ['we have a new starter', 'newStarter'],
    ['new member of staff needs an account', 'newStarter'],
    ['a nurse joining us already has nhsmail', 'joiner'],
    ['add a joiner', 'joiner'],
    ['hand over the shared mailbox to Gareth', 'ownerChange'],
    ['I need a new owner for the shared mailbox', 'ownerChange'],
    ['Amy got married and changed her name', 'nameChange'],
    ['name change', 'nameChange'],
    ['who has access to our shared mailbox', 'siteAudit'],
    ['site audit', 'siteAudit'],
    ['can we have a Teams team for the home', 'teamsTeam'],
    ['hello', undefined],
    ['I forgot my password', undefined],
  ])('%j → %s', (text, kind) => {
    expect(readKind(text)).toBe(kind);
  });

  it('at the menu, free text starts the right request with what it says; a question about how is left to the questions', () => {
    expect(ownerRequestsStart('Jane and Tom have left')).toEqual({ kind: 'leaver', people: ['Jane', 'Tom'] });
    expect(ownerRequestsStart('we have a new starter')).toEqual({ kind: 'newStarter' });
    expect(ownerRequestsStart('how do I change my name?')).toBeUndefined();
    expect(ownerRequestsStart('who has access to the shared mailbox?')).toBeUndefined();
    expect(route('Tom has left')).toMatchObject({ id: 'ownerRequests', flow: { id: 'ownerRequests' } });
    expect(route('Tom has left')?.flow?.start('Tom has left')).toEqual({ kind: 'leaver', people: ['Tom'] });
    expect(route('I forgot my password')?.id).toBe('passwordHelp');
  });
});

describe('reading the other answers', () => {
  it.each([
    ['leaving this organisation only', 'organisation'],
    ['just this home', 'organisation'],
    ['staying in care', 'organisation'],
    ['1', 'organisation'],
    ['leaving social care altogether', 'socialCare'],
    ['retiring', 'socialCare'],
    ['2', 'socialCare'],
    ['moving to another provider', 'provider'],
    ['she is going to Fernlea Lodge', 'provider'],
    ['3', 'provider'],
    ['she is joining Oakwood Care', 'provider'],
    ['banana', undefined],
  ])('where a leaver goes: %j → %s', (text, leaving) => {
    expect(readLeaving(text)).toBe(leaving);
  });

  it.each([
    ['VFL10', { odsCode: 'VFL10' }],
    ['vfl10', { odsCode: 'VFL10' }],
    ['Fernlea Lodge (VFL10)', { odsCode: 'VFL10' }],
    ['Rosewood Care', { name: 'Rosewood Care' }],
    ['to Rosewood Care.', { name: 'Rosewood Care' }],
    ['!!', undefined],
  ])('a provider: %j', (text, provider) => {
    expect(readProvider(text)).toEqual(provider);
  });

  it('a new name is a first and a last name', () => {
    expect(readNewName('Jane Smith')).toEqual({ ok: true, value: { firstName: 'Jane', lastName: 'Smith' } });
    expect(readNewName('her new name is Amy Pearce-Jones')).toEqual({ ok: true, value: { firstName: 'Amy', lastName: 'Pearce-Jones' } });
    expect(readNewName('Mary Ann Smith')).toEqual({ ok: true, value: { firstName: 'Mary Ann', lastName: 'Smith' } });
    expect(readNewName('Smith')).toMatchObject({ ok: false });
    expect(readNewName('J4ne Smith')).toMatchObject({ ok: false });
  });
});

describe('as people type at the leaver questions', () => {
  async function hollybankLeaver(people: string[]) {
    const flow = startRequests({}, { start: { kind: 'leaver', people } });
    await flow.settle();
    await verifiedAs(flow, 'sarah.hollis@nhs.net');
    return flow;
  }

  it('a person found is kept while another is not: "just tom" goes on with him', async () => {
    const flow = await hollybankLeaver(['jane', 'tom']);
    expect(flow.prompt.text).toMatch(/I could not find “jane” among the accounts of Hollybank Care Home \(VHB01\)\. The people with accounts there are: Sarah Hollis, Tom Okafor\. \(Someone without an NHSmail account needs no leaver report\.\)\nSo far: Tom Okafor \(tom\.okafor@nhs\.net\)\. Who else/);
    expect(await flow.say('oh sorry jane isnt on nhsmail, just tom')).toMatch(/I found Tom Okafor \(tom\.okafor@nhs\.net\) at Hollybank Care Home \(VHB01\)\. Is that the person who is leaving\?/);
    await flow.say('yes thats him');
    expect(await flow.say('1')).toMatch(/Is Tom Okafor leaving/);
    expect(flow.context.leaver.entries[0]?.lastWorkingDay).toBe('2026-12-02');
    expect(await flow.say('hes going to work at fernlea lodge')).toMatch(/moving to fernlea lodge\./);
  });

  it('"not sure" where a leaver goes is explained, not taken as an answer', async () => {
    const flow = await hollybankLeaver(['tom.okafor@nhs.net']);
    await flow.say('today');
    expect(await flow.say('not sure')).toMatch(/^SAY: If you do not know, choose "leaving this organisation only"/);
  });

  it('with someone found already, "yes" or the date goes on; the verification code’s buttons are numbers too', async () => {
    const yes = await hollybankLeaver(['jane', 'tom']);
    expect(await yes.say('yep')).toMatch(/Is that the person who is leaving\?/);
    const date = await hollybankLeaver(['jane', 'tom']);
    expect(await date.say('he finished on the 30th')).toMatch(/Is that the person who is leaving\?/);
    const code = startRequests({}, { start: { kind: 'leaver' } });
    await code.settle();
    await code.answer('ownerAddress', 'sarah.hollis@nhs.net');
    await code.say('1');
    expect(code.calls.sendOwnerCode).toHaveLength(2);
    expect(await code.say('2')).toMatch(/What is your NHSmail address\?/);
  });

  it('after a request is sent: a status question is pointed at the reference; "Sarah is leaving too" starts the next report with her', async () => {
    const flow = await hollybankLeaver(['tom.okafor@nhs.net']);
    await flow.say('today');
    await flow.say('leaving social care');
    await flow.say('confirm');
    expect(await flow.say('whats the status of that')).toMatch(/^SAY: It has only just gone to NAS, so it is received\. To hear where it is at any time, say "status of LVR-/);
    // Asked as the message suggests, it is the request desk's (it lists this chat's requests), not the flow's.
    expect(await flow.say('what is the status of my request?')).not.toMatch(/It has only just gone to NAS/);
    expect(await flow.say('sarah is leaving too, she retires at christmas')).toMatch(/I found Sarah Hollis \(sarah\.hollis@nhs\.net\)/);
    await flow.say('yes');
    expect(await flow.say('christmas eve')).toMatch(/Are you leaving Hollybank Care Home \(VHB01\) only/);
    expect(flow.context.requestNumber).toBe(2);
  });
});

describe('what the assistant says at each step', () => {
  it('the wording exists for every state a user can rest in (checked by the compiler too)', () => {
    expect(Object.keys(STEPS).sort()).toEqual(
      [
        'choose', 'notOwner', 'ownLocal', 'ownAlreadyLeaver', 'chooseSite', 'siteUnavailable',
        'leaver.who', 'leaver.pick', 'leaver.confirm', 'leaver.lastDay', 'leaver.leaving', 'leaver.provider', 'leaver.newOwner', 'leaver.noOneLeft',
        'newStarter.full', 'joiner.address', 'joiner.access', 'handover.newOwner', 'handover.keepAccess', 'handover.noOne',
        'rename.who', 'rename.newName', 'rename.local', 'audit.list', 'team.name', 'team.who',
        'review.summary', 'review.submitFailed', 'review.submitted',
      ].sort(),
    );
    expect(Object.keys(VERIFICATION_STEPS).sort()).toEqual(['address', 'code', 'locked', 'unavailable']);
  });

  it('typed as people type it, a leaver report for two people goes from the menu text to the reference', async () => {
    const flow = startRequests({}, { ...TEAMS_SESSION, start: { kind: 'leaver', people: ['amy', 'Joseph'] } });
    await flow.settle();
    expect(flow.prompt.text).toMatch(/^Report a leaver · Larkspur House Care Home\nYou are signed in to Teams as priya\.raman@nhs\.net, a shared mailbox owner of Larkspur House Care Home \(VLH01\)\. That holds in this chat for 8 hours\./);
    expect(flow.prompt.text).toMatch(/More than one person at Larkspur House Care Home \(VLH01\) fits “amy”:\n1\. Amy Pearce \(amy\.pearce@nhs\.net\)\n2\. Amy Pearson \(amy\.pearson@nhs\.net\)/);
    expect(await flow.say('amy')).toMatch(/^SAY: More than one of them fits “amy”/);
    expect(await flow.say('the first one')).toMatch(/I found these people at Larkspur House Care Home \(VLH01\):\n• Amy Pearce \(amy\.pearce@nhs\.net\)\n• Joseph Achebe \(joseph\.achebe@nhs\.net\)\nAre these the people who are leaving\?/);
    expect(await flow.say('yep')).toMatch(/What is \(or was\) Amy Pearce's last working day\?/);
    expect(await flow.say('last fri')).toMatch(/Is Amy Pearce leaving Larkspur House Care Home \(VLH01\) only, leaving social care altogether, or moving/);
    expect(await flow.say('shes retiring')).toMatch(/^Report a leaver · Larkspur House Care Home \(2 of 2\)\nWhat is \(or was\) Joseph Achebe's last working day\?/);
    expect(flow.prompt.choices).toEqual(['Same as Amy: Friday 27 November 2026']);
    expect(await flow.say('same')).toMatch(/Is Joseph Achebe leaving/);
    expect(await flow.say('hes moving to Fernlea Lodge (VFL10)')).toMatch(/^Check and send/);
    const review = flow.prompt.text;
    expect(review).toContain('• Amy Pearce (amy.pearce@nhs.net): last working day Friday 27 November 2026; leaving social care altogether.');
    expect(review).toMatch(/• Joseph Achebe \(joseph\.achebe@nhs\.net\): last working day Friday 27 November 2026; moving to Fernlea Lodge/);
    expect(review).toContain('the account is deleted 30 days after it is marked a leaver. Please save anything the team needs from it');
    expect(review).toMatch(/A joiner request goes to NAS too: Joseph Achebe's account moves to Fernlea Lodge/);
    expect(await flow.say('looks good, send it')).toMatch(/Your leaver report is with NAS: reference \*\*LVR-[A-Z0-9]{8}\*\*\.\nYour joiner request is with NAS: reference \*\*JNR-/);
  });

  it('the consequences are said before confirming: the only owner leaving needs a new owner; fewer than 2 with access is warned', async () => {
    const flow = startRequests({}, { start: { kind: 'leaver' } });
    await flow.settle();
    await verifiedAs(flow, 'sarah.hollis@nhs.net');
    expect(await flow.say('Sarah Hollis has left')).toMatch(/I found Sarah Hollis \(sarah\.hollis@nhs\.net\)/);
    await flow.say('yes');
    expect(await flow.say('31/10/2026')).toMatch(/Saturday 31 October 2026 is more than 30 days ago\. A leaver can be reported here up to 30 days after their last working day \(from Monday 2 November 2026\); for an earlier one, please contact NAS \(careadmin@nhs\.net\)\./);
    await flow.say('today');
    const owner = await flow.say('leaving this home only');
    expect(owner).toMatch(/Sarah Hollis is a shared mailbox owner\.\nA shared mailbox must always have an owner, so before this can be reported a new owner must be named, from the people who stay\. Who should it be\?\n1\. Tom Okafor/);
    expect(flow.prompt.choices).toEqual(['Tom Okafor']);
    expect(await flow.say('no one')).toMatch(/^A new owner must be named: nobody else would own the shared mailbox\./);
    expect(await flow.say('Kwame')).toMatch(/^INVALID: “Kwame” is not one of the people I can offer here: Tom Okafor\./);
    const review = await flow.say('tom');
    expect(review).toMatch(/Sarah Hollis stops being a shared mailbox owner; Tom Okafor \(tom\.okafor@nhs\.net\) becomes the new owner\./);
    expect(review).toMatch(/⚠ Warning: after this, only 1 person \(Tom Okafor\) would have access to the shared mailbox\. It should have at least 2/);
  });

  it('someone who is not an owner hears who their owner is, by name only, and what they can do themselves', async () => {
    const flow = startRequests({}, { start: { kind: 'newStarter' } });
    await flow.settle();
    await verifiedAs(flow, 'tom.okafor@nhs.net');
    const text = flow.prompt.text;
    expect(text).toMatch(/Only a shared mailbox owner can ask for that, and you are not one for Hollybank Care Home\./);
    expect(text).toMatch(/The shared mailbox owner of Hollybank Care Home is Sarah Hollis: please ask them\./);
    expect(text).not.toMatch(/sarah\.hollis@/);
    expect(text).toMatch(/What you can do yourself: tell NAS about your own leaving, or your move/);
    expect(await flow.say('report my own leaving or move')).toMatch(/What is your last working day\?/);
  });

  it('a new starter at a site with 10 accounts is refused, saying why and what to do', async () => {
    const flow = startRequests({}, { start: { kind: 'newStarter' } });
    await flow.settle();
    await verifiedAs(flow, 'marcus.ashworth@nhs.net');
    expect(flow.prompt.text).toMatch(/Fernlea Lodge \(VFL10\) already has 10 NHSmail accounts, and a site can have at most 10\. So I cannot ask for another one\./);
  });

  it('every button of every step it reaches can be typed', async () => {
    const flow = startRequests({}, { ...TEAMS_SESSION });
    await flow.settle();
    const pressed: string[] = [];
    for (const label of flow.prompt.choices ?? []) {
      const parsed = ownerRequestsDialog.parse(label, flow.actor.getSnapshot());
      expect({ label, parsed: parsed && 'type' in parsed ? 'event' : parsed }).toEqual({ label, parsed: 'event' });
      pressed.push(label);
    }
    expect(pressed).toHaveLength(8);
  });
});
