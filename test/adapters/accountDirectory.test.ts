import { readFileSync } from 'node:fs';
import { administratorOf, hasSharedMailboxAccess, isSharedMailboxOwner, type NhsmailAccount } from '../../adapters/accountDirectory';
import {
  AccountDataError,
  crossCheckWithOrganisations,
  EmbeddedAccountDirectory,
  loadShippedAccounts,
  parseAccountDataSet,
  type AccountDataSet,
  type AccountRecord,
} from '../../adapters/embeddedAccountDirectory';
import { EmbeddedOrganisationDirectory, loadShippedDataSet } from '../../adapters/embeddedOrganisationDirectory';
import type { Organisation } from '../../adapters/organisationDirectory';
import { ACCOUNT_FIXTURES, TEAMS_OWNER_IDENTITY } from '../../scripts/accountFixtures';
import { serialiseAccounts } from '../../scripts/generateAccounts';
import { ACCOUNTS_JSON_PATH, DIRECTORY_SEED, generateDataSets } from '../../scripts/generateDirectory';

const data = loadShippedAccounts();
const accounts = data.accounts;
const organisations = loadShippedDataSet().organisations;
const directory = new EmbeddedAccountDirectory();
const organisationDirectory = new EmbeddedOrganisationDirectory();

const share = (predicate: (a: AccountRecord) => boolean, of: readonly AccountRecord[] = accounts) => of.filter(predicate).length / of.length;
const addresses = (list: readonly NhsmailAccount[]) => list.map((a) => a.address);

describe('the shipped data set (adapters/data/accounts.json)', () => {
  it('holds an account for every existing account of the organisation directory, and no other', () => {
    expect(crossCheckWithOrganisations(data, organisations)).toEqual([]);
    expect(accounts.length).toBe(organisations.reduce((n, o) => n + o.existingAccounts.length, 0));
    expect(accounts.length).toBeGreaterThan(1000);
  });

  it('agrees with the organisation directory on every address and mobile in use', async () => {
    const disagreements: string[] = [];
    for (const a of accounts) {
      if (!(await organisationDirectory.isEmailInUse(a.address))) disagreements.push(`${a.address} not in use there`);
      if (a.mobile && !(await organisationDirectory.isMobileInUse(a.mobile))) disagreements.push(`${a.mobile} not in use there`);
    }
    for (const o of organisations) {
      for (const e of o.existingAccounts) {
        const found = await directory.findByAddress(e.address);
        if (found?.organisation.odsCode !== o.odsCode || (found.mobile ?? undefined) !== e.mobile) disagreements.push(`${e.address} differs here`);
        if (e.mobile && addresses(await directory.findByMobile(e.mobile)).join() !== e.address) disagreements.push(`${e.mobile} differs here`);
      }
    }
    expect(disagreements).toEqual([]);
    // A mobile on no account is unknown to both.
    expect(await organisationDirectory.isMobileInUse('+447400000099')).toBe(false);
    expect(await directory.findByMobile('+447400000099')).toEqual([]);
    // An account without a mobile leaves its old number free in both.
    expect(await organisationDirectory.isEmailInUse('joseph.achebe@nhs.net')).toBe(true);
  });

  it('is written by the generator, deterministically, with the organisation directory', () => {
    const text = serialiseAccounts(generateDataSets(DIRECTORY_SEED).accounts);
    expect(serialiseAccounts(generateDataSets(DIRECTORY_SEED).accounts)).toBe(text);
    expect(readFileSync(ACCOUNTS_JSON_PATH, 'utf8')).toBe(text);
    const other = generateDataSets(DIRECTORY_SEED + 1);
    expect(other.accounts.accounts.slice(0, ACCOUNT_FIXTURES.length)).toEqual(accounts.slice(0, ACCOUNT_FIXTURES.length));
    expect(crossCheckWithOrganisations(other.accounts, other.directory.organisations)).toEqual([]);
  });

  it('has the proportions of a real directory', () => {
    const generated = accounts.slice(ACCOUNT_FIXTURES.length);
    expect(share((a) => a.mobile === null, generated)).toBeGreaterThan(0.03);
    expect(share((a) => a.mobile === null, generated)).toBeLessThan(0.1);
    expect(share((a) => a.status === 'inactive', generated)).toBeGreaterThan(0.05);
    expect(share((a) => a.status === 'leaver', generated)).toBeGreaterThan(0.02);
    expect(share((a) => a.status === 'active' && a.lastSignInOn === null, generated)).toBeGreaterThan(0.02);
    expect(share((a) => a.host.kind === 'local', generated)).toBeGreaterThan(0.3);
    expect(share((a) => a.host.kind === 'nas', generated)).toBeGreaterThan(0.3);
    expect(accounts.filter((a) => a.organisation.kind === 'hospice' && a.host.kind !== 'local')).toEqual([]);
    expect(data.sharedMailboxes.length).toBe(organisations.filter((o) => o.hasSharedMailbox).length);
    expect(accounts.filter((a) => a.status === 'leaver' && a.sharedMailboxes.length)).toEqual([]);
    // Accounts of sites with a shared mailbox are NAS's; owners are active and keep a mobile.
    const owners = accounts.filter((a) => a.sharedMailboxes.some((s) => s.role === 'owner'));
    expect(owners.filter((o) => o.status !== 'active' || !o.mobile)).toEqual([]);
  });

  it('names every account after its address, in the organisation’s container', () => {
    const wrong = accounts.filter((a) => {
      const local = a.address.split('@')[0]!.replace(/\d+$/, '');
      return local !== `${a.firstName}.${a.lastName}`.toLowerCase();
    });
    expect(wrong).toEqual([]);
  });

  it('gives every shared mailbox the address the registration makes', () => {
    expect(data.sharedMailboxes.find((m) => m.odsCode === 'VHB01')).toEqual({ odsCode: 'VHB01', kind: 'care', address: 'care.norwich.hollybankcarehomevhb01@nhs.net' });
    expect(data.sharedMailboxes.find((m) => m.odsCode === 'DODSC1')?.address).toBe('nhsdental.plymouth.quaysidedentalpracticedodsc1@nhs.net');
    expect(data.sharedMailboxes.filter((m) => !/^(care|nhsdental)\.[a-z]{1,10}\.[a-z0-9]+@nhs\.net$/.test(m.address) || m.address.split('@')[0]!.length > 64)).toEqual([]);
  });
});

