import { Answer, Member, MemberField, MemberRef, RegistrationEvent } from '../../machines/registration';
import { answer, contactId, coverage, location, memberCoverage, pick, postcode, run, type Run } from '../helpers/registrationDriver';

/** From the summary to verified, for a care provider (VAAA1) or a dental practice (VDEN1). */
const VERIFIED_CARE = [postcode('LS1 4AP'), pick('VAAA1'), location, contactId];
const VERIFIED_DENTAL = [postcode('LS1 4AP'), pick('VDEN1'), location, contactId];
const town = (name: string) => answer({ question: 'town', value: name });
const town_ = town;
const townAgain = (name: string) => answer({ question: 'townConfirm', value: name });
const CONTINUE: RegistrationEvent = { type: 'CONTINUE' };
const TO_MEMBERS = [town('Leeds'), CONTINUE];

const a = (question: Answer['question'] | string, value: unknown) => answer({ question, value } as Answer);
/** The answers for one member after the first: title … role, then owner/access/admin as given. */
function member(n: number, flags: RegistrationEvent[] = [a('memberOwner', false), a('memberMailboxAccess', true), a('memberMailboxAdmin', false)]) {
  return [
    { type: 'ADD_MEMBER' } as RegistrationEvent,
    a('memberTitle', null),
    a('memberFirstName', `Person${n}`),
    a('memberLastName', 'Smith'),
    a('memberEmail', `person${n}@example.co.uk`),
    a('memberMobile', `+4474001234${String(n).padStart(2, '0')}`),
    a('memberRole', 'Nurse'),
    ...flags,
  ];
}
const OWNER = [
  a('memberTitle', 'Mrs'),
  a('memberFirstName', 'Jane'),
  a('memberLastName', 'Owner'),
  a('memberEmail', 'jane@example.co.uk'),
  a('memberMobile', '+447400123400'),
  a('memberRole', 'Registered Manager'),
];
const names = (members: readonly Member[] | undefined) => (members ?? []).map((m) => m.firstName);
const byIndex = (index: number): MemberRef => ({ index });
const edit = (index: number, field?: MemberField): RegistrationEvent => ({ type: 'EDIT_MEMBER', member: byIndex(index), ...(field ? { field } : {}) });
const remove = (member: MemberRef): RegistrationEvent => ({ type: 'REMOVE_MEMBER', member });
const yesRemove = a('removeMember', true);
const idOf = (r: Run, index: number): MemberRef => ({ id: r.snapshot.context.members[index]!.id, listVersion: r.snapshot.context.listVersion });

afterAll(() => console.log(`coverage of town, members and review: ${coverage.report().text}; member entry: ${memberCoverage.report().text}`));

describe('town (SPEC §1.4)', () => {
  it('takes the town in our records at once (as our records write it), and shows the shared mailbox address', async () => {
    const { at, snapshot } = await run('contactId', [...VERIFIED_CARE, town('LEEDS')]);
    expect(at).toBe('town.mailboxAddress');
    expect(snapshot.context).toMatchObject({ town: 'Leeds', mailboxTown: 'leeds' });
  });

  it('takes another town, then the same town again', async () => {
    const { at, snapshot } = await run('contactId', [...VERIFIED_CARE, town('Headingley'), townAgain('HEADINGLEY')]);
    expect(at).toBe('town.mailboxAddress');
    expect(snapshot.context).toMatchObject({ town: 'Headingley', mailboxTown: 'headingley' });
  });

  it('asks again when the two towns differ', async () => {
    const { at, snapshot } = await run('contactId', [...VERIFIED_CARE, town('Headingley'), townAgain('Bradford')]);
    expect(at).toBe('town.town');
    expect(snapshot.context.problem).toBe('townMismatch');
  });

  it('"Stockton-on-Tees" and "stockton on tees" are the same town, written as the directory writes it', async () => {
    const stockton = [postcode('LS1 4AP'), pick('VSTK1'), location, contactId, town('stockton on tees'), townAgain('Stockton-on-Tees')];
    const { at, snapshot } = await run('contactId', stockton);
    expect(at).toBe('town.townAbbreviation');
    expect(snapshot.context.town).toBe('Stockton-on-Tees');
    // A town the directory does not give is kept as typed.
    const other = await run('contactId', [...VERIFIED_CARE, town('headingley'), townAgain('Headingley')]);
    expect(other.snapshot.context.town).toBe('headingley');
  });

  it("a town of more than 10 letters is abbreviated: the proposal or the user's own", async () => {
    const long = [...VERIFIED_CARE, town('Stockton-on-Tees'), townAgain('stockton-on-tees')];
    expect((await run('contactId', long)).at).toBe('town.townAbbreviation');
    const own = await run('contactId', [...long, a('townAbbreviation', 'stockton')]);
    expect(own.snapshot.context.mailboxTown).toBe('stockton');
    const tooLong = await run('contactId', [...long, a('townAbbreviation', 'stocktonontees')]);
    expect(tooLong.at).toBe('town.townAbbreviation');
    expect((await run('contactId', [...long, { type: 'BACK' }])).at).toBe('town.town');
  });

  it('goes back from the confirmation and from the address to the town; not from the town into verification', async () => {
    expect((await run('contactId', [...VERIFIED_CARE, town('Headingley'), { type: 'BACK' }])).at).toBe('town.town');
    expect((await run('contactId', [...VERIFIED_CARE, town('Leeds'), { type: 'BACK' }])).at).toBe('town.town');
    expect((await run('contactId', [...VERIFIED_CARE, { type: 'BACK' }])).at).toBe('town.town');
  });
});

