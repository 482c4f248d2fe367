import type { NasRequestOf } from '../../adapters/nasRequests';
import { Transcript, buttons, cardElements, cardOf, transcript } from '../helpers/transcript';

const TO_MEMBERS = ['register', 'care provider', 'no', 'yes', 'no', 'yes', 'continue', 'LS6 1BN', 'CPODS2', '1-1002733005', 'CON1-123456789', 'Leeds', 'Leeds'];

async function toMembers(t: Transcript) {
  for (const answer of TO_MEMBERS) await t.say(answer);
  return t.say('continue');
}

const input = (card: unknown, id: string) => cardElements(card).find((e) => e.id === id);
const errorText = (card: unknown, id: string) => input(card, `${id}Error`)?.text as string | undefined;

const OWNER_FORM = { action: 'saveMember', title: 'Mrs', firstName: 'Jane', lastName: 'Smith', email: 'jane@example.co.uk', mobile: '07400 123456', role: 'Registered Manager' };
const SECOND_FORM = { action: 'saveMember', title: '', firstName: 'Sam', lastName: 'Lee', email: 'sam@example.com', mobile: '+44 7400 654321', role: 'Nurse', owner: 'false', sharedMailboxAccess: 'true', mailboxAdmin: 'false' };

describe('Adaptive Cards on Teams and the web chat page', () => {
  it('the member questions come as one form on Teams, and as text where cards are not shown', async () => {
    const teams = transcript('msteams');
    const [form] = (await toMembers(teams)).slice(-1);
    const card = cardOf(form);
    expect(card?.version).toBe('1.5');
    expect(['title', 'firstName', 'lastName', 'email', 'mobile', 'role'].map((id) => input(card, id)?.type)).toEqual([
      'Input.ChoiceSet',
      'Input.Text',
      'Input.Text',
      'Input.Text',
      'Input.Text',
      'Input.ChoiceSet',
    ]);
    expect(input(card, 'role')?.choices.map((c: { value: string }) => c.value)).toContain('Senior Care Worker');
    // The owner's flags are fixed, so the first form has no toggles.
    expect(input(card, 'sharedMailboxAccess')).toBeUndefined();

    const text = transcript('test');
    const [prompt] = (await toMembers(text)).slice(-1);
    expect(cardOf(prompt)).toBeUndefined();
    expect(prompt!.text).toMatch(/Members \(1 of 10\)[\s\S]*title/);
  });

  it('a form with errors comes back with each message beside its field and the good values kept', async () => {
    const t = transcript('msteams');
    await toMembers(t);
    const replies = await t.submit({ ...OWNER_FORM, firstName: 'J4ne', mobile: '07400 12345' });
    expect(replies[0]!.text).toMatch(/Please correct the 2 details marked on the form/);
    const card = cardOf(replies.at(-1));
    expect(errorText(card, 'mobile')).toMatch(/07400 12345 is too short for a UK mobile number/);
    expect(errorText(card, 'firstName')).toMatch(/first name/);
    expect(errorText(card, 'email')).toBeUndefined();
    expect(input(card, 'email')?.value).toBe('jane@example.co.uk');
    expect(input(card, 'mobile')?.value).toBe('07400 12345');
    expect(input(card, 'role')?.value).toBe('Registered Manager');
    // Put right and sent again from the card that came back, it is saved.
    const saved = cardOf((await t.submit(OWNER_FORM)).at(-1));
    expect(cardElements(saved).filter((e) => e.type === 'Action.Submit').map((e) => e.title)).toContain('Edit Jane Smith');
  });

  it('a saved form shows the members list with edit and remove (not for the owner)', async () => {
    const t = transcript('msteams');
    await toMembers(t);
    await t.submit(OWNER_FORM);
    const list = cardOf((await t.submit({ action: 'addMember' })).at(-1));
    expect(input(list, 'sharedMailboxAccess')).toBeDefined();
    const afterSecond = cardOf((await t.submit(SECOND_FORM)).at(-1));
    const buttons = cardElements(afterSecond).filter((e) => e.type === 'Action.Submit');
    expect(buttons.map((e) => e.title)).toEqual(['Edit Jane Smith', 'Edit Sam Lee', 'Remove Sam Lee', 'Add another member', 'Done']);
    // A second press of the same form is not saved again.
    expect((await t.submit(SECOND_FORM))[0]!.text).toMatch(/already been saved/);
    const edit = cardOf((await t.submit(buttons[1]!.data)).at(-1));
    expect(input(edit, 'firstName')?.value).toBe('Sam');
    expect(input(edit, 'mobile')?.value).toBe('07400 654321');
    const edited = cardOf((await t.submit({ ...SECOND_FORM, lastName: 'Lee-Jones' })).at(-1));
    expect(JSON.stringify(edited)).toMatch(/"Sam Lee-Jones"/);
    const remove = cardElements(edited).find((e) => e.title === 'Remove Sam Lee-Jones')!;
    expect((await t.submit(remove.data)).at(-1)!.text).toMatch(/Remove Sam Lee-Jones from the registration\?/);
    const removed = cardOf((await t.submit({ action: 'back' })).at(-1));
    expect(cardElements(removed).filter((e) => e.type === 'Action.Submit').map((e) => e.title)).toContain('Remove Sam Lee-Jones');
    await t.submit(remove.data);
    const gone = await t.say('yes');
    expect(JSON.stringify(cardOf(gone.at(-1)))).toMatch(/Sam Lee-Jones has been removed/);
    expect(cardElements(cardOf(gone.at(-1))).filter((e) => e.type === 'Action.Submit').map((e) => e.title)).toEqual(['Edit Jane Smith', 'Add another member']);
  });

  it('a member is stored the same whether typed or sent by form', async () => {
    const typed = transcript('test');
    await toMembers(typed);
    for (const answer of ['Mrs', 'Jane', 'Smith', 'jane@example.co.uk', '07400 123456', 'Registered Manager']) await typed.say(answer);
    for (const answer of ['add another', 'no title', 'Sam', 'Lee', 'sam@example.com', '+44 7400 654321', 'Nurse', 'no', 'yes', 'no', 'done']) await typed.say(answer);
    const typedReference = /REG-[A-Z2-9]{8}/.exec((await typed.say('confirm and finish')).map((a) => a.text).join(''))![0];

    const carded = transcript('msteams');
    await toMembers(carded);
    await carded.submit(OWNER_FORM);
    await carded.submit({ action: 'addMember' });
    await carded.submit(SECOND_FORM);
    const review = cardOf((await carded.submit({ action: 'membersDone' })).at(-1));
    expect(cardElements(review).filter((e) => e.type === 'Action.Submit').map((e) => e.title)).toEqual(
      expect.arrayContaining(['Change the town', 'Confirm and finish', 'Back']),
    );
    const done = await carded.submit({ action: 'confirm' });
    const cardReference = /REG-[A-Z2-9]{8}/.exec(done.map((a) => a.text).join(''))![0];
    expect((await carded.submit({ action: 'confirm' }))[0]!.text).toMatch(/already submitted/);

    const a = (await typed.assistant.adapters.requests.get(typedReference)) as NasRequestOf<'registration'> | undefined;
    const b = (await carded.assistant.adapters.requests.get(cardReference)) as NasRequestOf<'registration'> | undefined;
    expect(b!.details.members).toEqual(a!.details.members);
  });

  it('the organisations at a postcode come as buttons on a card', async () => {
    const t = transcript('msteams');
    for (const answer of TO_MEMBERS.slice(0, 7)) await t.say(answer);
    const choice = cardOf((await t.say('LS6 1BN')).at(-1));
    const options = cardElements(choice).filter((e) => e.type === 'Action.Submit');
    expect(options.map((o) => o.title)).toEqual(['Amazing Carehomes – CPODS2', 'Amazing Home Care Ltd – VAHC1', 'None of these']);
    expect((await t.submit(options[0]!.data)).at(-1)!.text).toMatch(/CQC location ID/);
  });

  it('every card is version 1.5 at most and uses only Action.Submit', async () => {
    const t = transcript('msteams');
    const cards: unknown[] = [];
    const collect = (replies: { attachments?: unknown[] }[]) => replies.forEach((r) => cardOf(r as never) && cards.push(cardOf(r as never)));
    for (const answer of TO_MEMBERS.slice(0, 7)) await t.say(answer);
    collect(await t.say('LS6 1BN'));
    for (const answer of TO_MEMBERS.slice(8)) await t.say(answer);
    collect(await t.say('continue'));
    collect(await t.submit(OWNER_FORM));
    collect(await t.submit({ action: 'addMember' }));
    collect(await t.submit(SECOND_FORM));
    collect(await t.submit({ action: 'membersDone' }));
    expect(cards).toHaveLength(6);
    for (const card of cards) {
      expect(Number((card as { version: string }).version)).toBeLessThanOrEqual(1.5);
      const actionTypes = cardElements(card).filter((e) => e.type.startsWith('Action.')).map((e) => e.type);
      expect(new Set(actionTypes)).toEqual(new Set(['Action.Submit']));
    }
  });

  it('a card button from another step is not taken as an answer', async () => {
    const t = transcript('msteams');
    await toMembers(t);
    expect((await t.submit({ action: 'confirm' }))[0]!.text).toMatch(/did not understand/);
    expect((await t.submit({ action: 'nonsense' }))[0]!.text).toMatch(/did not understand/);
    expect((await t.submit({ action: 'removeMember', index: 'x' }))[0]!.text).toMatch(/did not understand/);
    expect((await t.submit({ action: 'removeMember', memberId: { $gt: '' }, listVersion: 1 }))[0]!.text).toMatch(/did not understand/);
  });
});

