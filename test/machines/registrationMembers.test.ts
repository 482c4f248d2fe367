import { Answer, Member, MemberField, RegistrationEvent } from '../../machines/registration';
import { answer, contactId, coverage, location, pick, postcode, run } from '../helpers/registrationDriver';

/** From the summary to verified, for a care provider (VAAA1) or a dental practice (VDEN1). */
const VERIFIED_CARE = [postcode('LS1 4AP'), pick('VAAA1'), location, contactId];
const VERIFIED_DENTAL = [postcode('LS1 4AP'), pick('VDEN1'), location, contactId];
const town = (name: string, letters = name.toLowerCase().replace(/[^a-z]/g, '')) => answer({ question: 'town', value: { name, letters } });
const townAgain = (name: string, letters = name.toLowerCase().replace(/[^a-z]/g, '')) =>
  answer({ question: 'townConfirm', value: { name, letters } });
const CONTINUE: RegistrationEvent = { type: 'CONTINUE' };
const TO_MEMBERS = [town('Leeds'), townAgain('leeds'), CONTINUE];

const a = (question: Answer['question'], value: unknown) => answer({ question, value } as Answer);
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
const names = (members: Member[] | undefined) => (members ?? []).map((m) => m.firstName);
const edit = (index: number, field: MemberField): RegistrationEvent => ({ type: 'EDIT_MEMBER', index, field });

afterAll(() => console.log(`coverage of town, members and review: ${coverage.report().text}`));

describe('town (SPEC §1.4)', () => {
  it('takes the town, then the same town again, and shows the shared mailbox address', async () => {
    const { snapshot } = await run('contactId', [...VERIFIED_CARE, town('Leeds'), townAgain('LEEDS')]);
    expect(snapshot.value).toBe('mailboxAddress');
    expect(snapshot.context).toMatchObject({ town: 'Leeds', mailboxTown: 'leeds' });
  });

  it('asks again when the two towns differ', async () => {
    const { snapshot } = await run('contactId', [...VERIFIED_CARE, town('Leeds'), townAgain('Bradford')]);
    expect(snapshot.value).toBe('town');
    expect(snapshot.context.problem).toBe('townMismatch');
  });

  it('a town of more than 10 letters is abbreviated: the proposal or the user\'s own', async () => {
    const long = [...VERIFIED_CARE, town('Stockton-on-Tees'), townAgain('stockton-on-tees')];
    expect((await run('contactId', long)).snapshot.value).toBe('townAbbreviation');
    const own = await run('contactId', [...long, a('townAbbreviation', 'stockton')]);
    expect(own.snapshot.context.mailboxTown).toBe('stockton');
    const tooLong = await run('contactId', [...long, a('townAbbreviation', 'stocktonontees')]);
    expect(tooLong.snapshot.value).toBe('townAbbreviation');
    expect((await run('contactId', [...long, { type: 'BACK' }])).snapshot.value).toBe('town');
  });

  it('goes back from the confirmation and from the address to the town', async () => {
    expect((await run('contactId', [...VERIFIED_CARE, town('Leeds'), { type: 'BACK' }])).snapshot.value).toBe('town');
    expect((await run('contactId', [...VERIFIED_CARE, town('Leeds'), townAgain('Leeds'), { type: 'BACK' }])).snapshot.value).toBe('town');
  });
});

