import { readFileSync } from 'node:fs';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import {
  DirectoryDataError,
  EmbeddedOrganisationDirectory,
  loadShippedDataSet,
  normaliseOutwardCode,
  normalisePostcode,
  parseDirectoryDataSet,
} from '../../adapters/embeddedOrganisationDirectory';
import type { Organisation } from '../../adapters/organisationDirectory';
import {
  DIRECTORY_JSON_PATH,
  DIRECTORY_SEED,
  FIXTURES,
  generateDirectory,
  serialiseDirectory,
} from '../../scripts/generateDirectory';

const dataSet = loadShippedDataSet();
const all = dataSet.organisations;
const accounts = all.flatMap((o) => o.existingAccounts);
/** Accounts with a mobile on record (a few have none). */
const mobiles = accounts.flatMap((a) => (a.mobile ? [a.mobile] : []));
const generated = all.filter((o) => !dataSet.fixtures.includes(o.odsCode));
const directory = new EmbeddedOrganisationDirectory();

const count = (predicate: (o: Organisation) => boolean) => all.filter(predicate).length;
const distinct = <T>(values: T[]) => new Set(values).size;
const outwardOf = (o: Organisation) => o.address.postcode.split(' ')[0]!;

/** The fixtures exactly as documented at the top of adapters/embeddedOrganisationDirectory.ts. */
const DOCUMENTED_FIXTURES = [
  ['care', 'Amazing Carehomes', 'CPODS2', 'LS6 1BN', 'Leeds', '1-1002733005', 'CON1-123456789', 'manager@amazingcarehomes.co.uk'],
  ['care', 'Amazing Home Care Ltd', 'VAHC1', 'LS6 1BN', 'Leeds', '1-1002733013', 'CON1-123456790', 'office@amazinghomecare.co.uk'],
  ['dental', 'Riverside Dental Practice', 'DODSA1', 'BS1 5TY', 'Bristol', '1-1002733021', 'CON1-223456789', 'reception@riversidedentalbristol.co.uk'],
  ['dental', 'Birchfield Dental Surgery', 'DODSB1', 'B16 9LA', 'Birmingham', '1-1002733039', 'CON1-223456790', 'practice.manager@birchfielddental.co.uk'],
  ['care', 'Hollybank Care Home', 'VHB01', 'NR2 2PA', 'Norwich', '1-1002733047', 'CON1-323456789', 'manager@hollybankcarehome.co.uk'],
  ['care', 'Greenacres Nursing Home', 'VGA01', 'TR1 1LH', 'Truro', '1-1002733055', 'CON1-323456790', 'admin@greenacresnursinghome.co.uk'],
  ['hospice', "St Catherine's Hospice", '8SC01', 'SY3 8HQ', 'Shrewsbury', '1-1002733063', 'CON1-423456789', 'matron@stcatherineshospice.org.uk'],
  [
    'care',
    'The Old Vicarage Residential and Nursing Home for Older People',
    'VST01',
    'TS18 2BG',
    'Stockton-on-Tees',
    '1-1002733071',
    'CON1-423456790',
    'registered.manager@theoldvicaragestockton.co.uk',
  ],
  ['care', 'Larkspur House Care Home', 'VLH01', 'YO31 8RG', 'York', '1-1002733089', 'CON1-523456789', 'manager@larkspurhousecare.co.uk'],
  ['care', 'Fernlea Lodge', 'VFL10', 'BD8 9DA', 'Bradford', '1-1002733097', 'CON1-523456790', 'office@fernlealodge.co.uk'],
  ['dental', 'Quayside Dental Practice', 'DODSC1', 'PL4 0DZ', 'Plymouth', '1-1002733103', 'CON1-623456789', 'reception@quaysidedentalplymouth.co.uk'],
] as const;

function organisation(overrides: Partial<Organisation> = {}): Organisation {
  return {
    kind: 'care',
    name: 'Test Care Home',
    odsCode: 'VTST1',
    cqcLocationId: '1-1234567890',
    cqcContactId: 'CON1-123456789',
    address: { lines: ['1 Test Street'], town: 'Leeds', postcode: 'LS1 1AA' },
    registeredManagerEmail: 'manager@testcarehome.co.uk',
    hasSharedMailbox: false,
    hasPendingRegistration: false,
    fullDetailsHeld: true,
    existingAccounts: [],
    ...overrides,
  };
}