describe('the fixture accounts (README, scripts/accountFixtures.ts)', () => {
  const find = async (address: string) => (await directory.findByAddress(address))!;

  it('lists every fixture in the data set, first, in order', () => {
    expect(data.fixtures).toEqual(ACCOUNT_FIXTURES.map((f) => f.address));
    expect(accounts.slice(0, ACCOUNT_FIXTURES.length).map((a) => a.address)).toEqual(data.fixtures);
  });

  it.each([
    ['amy.pearce@nhs.net', 'VLH01', '+447400000033', 'active', 'nas', 'member'],
    ['joseph.achebe@nhs.net', 'VLH01', null, 'active', 'nas', 'member'],
    ['david.price@nhs.net', 'DODSA1', '+447400000021', 'active', 'local', null],
    ['ruth.barnes@nhs.net', 'VLH01', '+447400000038', 'active', 'local', 'member'],
    ['dawn.fenwick@nhs.net', 'VLH01', '+447400000035', 'inactive', 'nas', 'member'],
    ['kwame.oyelaran@nhs.net', 'VLH01', '+447400000036', 'leaver', 'nas', null],
    ['hannah.marsh@nhs.net', 'VLH01', '+447400000037', 'active', 'nas', 'member'],
    ['priya.raman@nhs.net', 'VLH01', '+447400000031', 'active', 'nas', 'owner'],
    ['gareth.lloyd@nhs.net', 'VLH01', '+447400000032', 'active', 'nas', 'owner'],
    ['sarah.hollis@nhs.net', 'VHB01', '+447400000011', 'active', 'nas', 'owner'],
    ['tom.okafor@nhs.net', 'VHB01', '+447400000012', 'active', 'nas', 'member'],
    ['marcus.ashworth@nhs.net', 'VFL10', '+447400000041', 'active', 'nas', 'owner'],
    ['nia.pryce@nhs.net', 'DODSC1', '+447400000051', 'active', 'nas', 'owner'],
  ] as const)('%s: %s, mobile %s, %s, hosted by %s, %s', async (address, ods, mobile, status, host, role) => {
    const account = await find(address);
    expect(account).toMatchObject({ address, organisation: { odsCode: ods }, mobile, status, host: { kind: host } });
    expect(account.sharedMailboxes).toEqual(role ? [{ odsCode: ods, role }] : []);
  });

  it('has the dates the 90-day and leaver rules need', async () => {
    expect(await find('dawn.fenwick@nhs.net')).toMatchObject({ lastSignInOn: '2026-07-14', statusSince: '2026-10-12' });
    expect(await find('kwame.oyelaran@nhs.net')).toMatchObject({ statusSince: '2026-11-20' });
    expect(await find('hannah.marsh@nhs.net')).toMatchObject({ lastSignInOn: null, statusSince: null });
  });

  it('says who helps each one: NAS’s care or dental team, or the local helpdesk', async () => {
    expect(administratorOf(await find('amy.pearce@nhs.net'))).toEqual({ kind: 'nas', queue: 'care' });
    expect(administratorOf(await find('leah.doyle@nhs.net'))).toEqual({ kind: 'nas', queue: 'dental' });
    expect(administratorOf(await find('david.price@nhs.net'))).toEqual({
      kind: 'local',
      organisation: {
        id: 'severn-vale-csu',
        type: 'CSU',
        name: 'Severn Vale Commissioning Support Unit',
        helpdesk: { name: 'Severn Vale CSU IT service desk', email: 'severnvale.itservicedesk@nhs.net', phone: '0117 496 0732' },
      },
    });
    expect(administratorOf(await find('ruth.barnes@nhs.net'))).toMatchObject({ kind: 'local', organisation: { type: 'CCG', helpdesk: { phone: '01632 960418' } } });
  });

  it('has organisations with two owners, one owner, and a site already at 10 accounts', async () => {
    expect(addresses(await directory.sharedMailboxOwners('VLH01'))).toEqual(['priya.raman@nhs.net', 'gareth.lloyd@nhs.net']);
    expect(addresses(await directory.sharedMailboxOwners('VHB01'))).toEqual(['sarah.hollis@nhs.net']);
    expect(addresses(await directory.sharedMailboxOwners('DODSC1'))).toEqual(['nia.pryce@nhs.net', 'oliver.quayle@nhs.net']);
    expect(await directory.findByOrganisation('VFL10')).toHaveLength(10);
    expect(addresses(await directory.sharedMailboxOwners('VFL10'))).toEqual(['marcus.ashworth@nhs.net']);
  });

  it('has a Teams user whose signed-in address is an owner’s', async () => {
    for (const address of [TEAMS_OWNER_IDENTITY.email, TEAMS_OWNER_IDENTITY.userPrincipalName]) {
      const account = await find(address);
      expect(isSharedMailboxOwner(account, 'VLH01')).toBe(true);
    }
  });
});