describe('text a user typed, shown in a card', () => {
  it('goes in as plain text runs: no markdown, no link, nothing invisible added', async () => {
    const t = transcript('msteams');
    await toMembers(t);
    const list = cardOf((await t.submit({ ...OWNER_FORM, lastName: "O'Brien-Jones", email: 'jane_smith@example.co.uk' })).at(-1));
    const runs = cardElements(list).flatMap((e) => (e.type === 'RichTextBlock' ? (e.inlines as { text: string }[]).map((r) => r.text) : []));
    expect(runs).toEqual(expect.arrayContaining(["Mrs Jane O'Brien-Jones", 'jane_smith@example.co.uk', '07400 123456']));
    const blocks = cardElements(list).filter((e) => e.type === 'TextBlock').map((e) => e.text as string);
    expect(blocks.join('\n')).not.toMatch(/jane_smith|O'Brien/);
    expect(JSON.stringify(list)).not.toMatch(/\u200B/);
  });
});

describe('the member card reads its labels from the member fields', () => {
  it('every input and toggle is labelled as MEMBER_FIELDS_INFO says, and the mobile note is its "why"', async () => {
    const { MEMBER_FIELDS_INFO } = await import('../../dialogs/memberEntry/fields');
    const { memberCard, MOBILE_PURPOSE } = await import('../../dialogs/memberEntry/card');
    const card = memberCard({ heading: 'Member 2', roles: ['Nurse'], titles: ['Mr'], ownerSlot: false, ownerAllowed: true, form: { values: {}, errors: {} }, mobilePurpose: true });
    const fields = cardElements(card).filter((e) => typeof e.type === 'string' && e.type.startsWith('Input.'));
    expect(fields.map((e) => e.id).sort()).toEqual(Object.keys(MEMBER_FIELDS_INFO).sort());
    for (const e of fields) expect(e.label ?? e.title).toBe(MEMBER_FIELDS_INFO[e.id as keyof typeof MEMBER_FIELDS_INFO].label);
    expect(MOBILE_PURPOSE).toBe(MEMBER_FIELDS_INFO.mobile.why);
    expect(cardElements(card).some((e) => e.text === MOBILE_PURPOSE)).toBe(true);
  });
});