describe('the shipped data set (adapters/data/organisations.json)', () => {
  it('holds at least 2,000 organisations of every kind, in the expected proportions', () => {
    expect(all.length).toBeGreaterThanOrEqual(2000);
    expect(count((o) => o.kind === 'care')).toBeGreaterThanOrEqual(1200);
    expect(count((o) => o.kind === 'dental')).toBeGreaterThanOrEqual(600);
    expect(count((o) => o.kind === 'hospice')).toBeGreaterThanOrEqual(10);
    const dental = count((o) => o.kind === 'dental');
    const routeB = count((o) => o.kind === 'dental' && !o.fullDetailsHeld);
    expect(routeB / dental).toBeGreaterThan(0.1);
    expect(routeB / dental).toBeLessThan(0.2);
    expect(count((o) => o.kind !== 'dental' && !o.fullDetailsHeld)).toBe(0);
    expect(count((o) => o.hasSharedMailbox) / all.length).toBeGreaterThan(0.03);
    expect(count((o) => o.hasSharedMailbox) / all.length).toBeLessThan(0.07);
    expect(count((o) => o.hasPendingRegistration) / all.length).toBeGreaterThan(0.015);
    expect(count((o) => o.hasPendingRegistration) / all.length).toBeLessThan(0.05);
    expect(count((o) => o.hasSharedMailbox && o.hasPendingRegistration)).toBe(0);
    expect(count((o) => o.kind === 'hospice' && (o.hasSharedMailbox || o.hasPendingRegistration))).toBe(0);
  });

  it('has unique ODS codes, CQC location IDs, CQC contact IDs, NHSmail addresses and mobiles', () => {
    expect(distinct(all.map((o) => o.odsCode))).toBe(all.length);
    expect(distinct(all.map((o) => o.cqcLocationId))).toBe(all.length);
    expect(distinct(all.map((o) => o.cqcContactId))).toBe(all.length);
    expect(accounts.length).toBeGreaterThan(500);
    expect(distinct(accounts.map((a) => a.address))).toBe(accounts.length);
    expect(distinct(mobiles)).toBe(mobiles.length);
    expect(mobiles.length).toBeGreaterThan(accounts.length * 0.9);
  });

  it('invents every mobile in the 07400 range, each a valid GB mobile to libphonenumber-js/max', () => {
    const wrong = mobiles
      .map((mobile) => ({ mobile, parsed: parsePhoneNumberFromString(mobile) }))
      .filter(
        ({ mobile, parsed }) =>
          !/^\+447400\d{6}$/.test(mobile) ||
          !parsed?.isValid() ||
          parsed.getType() !== 'MOBILE' ||
          parsed.country !== 'GB' ||
          parsed.number !== mobile,
      )
      .map(({ mobile }) => mobile);
    expect(wrong).toEqual([]);
  });

  it('uses the documented formats', () => {
    const offenders = (predicate: (o: Organisation) => boolean) => all.filter(predicate).map((o) => o.odsCode);
    expect(offenders((o) => !/^[A-Z0-9]{3,6}$/.test(o.odsCode))).toEqual([]);
    expect(offenders((o) => !/^1-\d{10}$/.test(o.cqcLocationId))).toEqual([]);
    expect(offenders((o) => !/^CON1-\d{9}$/.test(o.cqcContactId))).toEqual([]);
    expect(offenders((o) => !/^[A-Z]{1,2}\d[A-Z\d]? \d[ABD-HJLNP-UW-Z]{2}$/.test(o.address.postcode))).toEqual([]);
    expect(offenders((o) => o.registeredManagerEmail !== o.registeredManagerEmail.toLowerCase())).toEqual([]);
    expect(offenders((o) => /@nhs\.net$/.test(o.registeredManagerEmail))).toEqual([]);
    expect(distinct(all.map((o) => o.registeredManagerEmail))).toBe(all.length);
    expect(generated.filter((o) => o.existingAccounts.length > 3)).toEqual([]);
    expect(offenders((o) => o.existingAccounts.length > 10)).toEqual([]);
    expect(offenders((o) => o.existingAccounts.some((a) => !/^[a-z]+\.[a-z]+\d*@nhs\.net$/.test(a.address)))).toEqual([]);
    const pattern = { care: /^V[A-Z0-9]{4}$/, dental: /^V0\d{4}$/, hospice: /^8[A-Z0-9]{4}$/ };
    expect(generated.filter((o) => !pattern[o.kind].test(o.odsCode)).map((o) => o.odsCode)).toEqual([]);
    // +4474000000xx is kept for the fixtures.
    expect(generated.filter((o) => o.existingAccounts.some((a) => a.mobile && Number(a.mobile.slice(-6)) < 100_000))).toEqual([]);
  });

  it('spreads organisations over English towns, many sharing outward codes and some sharing full postcodes', () => {
    expect(distinct(all.map((o) => o.address.town))).toBeGreaterThanOrEqual(80);
    const byOutward = new Map<string, number>();
    const byPostcode = new Map<string, number>();
    for (const o of all) {
      byOutward.set(outwardOf(o), (byOutward.get(outwardOf(o)) ?? 0) + 1);
      byPostcode.set(o.address.postcode, (byPostcode.get(o.address.postcode) ?? 0) + 1);
    }
    expect([...byOutward.values()].filter((n) => n >= 3).length).toBeGreaterThan(200);
    expect([...byPostcode.values()].filter((n) => n >= 2).length).toBeGreaterThan(50);
    expect(all.some((o) => o.address.town === 'Stockton-on-Tees')).toBe(true);
    expect(all.some((o) => o.address.town === 'Newcastle upon Tyne')).toBe(true);
    // None of the Welsh, Scottish or Northern Irish postcode areas.
    expect(all.filter((o) => /^(LL|CF|SA|NP|LD|EH|G|AB|DD|KY|FK|PA|IV|BT)\d/.test(o.address.postcode))).toEqual([]);
  });

  it('has long names that exercise the 64-character shared mailbox address cut', () => {
    const localPart = (o: Organisation) =>
      `${o.kind === 'dental' ? 'nhsdental' : 'care'}.${o.address.town.toLowerCase().replace(/[^a-z]/g, '').slice(0, 10)}.` +
      `${o.name.toLowerCase().replace(/[^a-z0-9]/g, '')}${o.odsCode.toLowerCase()}`;
    expect(count((o) => o.kind === 'care' && localPart(o).length > 64)).toBeGreaterThan(10);
    expect(count((o) => o.kind === 'dental' && localPart(o).length > 64)).toBeGreaterThan(10);
  });
});