describe('EmbeddedAccountDirectory', () => {
  it('finds an account by address in any case, with spaces around', async () => {
    for (const input of ['amy.pearce@nhs.net', 'Amy.Pearce@NHS.NET', '  amy.pearce@nhs.net\n']) {
      expect((await directory.findByAddress(input))?.firstName).toBe('Amy');
    }
    for (const input of ['nobody.here@nhs.net', 'amy.pearce@nhs.uk', 'amy.pearce', '', '   ', 'amy pearce@nhs.net']) {
      expect(await directory.findByAddress(input)).toBeUndefined();
    }
  });

  it('finds an organisation’s accounts by ODS code in any case and spacing', async () => {
    for (const input of ['VLH01', 'vlh01', ' VLH 01 ']) {
      expect(addresses(await directory.findByOrganisation(input))).toEqual(ACCOUNT_FIXTURES.filter((f) => f.odsCode === 'VLH01').map((f) => f.address));
    }
    expect(await directory.findByOrganisation('CPODS2')).toEqual([]);
    expect(await directory.findByOrganisation('NOPE')).toEqual([]);
  });

  it('finds accounts by mobile written any UK way; an account without one is never found by mobile', async () => {
    for (const input of ['+447400000033', '07400 000033', '+44 7400 000033', '0044 7400 000033', '(07400) 000-033']) {
      expect(addresses(await directory.findByMobile(input))).toEqual(['amy.pearce@nhs.net']);
    }
    expect(await directory.findByMobile('')).toEqual([]);
    expect(await directory.findByMobile('not a number')).toEqual([]);
    expect(accounts.filter((a) => a.mobile === null).length).toBeGreaterThan(1);
    expect(directory.size.mobiles).toBe(accounts.filter((a) => a.mobile).length);
  });

  it('shows a shared mailbox with its owners and everyone who can open it', async () => {
    const mailbox = await directory.findSharedMailbox('vlh01');
    expect(mailbox).toMatchObject({ odsCode: 'VLH01', kind: 'care', address: 'care.york.larkspurhousecarehomevlh01@nhs.net' });
    expect(addresses(mailbox!.owners)).toEqual(['priya.raman@nhs.net', 'gareth.lloyd@nhs.net']);
    // The leaver is gone; the locally hosted nurse and the inactive account still have access.
    expect(addresses(mailbox!.members)).toEqual([
      'priya.raman@nhs.net', 'gareth.lloyd@nhs.net', 'amy.pearce@nhs.net', 'joseph.achebe@nhs.net',
      'dawn.fenwick@nhs.net', 'hannah.marsh@nhs.net', 'ruth.barnes@nhs.net',
    ]);
    expect((await directory.findSharedMailbox('VFL10'))!.members).toHaveLength(8);
    expect(await directory.findSharedMailbox('CPODS2')).toBeUndefined();
    expect(await directory.sharedMailboxOwners('CPODS2')).toEqual([]);
    expect(directory.size).toEqual({
      accounts: accounts.length,
      organisations: new Set(accounts.map((a) => a.organisation.odsCode)).size,
      mobiles: accounts.filter((a) => a.mobile).length,
      sharedMailboxes: data.sharedMailboxes.length,
    });
  });

  it('tells owners from members', async () => {
    const priya = (await directory.findByAddress('priya.raman@nhs.net'))!;
    const amy = (await directory.findByAddress('amy.pearce@nhs.net'))!;
    const kwame = (await directory.findByAddress('kwame.oyelaran@nhs.net'))!;
    expect([isSharedMailboxOwner(priya, 'vlh01'), hasSharedMailboxAccess(priya, 'VLH01')]).toEqual([true, true]);
    expect([isSharedMailboxOwner(amy, 'VLH01'), hasSharedMailboxAccess(amy, 'VLH01')]).toEqual([false, true]);
    expect([isSharedMailboxOwner(kwame, 'VLH01'), hasSharedMailboxAccess(kwame, 'VLH01')]).toEqual([false, false]);
    expect(isSharedMailboxOwner(priya, 'VHB01')).toBe(false);
  });

  it('hands out copies, so a caller cannot change the directory', async () => {
    const found = (await directory.findByAddress('amy.pearce@nhs.net'))!;
    found.mobile = null;
    found.sharedMailboxes.push({ odsCode: 'VLH01', role: 'owner' });
    (await directory.findSharedMailbox('VLH01'))!.owners.pop();
    (await directory.findByOrganisation('VLH01'))[0]!.status = 'leaver';
    expect((await directory.findByAddress('amy.pearce@nhs.net'))!).toMatchObject({ mobile: '+447400000033', sharedMailboxes: [{ role: 'member' }] });
    expect(await directory.sharedMailboxOwners('VLH01')).toHaveLength(2);
    expect((await directory.findByAddress('priya.raman@nhs.net'))!.status).toBe('active');
  });
});