describe('members (SPEC §1.4)', () => {
  it('the first member is the shared mailbox owner: in the shared mailbox and its admin', async () => {
    const { snapshot } = await run('contactId', [...VERIFIED_CARE, ...TO_MEMBERS, ...OWNER]);
    expect(snapshot.value).toBe('membersList');
    expect(snapshot.context.members).toEqual([
      {
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
  });

  it('further members are asked about ownership, shared mailbox access and admin', async () => {
    const { snapshot } = await run('contactId', [...VERIFIED_CARE, ...TO_MEMBERS, ...OWNER, ...member(2), ...member(3, [a('memberOwner', false), a('memberMailboxAccess', false)]), ...member(4, [a('memberOwner', true)])]);
    const [, second, third, fourth] = snapshot.context.members!;
    expect(second).toMatchObject({ owner: false, sharedMailboxAccess: true, mailboxAdmin: false });
    expect(third).toMatchObject({ owner: false, sharedMailboxAccess: false, mailboxAdmin: false });
    expect(third!.title).toBeUndefined();
    expect(fourth).toMatchObject({ owner: true, sharedMailboxAccess: true, mailboxAdmin: true });
  });

  it('"done" is refused below 2 members, with the reason', async () => {
    const { snapshot } = await run('contactId', [...VERIFIED_CARE, ...TO_MEMBERS, ...OWNER, { type: 'MEMBERS_DONE' }]);
    expect(snapshot.value).toBe('membersList');
    expect(snapshot.context.problem).toBe('tooFewMembers');
  });

  it('takes at most 10 members in all', async () => {
    const nine = Array.from({ length: 9 }, (_, i) => member(i + 2)).flat();
    const { snapshot } = await run('contactId', [...VERIFIED_CARE, ...TO_MEMBERS, ...OWNER, ...nine, { type: 'ADD_MEMBER' }]);
    expect(snapshot.context.members).toHaveLength(10);
    expect(snapshot.value).toBe('membersList');
    expect(snapshot.context.problem).toBe('membersFull');
  });

  it('email addresses and mobiles must be unique within the registration', async () => {
    const start = [...VERIFIED_CARE, ...TO_MEMBERS, ...OWNER, { type: 'ADD_MEMBER' } as RegistrationEvent, a('memberTitle', null), a('memberFirstName', 'Sam'), a('memberLastName', 'Lee')];
    const email = await run('contactId', [...start, a('memberEmail', 'JANE@example.co.uk')]);
    expect(email.snapshot.value).toBe('memberEmail');
    expect(email.snapshot.context.problem).toBe('duplicateEmail');
    const mobile = await run('contactId', [...start, a('memberEmail', 'sam@example.co.uk'), a('memberMobile', '+447400123400')]);
    expect(mobile.snapshot.value).toBe('memberMobile');
    expect(mobile.snapshot.context.problem).toBe('duplicateMobile');
  });

  it('a mobile already on an NHSmail account is refused', async () => {
    const { snapshot } = await run('contactId', [...VERIFIED_CARE, ...TO_MEMBERS, ...OWNER.slice(0, 4), a('memberMobile', '+447400999999')], { mobilesOnNhsmail: ['+447400999999'] });
    expect(snapshot.value).toBe('memberMobile');
    expect(snapshot.context.problem).toBe('mobileAlreadyOnNhsmail');
    const failing = await run('contactId', [...VERIFIED_CARE, ...TO_MEMBERS, ...OWNER.slice(0, 4), a('memberMobile', '+447400111111')], { failMobileCheck: true });
    expect(failing.snapshot.context.problem).toBe('serviceUnavailable');
  });

  it('a dental practice may name at most two owners', async () => {
    const { snapshot } = await run('dentalContactId', [...VERIFIED_DENTAL, ...TO_MEMBERS, ...OWNER, ...member(2, [a('memberOwner', true)]), ...member(3, [])]);
    // With two owners already, the third member is not asked about ownership at all.
    expect(snapshot.value).toBe('memberMailboxAccess');
    const editing = await run('dentalContactId', [...VERIFIED_DENTAL, ...TO_MEMBERS, ...OWNER, ...member(2, [a('memberOwner', true)]), ...member(3, [a('memberMailboxAccess', false)]), edit(2, 'owner'), a('memberOwner', true)]);
    expect(editing.snapshot.value).toBe('memberOwner');
    expect(editing.snapshot.context.problem).toBe('tooManyOwners');
  });

  it('any field of any member can be changed from the list', async () => {
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
      const { snapshot } = await run('contactId', [...base, edit(1, field), change]);
      expect(snapshot.value).toBe('membersList');
      expect(snapshot.context.members![1]).toMatchObject(expected);
      expect(snapshot.context.members).toHaveLength(2);
    }
    const ownerName = await run('contactId', [...base, edit(0, 'firstName'), a('memberFirstName', 'Janet')]);
    expect(names(ownerName.snapshot.context.members)).toEqual(['Janet', 'Person2']);
  });

  it('going back while changing a field keeps the member as it was', async () => {
    const base = [...VERIFIED_CARE, ...TO_MEMBERS, ...OWNER, ...member(2)];
    for (const field of ['title', 'firstName', 'lastName', 'email', 'mobile', 'role', 'sharedMailboxAccess', 'mailboxAdmin', 'owner'] as MemberField[]) {
      const { snapshot } = await run('contactId', [...base, edit(1, field), { type: 'BACK' }]);
      expect(snapshot.value).toBe('membersList');
      expect(snapshot.context.editing).toBeUndefined();
      expect(names(snapshot.context.members)).toEqual(['Jane', 'Person2']);
    }
  });

  it('the owner stays: not removable, and their owner and mailbox flags cannot be changed', async () => {
    const base = [...VERIFIED_CARE, ...TO_MEMBERS, ...OWNER, ...member(2)];
    const removed = await run('contactId', [...base, { type: 'REMOVE_MEMBER', index: 0 }]);
    expect(removed.snapshot.context.problem).toBe('cannotRemoveOwner');
    expect(removed.snapshot.context.members).toHaveLength(2);
    const flag = await run('contactId', [...base, edit(0, 'sharedMailboxAccess')]);
    expect(flag.snapshot.value).toBe('membersList');
    expect(flag.snapshot.context.problem).toBe('cannotRemoveOwner');
  });

  it('any other member can be removed; a member number that does not exist is explained', async () => {
    const base = [...VERIFIED_CARE, ...TO_MEMBERS, ...OWNER, ...member(2), ...member(3)];
    const { snapshot } = await run('contactId', [...base, { type: 'REMOVE_MEMBER', index: 1 }]);
    expect(names(snapshot.context.members)).toEqual(['Jane', 'Person3']);
    expect((await run('contactId', [...base, { type: 'REMOVE_MEMBER', index: 7 }])).snapshot.context.problem).toBe('noSuchMember');
    expect((await run('contactId', [...base, edit(9, 'email')])).snapshot.context.problem).toBe('noSuchMember');
  });

  it('"list" works from every member question', async () => {
    const steps = [...VERIFIED_CARE, ...TO_MEMBERS, ...OWNER, ...member(2).slice(0, -3), a('memberOwner', false), a('memberMailboxAccess', true)];
    // Positions: after ADD_MEMBER (title) … at the admin question.
    const firstQuestion = steps.length - 8;
    for (let at = firstQuestion; at <= steps.length; at++) {
      const { snapshot } = await run('contactId', [...steps.slice(0, at), { type: 'LIST_MEMBERS' }]);
      expect(snapshot.value).toBe('membersList');
      expect(names(snapshot.context.members)).toEqual(['Jane']);
    }
    const listed = await run('contactId', [...VERIFIED_CARE, ...TO_MEMBERS, ...OWNER, { type: 'LIST_MEMBERS' }, { type: 'BACK' }]);
    expect(listed.snapshot.value).toBe('mailboxAddress');
  });

  it('"list" during entry shows the members and drops the half-entered one', async () => {
    const { snapshot } = await run('contactId', [...VERIFIED_CARE, ...TO_MEMBERS, ...OWNER, { type: 'ADD_MEMBER' }, a('memberTitle', null), a('memberFirstName', 'Half'), { type: 'LIST_MEMBERS' }]);
    expect(snapshot.value).toBe('membersList');
    expect(snapshot.context.draft).toBeUndefined();
    expect(names(snapshot.context.members)).toEqual(['Jane']);
  });

  it('goes back through a member\'s questions one at a time', async () => {
    const start = [...VERIFIED_CARE, ...TO_MEMBERS, ...OWNER, ...member(2).slice(0, -3)];
    const expectations: [RegistrationEvent[], string][] = [
      [[{ type: 'BACK' }], 'memberRole'],
      [[a('memberOwner', false), { type: 'BACK' }], 'memberRole'],
      [[a('memberOwner', false), a('memberMailboxAccess', true), { type: 'BACK' }], 'memberMailboxAccess'],
      [[a('memberOwner', false), a('memberMailboxAccess', true), { type: 'BACK' }, { type: 'BACK' }], 'memberRole'],
    ];
    for (const [events, state] of expectations) {
      expect((await run('contactId', [...start, ...events])).snapshot.value).toBe(state);
    }
    const early = [...VERIFIED_CARE, ...TO_MEMBERS, ...OWNER.slice(0, 5)];
    expect((await run('contactId', [...early, { type: 'BACK' }])).snapshot.value).toBe('memberMobile');
    expect((await run('contactId', [...early.slice(0, -1), { type: 'BACK' }])).snapshot.value).toBe('memberEmail');
    expect((await run('contactId', [...early.slice(0, -2), { type: 'BACK' }])).snapshot.value).toBe('memberLastName');
    expect((await run('contactId', [...early.slice(0, -3), { type: 'BACK' }])).snapshot.value).toBe('memberFirstName');
    expect((await run('contactId', [...early.slice(0, -4), { type: 'BACK' }])).snapshot.value).toBe('memberTitle');
    expect((await run('contactId', [...early.slice(0, -5), { type: 'BACK' }])).snapshot.value).toBe('mailboxAddress');
    expect((await run('contactId', [...VERIFIED_CARE, ...TO_MEMBERS, ...OWNER, { type: 'ADD_MEMBER' }, { type: 'BACK' }])).snapshot.value).toBe('membersList');
    expect((await run('contactId', [...VERIFIED_CARE, ...TO_MEMBERS, ...OWNER, { type: 'BACK' }])).snapshot.value).toBe('mailboxAddress');
    expect((await run('contactId', [...VERIFIED_CARE, ...TO_MEMBERS, ...OWNER, { type: 'BACK' }, CONTINUE])).snapshot.value).toBe('membersList');
  });
});

describe('a whole member at once (the form on Teams and the web chat page)', () => {
  const whole = (n: number, overrides: Partial<Member> = {}): RegistrationEvent => ({
    type: 'SAVE_MEMBER',
    member: { firstName: `Form${n}`, lastName: 'Filled', email: `form${n}@example.co.uk`, mobile: `+4474005000${String(n).padStart(2, '0')}`, role: 'Nurse', owner: false, sharedMailboxAccess: true, mailboxAdmin: false, ...overrides },
  });
  const BASE = [...VERIFIED_CARE, ...TO_MEMBERS];

  it('the first is saved as the shared mailbox owner whatever its flags say', async () => {
    const { snapshot } = await run('contactId', [...BASE, whole(1, { sharedMailboxAccess: false })]);
    expect(snapshot.value).toBe('membersList');
    expect(snapshot.context.members![0]).toMatchObject({ firstName: 'Form1', owner: true, sharedMailboxAccess: true, mailboxAdmin: true });
  });

  it('can be saved from any member question, replacing what was half typed', async () => {
    const typed = [a('memberTitle', 'Dr'), a('memberFirstName', 'Half'), a('memberLastName', 'Typed'), a('memberEmail', 'half@example.co.uk'), a('memberMobile', '+447400777777'), a('memberRole', 'Nurse'), a('memberOwner', false), a('memberMailboxAccess', true)];
    for (let at = 0; at <= typed.length; at++) {
      const { snapshot } = await run('contactId', [...BASE, ...OWNER, { type: 'ADD_MEMBER' }, ...typed.slice(0, at), whole(2)]);
      expect(snapshot.value).toBe('membersList');
      expect(names(snapshot.context.members)).toEqual(['Jane', 'Form2']);
    }
  });

  it('refuses a duplicate or a third dental owner from any member question', async () => {
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
        const { snapshot } = await run('dentalContactId', [...prefix, event]);
        expect(snapshot.context.problem).toBe(problem);
        expect(snapshot.context.members).toHaveLength(2);
      }
    }
  });

  it('refuses the same from the owner question', async () => {
    const atOwner = [...VERIFIED_DENTAL, ...TO_MEMBERS, ...OWNER, ...member(2, [a('memberOwner', true)]), ...member(3, [a('memberMailboxAccess', false)]), edit(2, 'owner')];
    expect((await run('dentalContactId', atOwner)).snapshot.value).toBe('memberOwner');
    expect((await run('dentalContactId', [...atOwner, whole(3, { owner: true })])).snapshot.context.problem).toBe('tooManyOwners');
    expect((await run('dentalContactId', [...atOwner, whole(3, { email: 'jane@example.co.uk' })])).snapshot.context.problem).toBe('duplicateEmail');
    expect((await run('dentalContactId', [...atOwner, whole(3, { mobile: '+447400123400' })])).snapshot.context.problem).toBe('duplicateMobile');
  });

  it('editing by form replaces that member and keeps the others', async () => {
    const { snapshot } = await run('contactId', [...BASE, ...OWNER, ...member(2), edit(1, 'firstName'), whole(9, { email: 'new@example.co.uk' })]);
    expect(names(snapshot.context.members)).toEqual(['Jane', 'Form9']);
    expect(snapshot.context.members![1]!.email).toBe('new@example.co.uk');
  });

  it('refuses duplicates, a third dental owner and a mobile already on NHSmail, keeping what was sent', async () => {
    const email = await run('contactId', [...BASE, ...OWNER, { type: 'ADD_MEMBER' }, whole(2, { email: 'jane@example.co.uk' })]);
    expect(email.snapshot).toMatchObject({ value: 'memberTitle', context: { problem: 'duplicateEmail', submittedMember: { firstName: 'Form2' } } });
    const mobile = await run('contactId', [...BASE, ...OWNER, { type: 'ADD_MEMBER' }, whole(2, { mobile: '+447400123400' })]);
    expect(mobile.snapshot.context.problem).toBe('duplicateMobile');
    const owners = await run('dentalContactId', [...VERIFIED_DENTAL, ...TO_MEMBERS, ...OWNER, { type: 'ADD_MEMBER' }, whole(2, { owner: true }), { type: 'ADD_MEMBER' }, whole(3, { owner: true })]);
    expect(owners.snapshot.context.problem).toBe('tooManyOwners');
    const onNhsmail = await run('contactId', [...BASE, whole(1, { mobile: '+447400999999' })], { mobilesOnNhsmail: ['+447400999999'] });
    expect(onNhsmail.snapshot).toMatchObject({ value: 'memberTitle', context: { problem: 'mobileAlreadyOnNhsmail' } });
    const down = await run('contactId', [...BASE, whole(1)], { failMobileCheck: true });
    expect(down.snapshot).toMatchObject({ value: 'memberTitle', context: { problem: 'serviceUnavailable' } });
  });
});