describe('the generator (scripts/generateDirectory.ts)', () => {
  it('is deterministic, and the committed JSON is what it writes', () => {
    const first = serialiseDirectory(generateDirectory(DIRECTORY_SEED));
    const second = serialiseDirectory(generateDirectory(DIRECTORY_SEED));
    expect(second).toBe(first);
    expect(readFileSync(DIRECTORY_JSON_PATH, 'utf8')).toBe(first);
  });

  it('gives a different data set for a different seed, with the same fixtures first', () => {
    const other = generateDirectory(DIRECTORY_SEED + 1);
    expect(other.organisations.slice(0, FIXTURES.length)).toEqual(FIXTURES);
    expect(other.organisations.slice(FIXTURES.length).map((o) => o.odsCode)).not.toEqual(
      generated.map((o) => o.odsCode),
    );
  });

  it('records its seed and version, and lists the fixtures', () => {
    expect(dataSet.generatedWith).toEqual({
      generator: 'scripts/generateDirectory.ts',
      version: expect.any(Number),
      prng: 'mulberry32',
      seed: DIRECTORY_SEED,
    });
    expect(dataSet.fixtures).toEqual(FIXTURES.map((f) => f.odsCode));
    expect(all.slice(0, FIXTURES.length)).toEqual(FIXTURES);
  });
});