describe('members (SPEC §1.4)', () => {
  it('the first member is the shared mailbox owner: in the shared mailbox and its admin; each gets a stable id', async () => {
    const { at, snapshot } = await run('contactId', [...VERIFIED_CARE, ...TO_MEMBERS, ...OWNER]);
    expect(at).toBe('members.list');
    expect(snapshot.context.members).toEqual([
      {
        id: 'm1',
        title: 'Mrs',
        firstName: 'Jane',
        lastName: 'Owner',
        email: 'jane@example.co.uk',
        mobile: '+447400123400',
        role: 'Registered Manager',
        owner: true,
        sharedMailboxAccess: true,
        mailboxAdmin: true,
      },
    ]);
    expect(snapshot.context.listVersion).toBe(1);
  });

  it('the member entry is a child machine given the member so far, the kind and the others', async () => {
    const { at, member: entry } = await run('dentalContactId', [...VERIFIED_DENTAL, ...TO_MEMBERS, ...OWNER, { type: 'ADD_MEMBER' }, a('memberTitle', 'Dr')]);
    expect(at).toBe('members.entering/firstName');
    expect(entry).toMatchObject({ kind: 'dental', fixedOwner: false, member: { title: 'Dr' } });
    expect(names(entry!.others)).toEqual(['Jane']);
  });

  it('further members are asked about ownership, shared mailbox access and admin', async () => {
    const { snapshot } = await run('contactId', [
      ...VERIFIED_CARE,
      ...TO_MEMBERS,
      ...OWNER,
      ...member(2),
      ...member(3, [a('memberOwner', false), a('memberMailboxAccess', false)]),
      ...member(4, [a('memberOwner', true)]),
    ]);
    const [, second, third, fourth] = snapshot.context.members;
    expect(second).toMatchObject({ id: 'm2', owner: false, sharedMailboxAccess: true, mailboxAdmin: false });
    expect(third).toMatchObject({ id: 'm3', owner: false, sharedMailboxAccess: false, mailboxAdmin: false });
    expect(third!.title).toBeUndefined();
    expect(fourth).toMatchObject({ id: 'm4', owner: true, sharedMailboxAccess: true, mailboxAdmin: true });
  });

  it('a whole name typed as the first name is offered as first and last name', async () => {
    const start = [...VERIFIED_CARE, ...TO_MEMBERS, a('memberTitle', null), a('memberFullName', { firstName: 'Jane', lastName: 'Smith' })];
    const offered = await run('contactId', start);
    expect(offered.at).toBe('members.entering/splitName');
    const yes = await run('contactId', [...start, a('splitName', true)]);
    expect(yes.at).toBe('members.entering/email');
    expect(yes.member?.member).toMatchObject({ firstName: 'Jane', lastName: 'Smith' });
    const no = await run('contactId', [...start, a('splitName', false)]);
    expect(no.at).toBe('members.entering/lastName');
    expect(no.member?.member.firstName).toBe('Jane Smith');
    expect((await run('contactId', [...start, { type: 'BACK' }])).at).toBe('members.entering/firstName');
    expect((await run('contactId', [...start, { type: 'LIST_MEMBERS' }])).at).toBe('town.mailboxAddress');
  });

  it('several details in one message are all taken, and the next question is the first not answered', async () => {
    const start = [...VERIFIED_CARE, ...TO_MEMBERS];
    const named = await run('contactId', [...start, a('memberDetails', { title: 'Mrs', firstName: 'Sarah', lastName: 'Jones' })]);
    expect(named.at).toBe('members.entering/email');
    expect(named.member?.member).toMatchObject({ title: 'Mrs', firstName: 'Sarah', lastName: 'Jones' });
    expect(named.member?.took).toEqual(['title', 'firstName', 'lastName']);
    const all = await run('contactId', [...start, a('memberTitle', 'Mrs'), a('memberDetails', { firstName: 'Sarah', lastName: 'Jones', email: 'sarah@x.co.uk', mobile: '+447400123456' })]);
    expect(all.at).toBe('members.entering/role');
    expect(all.member?.member).toMatchObject({ firstName: 'Sarah', lastName: 'Jones', email: 'sarah@x.co.uk', mobile: '+447400123456' });
    // A name and a mobile, no email: the email is asked next, once the mobile is checked.
    const noEmail = await run('contactId', [...start, a('memberTitle', null), a('memberDetails', { firstName: 'Sam', lastName: 'Lee', mobile: '+447400654321' })]);
    expect(noEmail.at).toBe('members.entering/email');
    expect(noEmail.member?.member.mobile).toBe('+447400654321');
    // One already on NHSmail is asked for again.
    const onNhsmail = await run('contactId', [...start, a('memberTitle', null), a('memberDetails', { firstName: 'Sam', lastName: 'Lee', email: 'sam@x.co.uk', mobile: '+447400999999' })], { mobilesOnNhsmail: ['+447400999999'] });
    expect(onNhsmail.at).toBe('members.entering/mobile');
    expect(onNhsmail.member?.problem).toBe('mobileAlreadyOnNhsmail');
    // Another member's email or mobile is refused, the rest kept.
    const second = [...start, ...OWNER, { type: 'ADD_MEMBER' } as RegistrationEvent, a('memberTitle', null), a('memberFirstName', 'Sam'), a('memberLastName', 'Lee')];
    const taken = await run('contactId', [...second, a('memberDetails', { email: 'jane@example.co.uk', mobile: '+447400654321' })]);
    expect(taken.at).toBe('members.entering/email');
    expect(taken.member?.problem).toBe('duplicateEmail');
    expect(taken.member?.member.mobile).toBe('+447400654321');
    const takenMobile = await run('contactId', [...second, a('memberEmail', 'sam@x.co.uk'), a('memberDetails', { email: 'sam@y.co.uk', mobile: '+447400123400' })]);
    expect(takenMobile.at).toBe('members.entering/mobile');
    expect(takenMobile.member?.problem).toBe('duplicateMobile');
    expect(takenMobile.member?.member.email).toBe('sam@y.co.uk');
    // At the last name and the mobile too.
    const atLast = await run('contactId', [...second.slice(0, -1), a('memberDetails', { lastName: 'Lee', email: 'sam@x.co.uk' })]);
    expect(atLast.at).toBe('members.entering/mobile');
    const atMobile = await run('contactId', [...second, a('memberEmail', 'sam@x.co.uk'), a('memberDetails', { email: 'sam@z.co.uk', mobile: '+447400654321' })]);
    expect(atMobile.at).toBe('members.entering/role');
    expect(atMobile.member?.member.email).toBe('sam@z.co.uk');
    // Changing one field reads one answer only.
    const one = await run('contactId', [...second, a('memberEmail', 'sam@x.co.uk'), a('memberMobile', '+447400654321'), a('memberRole', 'Nurse'), a('memberOwner', false), a('memberMailboxAccess', false), edit(1, 'email'), a('memberDetails', { email: 'sam@z.co.uk', mobile: '+447400654329' })]);
    expect(one.at).toBe('members.entering/email');
  });

  it('a whole name typed when changing only the first name: yes sets both names, no keeps it as the first name', async () => {
    const base = [...VERIFIED_CARE, ...TO_MEMBERS, ...OWNER, ...member(2), edit(1, 'firstName'), a('memberFullName', { firstName: 'Mary', lastName: 'Ann' })];
    const yes = await run('contactId', [...base, a('splitName', true)]);
    expect(yes.at).toBe('members.list');
    expect(yes.snapshot.context.members[1]).toMatchObject({ firstName: 'Mary', lastName: 'Ann' });
    const no = await run('contactId', [...base, a('splitName', false)]);
    expect(no.snapshot.context.members[1]).toMatchObject({ firstName: 'Mary Ann', lastName: 'Smith' });
  });

  it('"done" is refused below 2 members, with the reason', async () => {
    const { at, snapshot } = await run('contactId', [...VERIFIED_CARE, ...TO_MEMBERS, ...OWNER, { type: 'MEMBERS_DONE' }]);
    expect(at).toBe('members.list');
    expect(snapshot.context.problem).toBe('tooFewMembers');
  });

  it('takes at most 10 members in all', async () => {
    const nine = Array.from({ length: 9 }, (_, i) => member(i + 2)).flat();
    const { at, snapshot } = await run('contactId', [...VERIFIED_CARE, ...TO_MEMBERS, ...OWNER, ...nine, { type: 'ADD_MEMBER' }]);
    expect(snapshot.context.members).toHaveLength(10);
    expect(at).toBe('members.list');
    expect(snapshot.context.problem).toBe('membersFull');
  });

  it('email addresses and mobiles must be unique within the registration', async () => {
    const start = [...VERIFIED_CARE, ...TO_MEMBERS, ...OWNER, { type: 'ADD_MEMBER' } as RegistrationEvent, a('memberTitle', null), a('memberFirstName', 'Sam'), a('memberLastName', 'Lee')];
    const email = await run('contactId', [...start, a('memberEmail', 'JANE@example.co.uk')]);
    expect(email.at).toBe('members.entering/email');
    expect(email.member?.problem).toBe('duplicateEmail');
    const mobile = await run('contactId', [...start, a('memberEmail', 'sam@example.co.uk'), a('memberMobile', '+447400123400')]);
    expect(mobile.at).toBe('members.entering/mobile');
    expect(mobile.member?.problem).toBe('duplicateMobile');
  });

  it('a mobile already on an NHSmail account is refused', async () => {
    const { at, member: entry } = await run('contactId', [...VERIFIED_CARE, ...TO_MEMBERS, ...OWNER.slice(0, 4), a('memberMobile', '+447400999999')], {
      mobilesOnNhsmail: ['+447400999999'],
    });
    expect(at).toBe('members.entering/mobile');
    expect(entry?.problem).toBe('mobileAlreadyOnNhsmail');
    const failing = await run('contactId', [...VERIFIED_CARE, ...TO_MEMBERS, ...OWNER.slice(0, 4), a('memberMobile', '+447400111111')], { failMobileCheck: true });
    expect(failing.member?.problem).toBe('serviceUnavailable');
  });

  it('a dental practice may name at most two owners', async () => {
    const { at } = await run('dentalContactId', [...VERIFIED_DENTAL, ...TO_MEMBERS, ...OWNER, ...member(2, [a('memberOwner', true)]), ...member(3, [])]);
    // With two owners already, the third member is not asked about ownership at all.
    expect(at).toBe('members.entering/mailboxAccess');
    const editing = await run('dentalContactId', [
      ...VERIFIED_DENTAL,
      ...TO_MEMBERS,
      ...OWNER,
      ...member(2, [a('memberOwner', true)]),
      ...member(3, [a('memberMailboxAccess', false)]),
      edit(2, 'owner'),
      a('memberOwner', true),
    ]);
    expect(editing.at).toBe('members.entering/owner');
    expect(editing.member?.problem).toBe('tooManyOwners');
  });

  it('any field of any member can be changed from the list, keeping their id', async () => {
    const base = [...VERIFIED_CARE, ...TO_MEMBERS, ...OWNER, ...member(2)];
    const changes: [MemberField, RegistrationEvent, Partial<Member>][] = [
      ['title', a('memberTitle', 'Dr'), { title: 'Dr' }],
      ['firstName', a('memberFirstName', 'Alex'), { firstName: 'Alex' }],
      ['lastName', a('memberLastName', 'Jones'), { lastName: 'Jones' }],
      ['email', a('memberEmail', 'alex@example.co.uk'), { email: 'alex@example.co.uk' }],
      ['mobile', a('memberMobile', '+447400555555'), { mobile: '+447400555555' }],
      ['role', a('memberRole', 'Care Assistant'), { role: 'Care Assistant' }],
      ['sharedMailboxAccess', a('memberMailboxAccess', false), { sharedMailboxAccess: false, mailboxAdmin: false }],
      ['mailboxAdmin', a('memberMailboxAdmin', true), { mailboxAdmin: true, sharedMailboxAccess: true }],
      ['owner', a('memberOwner', true), { owner: true, sharedMailboxAccess: true, mailboxAdmin: true }],
    ];
    for (const [field, change, expected] of changes) {
      const editing = await run('contactId', [...base, edit(1, field)]);
      // The member entry starts with the member as it is, so the question can say what it is now.
      expect(editing.member).toMatchObject({ editing: true, field, member: { firstName: 'Person2' } });
      const { at, snapshot } = await run('contactId', [...base, edit(1, field), change]);
      expect(at).toBe('members.list');
      expect(snapshot.context.members[1]).toMatchObject({ id: 'm2', ...expected });
      expect(snapshot.context.members).toHaveLength(2);
    }
    const ownerName = await run('contactId', [...base, edit(0, 'firstName'), a('memberFirstName', 'Janet')]);
    expect(names(ownerName.snapshot.context.members)).toEqual(['Janet', 'Person2']);
    const whole = await run('contactId', [...base, edit(1), a('memberTitle', 'Mr'), a('memberFirstName', 'Sam')]);
    expect(whole.at).toBe('members.entering/lastName');
    expect(whole.member?.member).toMatchObject({ title: 'Mr', firstName: 'Sam', lastName: 'Smith', email: 'person2@example.co.uk' });
  });

  it('going back while changing a field keeps the member as it was', async () => {
    const base = [...VERIFIED_CARE, ...TO_MEMBERS, ...OWNER, ...member(2)];
    for (const field of ['title', 'firstName', 'lastName', 'email', 'mobile', 'role', 'sharedMailboxAccess', 'mailboxAdmin', 'owner'] as MemberField[]) {
      const { at, snapshot } = await run('contactId', [...base, edit(1, field), { type: 'BACK' }]);
      expect(at).toBe('members.list');
      expect(snapshot.context.entry).toBeUndefined();
      expect(names(snapshot.context.members)).toEqual(['Jane', 'Person2']);
    }
  });

  it('the owner stays: not removable, and their owner and mailbox flags cannot be changed', async () => {
    const base = [...VERIFIED_CARE, ...TO_MEMBERS, ...OWNER, ...member(2)];
    const removed = await run('contactId', [...base, remove(byIndex(0))]);
    expect(removed.snapshot.context.problem).toBe('cannotRemoveOwner');
    expect(removed.snapshot.context.members).toHaveLength(2);
    const flag = await run('contactId', [...base, edit(0, 'sharedMailboxAccess')]);
    expect(flag.at).toBe('members.list');
    expect(flag.snapshot.context.problem).toBe('cannotChangeOwnerFlags');
  });

  it('removing asks first, then says who was removed; no keeps them', async () => {
    const base = [...VERIFIED_CARE, ...TO_MEMBERS, ...OWNER, ...member(2), ...member(3)];
    const asked = await run('contactId', [...base, remove(byIndex(1))]);
    expect(asked.at).toBe('members.confirmRemoval');
    expect(asked.snapshot.context.removing).toBe('m2');
    expect(asked.snapshot.context.members).toHaveLength(3);
    const { snapshot } = await run('contactId', [...base, remove(byIndex(1)), yesRemove]);
    expect(names(snapshot.context.members)).toEqual(['Jane', 'Person3']);
    expect(snapshot.context.notice).toEqual({ kind: 'memberRemoved', name: 'Person2 Smith' });
    const kept = await run('contactId', [...base, remove(byIndex(1)), a('removeMember', false)]);
    expect(names(kept.snapshot.context.members)).toEqual(['Jane', 'Person2', 'Person3']);
    expect((await run('contactId', [...base, remove(byIndex(1)), { type: 'BACK' }])).at).toBe('members.list');
    // The same button pressed twice asks once.
    const twice = await run('contactId', [...base, remove(byIndex(1)), remove(byIndex(1))]);
    expect(twice.at).toBe('members.confirmRemoval');
    expect((await run('contactId', [...base, remove(byIndex(7))])).snapshot.context.problem).toBe('noSuchMember');
    expect((await run('contactId', [...base, edit(9, 'email')])).snapshot.context.problem).toBe('noSuchMember');
  });

  it('a card names a member by id and the list it showed: a button of an older list acts on no one', async () => {
    const base = [...VERIFIED_CARE, ...TO_MEMBERS, ...OWNER, ...member(2), ...member(3)];
    const shown = await run('contactId', base);
    const ben = idOf(shown, 1);
    const cara = idOf(shown, 2);
    // "Remove 2" (Ben) is confirmed; the older card's "Remove" for Cara now refers to an older list.
    const afterBen = await run('contactId', [...base, remove(ben), yesRemove]);
    expect(names(afterBen.snapshot.context.members)).toEqual(['Jane', 'Person3']);
    const stale = await run('contactId', [...base, remove(ben), yesRemove, remove(ben)]);
    expect(stale.snapshot.context.problem).toBe('staleList');
    expect(names(stale.snapshot.context.members)).toEqual(['Jane', 'Person3']);
    const staleCara = await run('contactId', [...base, remove(ben), yesRemove, remove(cara)]);
    expect(staleCara.snapshot.context.problem).toBe('staleList');
    expect(staleCara.at).toBe('members.list');
    const staleEdit = await run('contactId', [...base, remove(ben), yesRemove, { type: 'EDIT_MEMBER', member: cara }]);
    expect(staleEdit.snapshot.context.problem).toBe('staleList');
    // With the current list, the id is what counts, not the position.
    const current = { id: 'm3', listVersion: afterBen.snapshot.context.listVersion };
    const removedCara = await run('contactId', [...base, remove(ben), yesRemove, remove(current), yesRemove]);
    expect(names(removedCara.snapshot.context.members)).toEqual(['Jane']);
    const unknown = await run('contactId', [...base, remove({ id: 'm9', listVersion: shown.snapshot.context.listVersion })]);
    expect(unknown.snapshot.context.problem).toBe('noSuchMember');
  });

  it('"list" works from every member question and drops the half-entered one', async () => {
    const steps = [...VERIFIED_CARE, ...TO_MEMBERS, ...OWNER, ...member(2).slice(0, -3), a('memberOwner', false), a('memberMailboxAccess', true)];
    const firstQuestion = steps.length - 8;
    for (let at = firstQuestion; at <= steps.length; at++) {
      const result = await run('contactId', [...steps.slice(0, at), { type: 'LIST_MEMBERS' }]);
      expect(result.at).toBe('members.list');
      expect(names(result.snapshot.context.members)).toEqual(['Jane']);
    }
    const listed = await run('contactId', [...VERIFIED_CARE, ...TO_MEMBERS, ...OWNER, { type: 'LIST_MEMBERS' }, { type: 'BACK' }]);
    expect(listed.at).toBe('town.mailboxAddress');
  });

  it("goes back through a member's questions one at a time", async () => {
    const start = [...VERIFIED_CARE, ...TO_MEMBERS, ...OWNER, ...member(2).slice(0, -3)];
    const expectations: [RegistrationEvent[], string][] = [
      [[{ type: 'BACK' }], 'members.entering/role'],
      [[a('memberOwner', false), { type: 'BACK' }], 'members.entering/owner'],
      [[a('memberOwner', false), a('memberMailboxAccess', true), { type: 'BACK' }], 'members.entering/mailboxAccess'],
      [[a('memberOwner', false), a('memberMailboxAccess', true), { type: 'BACK' }, { type: 'BACK' }], 'members.entering/owner'],
    ];
    for (const [events, state] of expectations) {
      expect((await run('contactId', [...start, ...events])).at).toBe(state);
    }
    const dental = await run('dentalContactId', [...VERIFIED_DENTAL, ...TO_MEMBERS, ...OWNER, ...member(2, [a('memberOwner', true)]), ...member(3, []), { type: 'BACK' }]);
    expect(dental.at).toBe('members.entering/role');
    const early = [...VERIFIED_CARE, ...TO_MEMBERS, ...OWNER.slice(0, 5)];
    expect((await run('contactId', [...early, { type: 'BACK' }])).at).toBe('members.entering/mobile');
    expect((await run('contactId', [...early.slice(0, -1), { type: 'BACK' }])).at).toBe('members.entering/email');
    expect((await run('contactId', [...early.slice(0, -2), { type: 'BACK' }])).at).toBe('members.entering/lastName');
    expect((await run('contactId', [...early.slice(0, -3), { type: 'BACK' }])).at).toBe('members.entering/firstName');
    expect((await run('contactId', [...early.slice(0, -4), { type: 'BACK' }])).at).toBe('members.entering/title');
    expect((await run('contactId', [...early.slice(0, -5), { type: 'BACK' }])).at).toBe('town.mailboxAddress');
    expect((await run('contactId', [...VERIFIED_CARE, ...TO_MEMBERS, ...OWNER, { type: 'ADD_MEMBER' }, { type: 'BACK' }])).at).toBe('members.list');
    expect((await run('contactId', [...VERIFIED_CARE, ...TO_MEMBERS, ...OWNER, { type: 'BACK' }])).at).toBe('town.mailboxAddress');
    expect((await run('contactId', [...VERIFIED_CARE, ...TO_MEMBERS, ...OWNER, { type: 'BACK' }, CONTINUE])).at).toBe('members.list');
  });
});