describe('parseAccountDataSet refuses bad data, saying where', () => {
  const small = (): AccountDataSet => ({
    generatedWith: { generator: 'test', version: 1, prng: 'none', seed: 0 },
    asOf: '2026-11-30',
    fixtures: ['ann.lee@nhs.net'],
    localOrganisations: [{ id: 'test-ccg', type: 'CCG', name: 'NHS Test CCG', helpdesk: { name: 'Test helpdesk', email: 'test.helpdesk@nhs.net', phone: '01632 960000' } }],
    sharedMailboxes: [{ odsCode: 'VTST1', kind: 'care', address: 'care.leeds.testcarehomevtst1@nhs.net' }],
    accounts: [
      account({ address: 'ann.lee@nhs.net', sharedMailboxes: [{ odsCode: 'VTST1', role: 'owner' }] }),
      account({ address: 'bob.ray@nhs.net', mobile: '+447400123457' }),
    ],
  });
  function account(overrides: Partial<AccountRecord>): AccountRecord {
    return {
      address: 'ann.lee@nhs.net',
      firstName: 'Ann',
      lastName: 'Lee',
      organisation: { odsCode: 'VTST1', name: 'Test Care Home', kind: 'care' },
      mobile: '+447400123456',
      host: { kind: 'nas', createdBy: 'registrationPortal' },
      sharedMailboxes: [],
      status: 'active',
      statusSince: null,
      lastSignInOn: '2026-11-01',
      ...overrides,
    };
  }
  const withAccount = (i: number, overrides: Partial<AccountRecord>) => {
    const d = small();
    d.accounts[i] = { ...d.accounts[i]!, ...overrides };
    return d;
  };

  it('accepts a good one', () => {
    const d = EmbeddedAccountDirectory.fromDataSet(small());
    expect(d.size.accounts).toBe(2);
  });

  it.each<[string, () => unknown, RegExp]>([
    ['an address in capitals', () => withAccount(1, { address: 'Bob.Ray@nhs.net' }), /accounts\.1\.address: must be lower case/],
    ['an address outside NHSmail', () => withAccount(1, { address: 'bob.ray@example.com' }), /accounts\.1\.address: must be an @nhs\.net address/],
    ['the same address twice', () => withAccount(1, { address: 'ann.lee@nhs.net' }), /accounts\.1\.address: ann\.lee@nhs\.net is also accounts\.0/],
    ['the same mobile twice', () => withAccount(1, { mobile: '+447400123456' }), /accounts\.1\.mobile: \+447400123456 is also on accounts\.0/],
    ['a mobile that is not E.164', () => withAccount(1, { mobile: '07400 123457' }), /accounts\.1\.mobile: must be a UK mobile in E\.164/],
    ['an unknown local organisation', () => withAccount(1, { host: { kind: 'local', organisation: 'nowhere-csu' } }), /accounts\.1\.host\.organisation: nowhere-csu is not a local organisation/],
    ['a hospice account administered by NAS', () => withAccount(1, { organisation: { odsCode: 'VTST2', name: 'Hospice', kind: 'hospice' } }), /accounts\.1\.host: a hospice's account cannot be administered by NAS/],
    ['an active account with a status date', () => withAccount(1, { statusSince: '2026-11-01' }), /accounts\.1\.statusSince: must be set exactly when the account is not active/],
    ['a leaver without a status date', () => withAccount(1, { status: 'leaver' }), /accounts\.1\.statusSince: must be set exactly/],
    ['a leaver still in a shared mailbox', () => withAccount(1, { status: 'leaver', statusSince: '2026-11-20', sharedMailboxes: [{ odsCode: 'VTST1', role: 'member' }] }), /a leaver has been removed from every shared mailbox/],
    ['an inactive account that never signed in', () => withAccount(1, { status: 'inactive', statusSince: '2026-11-20', lastSignInOn: null }), /accounts\.1: an inactive account became inactive after its last sign-in/],
    ['a sign-in after the data set’s date', () => withAccount(1, { lastSignInOn: '2026-12-01' }), /accounts\.1\.lastSignInOn: 2026-12-01 is after asOf 2026-11-30/],
    ['access to a shared mailbox that does not exist', () => withAccount(1, { sharedMailboxes: [{ odsCode: 'VNONE', role: 'member' }] }), /accounts\.1\.sharedMailboxes\.0: VNONE has no shared mailbox/],
    ['a shared mailbox without an owner', () => withAccount(0, { sharedMailboxes: [{ odsCode: 'VTST1', role: 'member' }] }), /the shared mailbox of VTST1 has no owner/],
    [
      'a dental practice with 3 owners',
      () => {
        const d = small();
        d.sharedMailboxes[0]!.kind = 'dental';
        d.accounts = ['a.a', 'b.b', 'c.c'].map((n, i) =>
          account({ address: `${n}@nhs.net`, mobile: `+44740012345${i}`, sharedMailboxes: [{ odsCode: 'VTST1', role: 'owner' }] }),
        );
        d.fixtures = [];
        return d;
      },
      /the dental practice VTST1 has 3 owners; at most 2/,
    ],
    [
      'a site with 11 accounts',
      () => {
        const d = small();
        for (let i = 0; i < 9; i++) d.accounts.push(account({ address: `extra.person${i}@nhs.net`, mobile: `+44740020000${i}` }));
        return d;
      },
      /VTST1 has 11 accounts; a site has at most 10/,
    ],
    ['a fixture that is not an account', () => ({ ...small(), fixtures: ['no.one@nhs.net'] }), /fixtures: no\.one@nhs\.net is not an account/],
    ['a missing field', () => ({ ...small(), asOf: undefined }), /asOf/],
    ['something that is not a data set at all', () => [], /\(root\)/],
  ])('%s', (_name, make, message) => {
    expect(() => parseAccountDataSet(make(), 'test.json')).toThrow(AccountDataError);
    expect(() => parseAccountDataSet(make(), 'test.json')).toThrow(message);
    expect(() => EmbeddedAccountDirectory.fromDataSet(make())).toThrow(/^Account directory data set \(given data set\) is malformed:/);
  });
});

describe('crossCheckWithOrganisations', () => {
  const organisation = (overrides: Partial<Organisation>): Organisation => ({
    ...organisations.find((o) => o.odsCode === 'VHB01')!,
    ...overrides,
  });
  const hollybank = () => ({ ...data, sharedMailboxes: data.sharedMailboxes.filter((m) => m.odsCode === 'VHB01'), accounts: accounts.filter((a) => a.organisation.odsCode === 'VHB01') });

  it('agrees when the organisation lists exactly its accounts', () => {
    expect(crossCheckWithOrganisations(hollybank(), [organisation({})])).toEqual([]);
  });

  it('says when existing accounts, mobiles, names or shared mailboxes differ', () => {
    expect(crossCheckWithOrganisations(hollybank(), [organisation({ existingAccounts: [{ address: 'sarah.hollis@nhs.net', mobile: '+447400000011' }] })])).toEqual([
      expect.stringMatching(/^VHB01: existingAccounts .* are not its accounts .*tom\.okafor/),
    ]);
    expect(
      crossCheckWithOrganisations(hollybank(), [
        organisation({ existingAccounts: [{ address: 'sarah.hollis@nhs.net' }, { address: 'tom.okafor@nhs.net', mobile: '+447400000012' }] }),
      ]),
    ).toHaveLength(1);
    expect(crossCheckWithOrganisations(hollybank(), [organisation({ name: 'Hollybank House' })])).toEqual([
      'sarah.hollis@nhs.net: organisation VHB01 is care "Hollybank House" in the organisation directory',
      'tom.okafor@nhs.net: organisation VHB01 is care "Hollybank House" in the organisation directory',
    ]);
    expect(crossCheckWithOrganisations(hollybank(), [organisation({ hasSharedMailbox: false })])).toEqual([
      'VHB01: hasSharedMailbox is false but the account directory has shared mailbox for it',
    ]);
    expect(crossCheckWithOrganisations(hollybank(), [])).toEqual([
      'sarah.hollis@nhs.net: organisation VHB01 is not in the organisation directory',
      'tom.okafor@nhs.net: organisation VHB01 is not in the organisation directory',
    ]);
  });
});