describe('the fixtures', () => {
  it.each(DOCUMENTED_FIXTURES)(
    '%s: %s (%s) at %s',
    async (kind, name, ods, postcode, town, location, contact, email) => {
      const found = await directory.findByOdsCode(ods);
      expect(found).toMatchObject({
        kind,
        name,
        odsCode: ods,
        cqcLocationId: location,
        cqcContactId: contact,
        registeredManagerEmail: email,
        address: { postcode, town },
      });
      expect((await directory.findByPostcode(postcode)).map((o) => o.odsCode)).toContain(ods);
    },
  );

  it('cover each route and stop', async () => {
    expect(dataSet.fixtures).toEqual(DOCUMENTED_FIXTURES.map((row) => row[2]));
    expect((await directory.findByOdsCode('DODSA1'))?.fullDetailsHeld).toBe(true);
    expect((await directory.findByOdsCode('DODSB1'))?.fullDetailsHeld).toBe(false);
    expect((await directory.findByOdsCode('VHB01'))?.hasSharedMailbox).toBe(true);
    expect((await directory.findByOdsCode('VGA01'))?.hasPendingRegistration).toBe(true);
    for (const ods of ['CPODS2', 'VAHC1', 'DODSA1', 'DODSB1', 'VST01']) {
      const o = await directory.findByOdsCode(ods);
      expect([o?.hasSharedMailbox, o?.hasPendingRegistration]).toEqual([false, false]);
    }
    expect((await directory.findByOdsCode('VHB01'))?.existingAccounts).toEqual([
      { address: 'sarah.hollis@nhs.net', mobile: '+447400000011' },
      { address: 'tom.okafor@nhs.net', mobile: '+447400000012' },
    ]);
    expect((await directory.findByOdsCode('DODSA1'))?.existingAccounts).toEqual([
      { address: 'david.price@nhs.net', mobile: '+447400000021' },
    ]);
    expect((await directory.findByOdsCode('CPODS2'))?.existingAccounts).toEqual([]);
  });
});