describe('a whole member at once (the form on Teams and the web chat page)', () => {
  const whole = (n: number, overrides: Partial<Member> = {}): RegistrationEvent => ({
    type: 'SAVE_MEMBER',
    member: {
      firstName: `Form${n}`,
      lastName: 'Filled',
      email: `form${n}@example.co.uk`,
      mobile: `+4474005000${String(n).padStart(2, '0')}`,
      role: 'Nurse',
      owner: false,
      sharedMailboxAccess: true,
      mailboxAdmin: false,
      ...overrides,
    },
  });
  const BASE = [...VERIFIED_CARE, ...TO_MEMBERS];

  it('the first is saved as the shared mailbox owner whatever its flags say', async () => {
    const { at, snapshot } = await run('contactId', [...BASE, whole(1, { sharedMailboxAccess: false })]);
    expect(at).toBe('members.list');
    expect(snapshot.context.members[0]).toMatchObject({ firstName: 'Form1', owner: true, sharedMailboxAccess: true, mailboxAdmin: true });
  });

  it('can be saved from any member question, replacing what was half typed', async () => {
    const typed = [
      a('memberTitle', 'Dr'),
      a('memberFirstName', 'Half'),
      a('memberLastName', 'Typed'),
      a('memberEmail', 'half@example.co.uk'),
      a('memberMobile', '+447400777777'),
      a('memberRole', 'Nurse'),
      a('memberOwner', false),
      a('memberMailboxAccess', true),
    ];
    for (let at = 0; at <= typed.length; at++) {
      const result = await run('contactId', [...BASE, ...OWNER, { type: 'ADD_MEMBER' }, ...typed.slice(0, at), whole(2)]);
      expect(result.at).toBe('members.list');
      expect(names(result.snapshot.context.members)).toEqual(['Jane', 'Form2']);
    }
  });

  it('refuses a duplicate or a third dental owner from any member question, keeping what was sent', async () => {
    const typed = [a('memberTitle', 'Dr'), a('memberFirstName', 'Half'), a('memberLastName', 'Typed'), a('memberEmail', 'half@example.co.uk'), a('memberMobile', '+447400777777'), a('memberRole', 'Nurse'), a('memberMailboxAccess', true)];
    const dentalBase = [...VERIFIED_DENTAL, ...TO_MEMBERS, ...OWNER, ...member(2, [a('memberOwner', true)]), { type: 'ADD_MEMBER' } as RegistrationEvent];
    for (let at = 0; at <= typed.length; at++) {
      const prefix = [...dentalBase, ...typed.slice(0, at)];
      const refusals: [RegistrationEvent, string][] = [
        [whole(3, { email: 'jane@example.co.uk' }), 'duplicateEmail'],
        [whole(3, { mobile: '+447400123400' }), 'duplicateMobile'],
        [whole(3, { owner: true }), 'tooManyOwners'],
      ];
      for (const [event, problem] of refusals) {
        const result = await run('dentalContactId', [...prefix, event]);
        expect(result.member?.problem).toBe(problem);
        expect(result.member?.submitted?.firstName).toBe('Form3');
        expect(result.snapshot.context.members).toHaveLength(2);
      }
    }
  });

  it('refuses the same from the owner question', async () => {
    const atOwner = [...VERIFIED_DENTAL, ...TO_MEMBERS, ...OWNER, ...member(2, [a('memberOwner', true)]), ...member(3, [a('memberMailboxAccess', false)]), edit(2, 'owner')];
    expect((await run('dentalContactId', atOwner)).at).toBe('members.entering/owner');
    expect((await run('dentalContactId', [...atOwner, whole(3, { owner: true })])).member?.problem).toBe('tooManyOwners');
    expect((await run('dentalContactId', [...atOwner, whole(3, { email: 'jane@example.co.uk' })])).member?.problem).toBe('duplicateEmail');
    expect((await run('dentalContactId', [...atOwner, whole(3, { mobile: '+447400123400' })])).member?.problem).toBe('duplicateMobile');
  });

  it('editing by form replaces that member and keeps the others', async () => {
    const { snapshot } = await run('contactId', [...BASE, ...OWNER, ...member(2), edit(1), whole(9, { email: 'new@example.co.uk' })]);
    expect(names(snapshot.context.members)).toEqual(['Jane', 'Form9']);
    expect(snapshot.context.members[1]).toMatchObject({ id: 'm2', email: 'new@example.co.uk' });
  });

  it('refuses a mobile already on NHSmail, or says the check failed, back at the form', async () => {
    const onNhsmail = await run('contactId', [...BASE, whole(1, { mobile: '+447400999999' })], { mobilesOnNhsmail: ['+447400999999'] });
    expect(onNhsmail.at).toBe('members.entering/title');
    expect(onNhsmail.member?.problem).toBe('mobileAlreadyOnNhsmail');
    const down = await run('contactId', [...BASE, whole(1)], { failMobileCheck: true });
    expect(down.member?.problem).toBe('serviceUnavailable');
  });
});