describe('review, confirm and finish (SPEC §1.5)', () => {
  const READY = [...VERIFIED_CARE, ...TO_MEMBERS, ...OWNER, ...member(2), { type: 'MEMBERS_DONE' } as RegistrationEvent];

  it('submits once with everything gathered, and shows the reference', async () => {
    const origin = { conversationKey: 'conv-1', conversationReference: { conversation: { id: 'c' } } };
    const { snapshot, calls } = await run('contactId', [...READY, { type: 'CONFIRM', origin }, { type: 'CONFIRM', origin }]);
    expect(snapshot.value).toBe('submitted');
    expect(snapshot.context.submitted).toEqual({ reference: 'REG-TESTTEST', submittedAt: 0 });
    expect(calls.submit).toHaveLength(1);
    expect(calls.submit[0]).toMatchObject({
      organisation: { kind: 'care', odsCode: 'VAAA1', cqcLocationId: '1-1000000001' },
      town: 'Leeds',
      mailboxTown: 'leeds',
      verifiedBy: 'cqc-contact-id',
      origin,
    });
    expect(names((calls.submit[0] as { members: Member[] }).members)).toEqual(['Jane', 'Person2']);
  });

  it('a submission that fails goes back to the review, nothing lost', async () => {
    const { snapshot } = await run('contactId', [...READY, { type: 'CONFIRM' }], { failSubmit: true });
    expect(snapshot.value).toBe('review');
    expect(snapshot.context.problem).toBe('submitFailed');
    expect(snapshot.context.members).toHaveLength(2);
  });

  it('goes back from the review to the members', async () => {
    expect((await run('contactId', [...READY, { type: 'BACK' }])).snapshot.value).toBe('membersList');
  });

  it('every state and transition of town, members and review is taken by these tests', () => {
    const mine = ['town', 'townConfirm', 'townAbbreviation', 'mailboxAddress', 'memberTitle', 'memberFirstName', 'memberLastName', 'memberEmail',
      'memberMobile', 'checkingMobile', 'checkingSubmittedMember', 'memberRole', 'memberOwner', 'memberMailboxAccess', 'memberMailboxAdmin', 'membersList', 'review', 'submitting', 'submitted'];
    const ours = (id: string) => mine.some((s) => id === `registration.${s}` || id.startsWith(`registration.${s} `));
    const report = coverage.report();
    expect(report.states.missing.filter(ours)).toEqual([]);
    expect(report.transitions.missing.filter(ours)).toEqual([]);
  });
});