describe('EmbeddedOrganisationDirectory', () => {
  it('finds the organisations at a full postcode, whatever the case and spacing, sorted by name', async () => {
    for (const input of ['LS6 1BN', 'ls61bn', ' ls6  1bn ', 'L S 6 1 B N']) {
      expect((await directory.findByPostcode(input)).map((o) => [o.name, o.odsCode])).toEqual([
        ['Amazing Carehomes', 'CPODS2'],
        ['Amazing Home Care Ltd', 'VAHC1'],
      ]);
    }
    expect((await directory.findByPostcode('ts182bg')).map((o) => o.odsCode)).toEqual(['VST01']);
  });

  it('finds the organisations in an outward code, sorted by name', async () => {
    for (const input of ['LS6', 'ls6', ' l s6 ']) {
      const found = await directory.findByPostcode(input);
      expect(found.length).toBe(count((o) => outwardOf(o) === 'LS6'));
      expect(found.length).toBeGreaterThan(2);
      expect(found.every((o) => o.address.postcode.startsWith('LS6 '))).toBe(true);
      expect(found.map((o) => o.odsCode)).toEqual(expect.arrayContaining(['CPODS2', 'VAHC1']));
      const names = found.map((o) => o.name);
      expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b, 'en-GB', { sensitivity: 'base' })));
    }
    expect((await directory.findByPostcode('TS18')).map((o) => o.odsCode)).toContain('VST01');
    // LS1 and LS11 are different outward codes.
    expect((await directory.findByPostcode('LS1')).every((o) => outwardOf(o) === 'LS1')).toBe(true);
  });

  it('finds every organisation by its postcode, its outward code and its ODS code', async () => {
    const missed: string[] = [];
    for (const o of all) {
      const atPostcode = await directory.findByPostcode(o.address.postcode.toLowerCase().replace(' ', ''));
      if (!atPostcode.some((x) => x.odsCode === o.odsCode)) missed.push(`${o.odsCode} by postcode`);
      if (!(await directory.findByPostcode(outwardOf(o))).some((x) => x.odsCode === o.odsCode)) missed.push(`${o.odsCode} by outward code`);
      const byOds = await directory.findByOdsCode(o.odsCode.toLowerCase());
      if (byOds?.odsCode !== o.odsCode || byOds.cqcLocationId !== o.cqcLocationId) missed.push(`${o.odsCode} by ODS code`);
    }
    expect(missed).toEqual([]);
    expect(await directory.findByOdsCode('vst01')).toEqual(all.find((o) => o.odsCode === 'VST01'));
  });

  it('answers nothing for unknown or malformed postcodes', async () => {
    for (const input of ['ZZ9 9ZZ', 'zz99zz', 'ZZ9', 'LS6 1CC', '', '   ', 'LS', 'not a postcode', 'LS6 1BN extra', '12345']) {
      expect(await directory.findByPostcode(input)).toEqual([]);
    }
  });

  it('finds an organisation by ODS code in any case and spacing; unknown codes give undefined', async () => {
    for (const input of ['CPODS2', 'cpods2', ' CpOdS2 ', 'CP ODS2']) {
      expect((await directory.findByOdsCode(input))?.name).toBe('Amazing Carehomes');
    }
    for (const input of ['XXXXXX', '', 'CPODS', 'CPODS22', 'LS6 1BN']) {
      expect(await directory.findByOdsCode(input)).toBeUndefined();
    }
  });

  it('knows the mobiles and NHSmail addresses already in use', async () => {
    expect(await directory.isMobileInUse('+447400000011')).toBe(true);
    expect(await directory.isMobileInUse('07400 000011')).toBe(true);
    expect(await directory.isMobileInUse('+44 7400 000021')).toBe(true);
    expect(await directory.isMobileInUse('+447400000099')).toBe(false);
    expect(await directory.isMobileInUse('not a number')).toBe(false);
    expect(await directory.isEmailInUse('sarah.hollis@nhs.net')).toBe(true);
    expect(await directory.isEmailInUse(' Sarah.Hollis@NHS.NET ')).toBe(true);
    expect(await directory.isEmailInUse('nobody.here@nhs.net')).toBe(false);
    // A registered manager's own (non-NHSmail) address is not an NHSmail account.
    expect(await directory.isEmailInUse('manager@amazingcarehomes.co.uk')).toBe(false);
    const unknown: string[] = [];
    for (const a of accounts) {
      if (a.mobile && !(await directory.isMobileInUse(a.mobile))) unknown.push(a.mobile);
      if (!(await directory.isEmailInUse(a.address.toUpperCase()))) unknown.push(a.address);
    }
    expect(unknown).toEqual([]);
  });

  it('indexes by postcode, outward code, ODS code, mobile and email', () => {
    expect(directory.indexSizes).toEqual({
      organisations: all.length,
      postcodes: distinct(all.map((o) => o.address.postcode)),
      outwardCodes: distinct(all.map(outwardOf)),
      mobiles: mobiles.length,
      emails: accounts.length,
    });
  });

  it('hands out copies, so a caller cannot change the directory', async () => {
    const found = await directory.findByOdsCode('CPODS2');
    found!.name = 'Changed';
    found!.existingAccounts.push({ address: 'x.y@nhs.net', mobile: '+447400000099' });
    (await directory.findByPostcode('LS6 1BN'))[0]!.address.postcode = 'ZZ9 9ZZ';
    expect(await directory.findByOdsCode('CPODS2')).toEqual(FIXTURES[0]);
  });

  describe('fromOrganisations', () => {
    it('builds a directory of just the organisations given', async () => {
      const small = EmbeddedOrganisationDirectory.fromOrganisations([
        organisation({ name: 'Zeta House', odsCode: 'VZ001', address: { lines: ['1 A St'], town: 'Leeds', postcode: 'LS1 1AA' } }),
        organisation({
          name: 'Alpha Lodge',
          odsCode: 'VA001',
          address: { lines: ['2 A St'], town: 'Leeds', postcode: 'LS1 1AA' },
          existingAccounts: [{ address: 'ann.lee@nhs.net', mobile: '+447400123456' }],
        }),
        organisation({ name: 'Beta Court', odsCode: 'VB001', address: { lines: ['3 B St'], town: 'Leeds', postcode: 'LS11 5AB' } }),
      ]);
      expect((await small.findByPostcode('ls11aa')).map((o) => o.name)).toEqual(['Alpha Lodge', 'Zeta House']);
      expect((await small.findByPostcode('LS1')).map((o) => o.name)).toEqual(['Alpha Lodge', 'Zeta House']);
      expect((await small.findByPostcode('LS11')).map((o) => o.name)).toEqual(['Beta Court']);
      expect(await small.findByOdsCode('CPODS2')).toBeUndefined();
      expect(await small.isMobileInUse('07400123456')).toBe(true);
      expect(await small.isEmailInUse('ANN.LEE@nhs.net')).toBe(true);
      expect(await small.isMobileInUse('+447400000011')).toBe(false);
    });

    it('refuses duplicate ODS codes and malformed organisations, saying where', () => {
      expect(() => EmbeddedOrganisationDirectory.fromOrganisations([organisation(), organisation()])).toThrow(
        /1\.odsCode: VTST1 is also used by organisations\.0/,
      );
      expect(() =>
        EmbeddedOrganisationDirectory.fromOrganisations([
          organisation({ address: { lines: ['1 A St'], town: 'Leeds', postcode: 'ls1 1aa' } }),
        ]),
      ).toThrow(/0\.address\.postcode: must be a full postcode/);
      expect(() => EmbeddedOrganisationDirectory.fromOrganisations([organisation({ odsCode: 'vtst1' })])).toThrow(
        DirectoryDataError,
      );
    });
  });
});