describe('review, confirm and finish (SPEC §1.5)', () => {
  const READY = [...VERIFIED_CARE, ...TO_MEMBERS, ...OWNER, ...member(2), { type: 'MEMBERS_DONE' } as RegistrationEvent];

  it('a change asked for at the review (a member, the town) comes back to the review once made', async () => {
    const changed = await run('contactId', [...READY, edit(1, 'email'), a('memberEmail', 'p2@example.co.uk')]);
    expect(changed.at).toBe('review.summary');
    expect(changed.snapshot.context.members[1]!.email).toBe('p2@example.co.uk');
    expect(changed.snapshot.context.reviewing).toBeUndefined();
    const left = await run('contactId', [...READY, edit(1, 'email'), { type: 'BACK' }]);
    expect(left.at).toBe('review.summary');
    const town = await run('contactId', [...READY, { type: 'CHANGE_TOWN' }, town_('Headingley'), townAgain('Headingley'), CONTINUE]);
    expect(town.at).toBe('review.summary');
    expect(town.snapshot.context).toMatchObject({ town: 'Headingley', mailboxTown: 'headingley' });
    // Refused there as on the list: an older card, the owner's flags, no such member.
    const stale = await run('contactId', [...READY, { type: 'EDIT_MEMBER', member: { id: 'm2', listVersion: 0 } }]);
    expect([stale.at, stale.snapshot.context.problem]).toEqual(['review.summary', 'staleList']);
    const owner = await run('contactId', [...READY, edit(0, 'owner')]);
    expect([owner.at, owner.snapshot.context.problem]).toEqual(['review.summary', 'cannotChangeOwnerFlags']);
    const none = await run('contactId', [...READY, edit(7, 'email')]);
    expect([none.at, none.snapshot.context.problem]).toEqual(['review.summary', 'noSuchMember']);
  });

  it('submits once per attempt with everything gathered, and shows the reference', async () => {
    const { at, snapshot, calls } = await run('contactId', [...READY, { type: 'CONFIRM' }, { type: 'CONFIRM' }]);
    expect(at).toBe('review.submitted');
    expect(snapshot.context.submitted).toEqual({ reference: 'REG-TESTTEST', submittedAt: 0 });
    expect(calls.submit).toHaveLength(1);
    expect(calls.submit[0]).toMatchObject({
      attemptId: 'attempt-1',
      organisation: { kind: 'care', odsCode: 'VAAA1', cqcLocationId: '1-1000000001' },
      town: 'Leeds',
      mailboxTown: 'leeds',
      verifiedBy: 'cqc-contact-id',
      requester: { channelId: 'msteams', conversationKey: 'conversation-1', conversationReference: { conversation: { id: 'c1' } }, email: 'jane@example.co.uk' },
    });
    // Members go to NAS without the ids the list uses.
    expect(calls.submit[0]!.members[0]).not.toHaveProperty('id');
    expect(names(calls.submit[0]!.members)).toEqual(['Jane', 'Person2']);
  });

  it("another person's registration being processed: told so, this one kept under its own reference", async () => {
    const existing = { reference: 'REG-FIRSTONE', status: 'received', createdAt: 5, channel: 'webchat' };
    const { at, snapshot } = await run('contactId', [...READY, { type: 'CONFIRM' }], {
      submissions: [{ outcome: 'alreadyBeingProcessed', existing, kept: { reference: 'REG-KEPTKEPT' } }],
    });
    expect(at).toBe('review.alreadyBeingProcessed');
    expect(snapshot.context.alreadyBeingProcessed).toEqual({ existing, kept: { reference: 'REG-KEPTKEPT' } });
    expect(snapshot.context.submitted).toBeUndefined();
  });

  it('a submission that fails goes back to the review, nothing lost', async () => {
    const { at, snapshot } = await run('contactId', [...READY, { type: 'CONFIRM' }], { failSubmit: true });
    expect(at).toBe('review.summary');
    expect(snapshot.context.problem).toBe('submitFailed');
    expect(snapshot.context.members).toHaveLength(2);
  });

  it('goes back from the review to the members', async () => {
    expect((await run('contactId', [...READY, { type: 'BACK' }])).at).toBe('members.list');
  });

  it('every state and transition of town, members and review, and of the member entry, is taken by these tests', () => {
    const ours = (id: string) => /^registration\.(town|members|review)\b/.test(id);
    const report = coverage.report();
    expect(report.states.missing.filter(ours)).toEqual([]);
    expect(report.transitions.missing.filter(ours)).toEqual([]);
    const entry = memberCoverage.report();
    expect(entry.states.missing).toEqual([]);
    expect(entry.transitions.missing).toEqual([]);
  });
});
