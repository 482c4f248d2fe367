import {
  Member,
  ROLES,
  ruledMember,
  sameTown,
  sharedMailboxAddress,
  townLetters,
  withField,
} from '../../machines/registration/rules';

/** The registration's domain rules (machines/registration/rules.ts), beside the machine that follows them. */

function value(address: string | undefined): string {
  if (address === undefined) throw new Error('expected an address');
  return address;
}

describe('the town: its letters a to z, and whether two towns are the same', () => {
  it.each([
    ['Stockton-on-Tees', 'stocktonontees'],
    ['stockton on tees', 'stocktonontees'],
    ["Bishop's Stortford", 'bishopsstortford'],
    ['Ynys Môn', 'ynysmon'],
    ['李', ''],
  ])('%j → %j', (town, letters) => expect(townLetters(town)).toBe(letters));

  it.each([
    ['Stockton-on-Tees', 'stockton on tees', true],
    ['LEEDS', 'leeds', true],
    ['Newcastle upon Tyne', 'Newcastle-upon-Tyne', true],
    ['Leeds', 'Bradford', false],
    ['李', '李', false],
  ])('%j and %j: same town %s', (a, b, same) => expect(sameTown(a, b)).toBe(same === true));
});

describe('roles (SPEC §1.4)', () => {
  it('care providers and dental practices have their own lists, both ending in Other', () => {
    expect(ROLES.care[ROLES.care.length - 1]).toBe('Other');
    expect(ROLES.dental[ROLES.dental.length - 1]).toBe('Other');
    expect(ROLES.dental).toContain('Dental Nurse');
    expect(ROLES.care).not.toContain('Dentist');
  });
});

describe("a member's flags stay consistent", () => {
  const base: Member = { firstName: 'A', lastName: 'B', email: 'a@b.co.uk', mobile: '+447400123456', role: 'Nurse', owner: false, sharedMailboxAccess: false, mailboxAdmin: false };
  it.each([
    ['owner', true, { owner: true, sharedMailboxAccess: true, mailboxAdmin: true }],
    ['mailboxAdmin', true, { mailboxAdmin: true, sharedMailboxAccess: true }],
    ['sharedMailboxAccess', false, { sharedMailboxAccess: false, mailboxAdmin: false, owner: false }],
  ] as const)('%s = %s → %j', (field, v, expected) => expect(withField({ ...base, owner: true, sharedMailboxAccess: true, mailboxAdmin: true }, field, v)).toMatchObject(expected));

  it('the shared mailbox owner of a registration is always owner, in the shared mailbox and its admin', () => {
    expect(ruledMember(base, true)).toMatchObject({ owner: true, sharedMailboxAccess: true, mailboxAdmin: true });
    expect(ruledMember({ ...base, owner: true }, false)).toMatchObject({ owner: true, sharedMailboxAccess: true, mailboxAdmin: true });
  });
});

describe('shared mailbox address', () => {
  it.each([
    [{ kind: 'care', town: 'wrexham', name: 'Sunny Days Care Home Ltd.', odsCode: 'vx1ab' }, 'care.wrexham.sunnydayscarehomeltdvx1ab@nhs.net'],
    [{ kind: 'dental', town: 'leeds', name: 'Smile & Co. Dental (Leeds)', odsCode: 'V12345' }, 'nhsdental.leeds.smilecodentalleedsv12345@nhs.net'],
    [{ kind: 'care', town: 'bath', name: 'Café Zoë 24/7 Care', odsCode: 'VA1' }, 'care.bath.cafezoe247careva1@nhs.net'],
  ] as const)('%j → %j', (input, address) => expect(value(sharedMailboxAddress(input))).toBe(address));

  it.each([
    ['care', 'stokeontre'],
    ['dental', 'stokeontre'],
    ['dental', 'a'],
  ] as const)('cuts a long %s name so that the part before the @ is 64 characters (town %j)', (kind, town) => {
    const name = 'The Extremely Long Named Practice & Partners of Somewhere Quite Far Away From Here LLP';
    const address = value(sharedMailboxAddress({ kind, town, name, odsCode: 'V12345' }));
    const [local, domain] = address.split('@');
    expect(domain).toBe('nhs.net');
    expect(local).toHaveLength(64);
    expect(local).toMatch(new RegExp(`^${kind === 'care' ? 'care' : 'nhsdental'}\\.${town}\\.theextremelylongnamedpractice[a-z]*v12345$`));
  });

  it('keeps a name that exactly fits', () => {
    const head = 'care.wrexham.';
    const name = 'a'.repeat(64 - head.length - 'v12345'.length);
    expect(value(sharedMailboxAddress({ kind: 'care', town: 'wrexham', name, odsCode: 'V12345' }))).toBe(`${head}${name}v12345@nhs.net`);
  });

  it.each([
    [{ kind: 'care', town: 'stokeontrent', name: 'Home', odsCode: 'V12345' }],
    [{ kind: 'care', town: 'Wrexham', name: 'Home', odsCode: 'V12345' }],
    [{ kind: 'care', town: 'wrexham', name: 'Home', odsCode: 'V1' }],
    [{ kind: 'care', town: 'wrexham', name: '!!!', odsCode: 'V12345' }],
  ] as const)('%j makes no address', (input) => expect(sharedMailboxAddress(input)).toBeUndefined());
});