describe('parseDirectoryDataSet', () => {
  const valid = () => JSON.parse(readFileSync(DIRECTORY_JSON_PATH, 'utf8')) as { fixtures: string[]; organisations: unknown[] };

  it('accepts the shipped JSON', () => {
    expect(parseDirectoryDataSet(valid()).organisations.length).toBe(all.length);
  });

  it('names the data set and the fields that are wrong', () => {
    const broken = valid() as { organisations: Record<string, unknown>[] };
    broken.organisations[5]!.cqcLocationId = '1-12';
    delete broken.organisations[7]!.kind;
    let error: unknown;
    try {
      parseDirectoryDataSet(broken, 'test.json');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(DirectoryDataError);
    expect((error as Error).message).toMatch(/^Organisation directory data set test\.json is malformed:/);
    expect((error as Error).message).toContain('organisations.5.cqcLocationId: must be 1- followed by 9 to 11 digits');
    expect((error as Error).message).toContain('organisations.7.kind');
    expect(() => parseDirectoryDataSet({})).toThrow(/organisations/);
    expect(() => parseDirectoryDataSet({ ...valid(), fixtures: ['NOPE1'] })).toThrow(/fixtures: NOPE1 is not an organisation/);
  });
});

describe('postcode normalisation', () => {
  it.each([
    ['ls11aa', 'LS1 1AA'],
    [' LS1 1AA ', 'LS1 1AA'],
    ['ts18 2bg', 'TS18 2BG'],
    ['sw1a1aa', 'SW1A 1AA'],
    ['b169la', 'B16 9LA'],
  ])('%j is the postcode %s', (input, expected) => {
    expect(normalisePostcode(input)).toBe(expected);
  });

  it.each(['LS1', 'LS1 1', 'LS1 1A', '1LS 1AA', 'LS1 AAA', 'LS1 1CA'])('%j is not a full postcode', (input) => {
    expect(normalisePostcode(input)).toBeUndefined();
  });

  it('recognises outward codes', () => {
    expect(['ls1', 'LS11', 'sw1a', ' b 16 ', 'M1'].map(normaliseOutwardCode)).toEqual(['LS1', 'LS11', 'SW1A', 'B16', 'M1']);
    expect(['LS1 1AA', 'L', '11', 'LS123'].map(normaliseOutwardCode)).toEqual([undefined, undefined, undefined, undefined]);
  });
});
