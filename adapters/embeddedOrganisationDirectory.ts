/**
 * The embedded organisation directory: the invented data set shipped in
 * `adapters/data/organisations.json` (written by `npm run directory:generate`, see
 * `scripts/generateDirectory.ts`), validated at load and indexed in memory.
 *
 * Every organisation, person, email address and phone number in the data set is invented. Mobiles
 * are in the 07400 range (valid GB mobiles to libphonenumber-js/max) and must never be contacted;
 * manager email domains are invented too and nothing may be sent to them.
 *
 * Fixed fixtures (the first organisations in the data set; their ODS codes are also listed in the
 * JSON's `fixtures` array and exported as `FIXTURES` from `scripts/generateDirectory.ts`):
 *
 * | purpose | kind | name | ODS | postcode (town) | CQC location ID | CQC contact ID | registered manager email | existing accounts |
 * | --- | --- | --- | --- | --- | --- | --- | --- | --- |
 * | care home, full details (the guide's example) | care | Amazing Carehomes | CPODS2 | LS6 1BN (Leeds) | 1-1002733005 | CON1-123456789 | manager@amazingcarehomes.co.uk | none |
 * | domiciliary care, same postcode as above | care | Amazing Home Care Ltd | VAHC1 | LS6 1BN (Leeds) | 1-1002733013 | CON1-123456790 | office@amazinghomecare.co.uk | none |
 * | dental practice, Route A | dental | Riverside Dental Practice | DODSA1 | BS1 5TY (Bristol) | 1-1002733021 | CON1-223456789 | reception@riversidedentalbristol.co.uk | david.price@nhs.net, +447400000021 |
 * | dental practice, Route B (`fullDetailsHeld: false`) | dental | Birchfield Dental Surgery | DODSB1 | B16 9LA (Birmingham) | 1-1002733039 | CON1-223456790 | practice.manager@birchfielddental.co.uk | none |
 * | already has a shared mailbox | care | Hollybank Care Home | VHB01 | NR2 2PA (Norwich) | 1-1002733047 | CON1-323456789 | manager@hollybankcarehome.co.uk | sarah.hollis@nhs.net, +447400000011; tom.okafor@nhs.net, +447400000012 |
 * | registration still being processed | care | Greenacres Nursing Home | VGA01 | TR1 1LH (Truro) | 1-1002733055 | CON1-323456790 | admin@greenacresnursinghome.co.uk | none |
 * | hospice (third-party process) | hospice | St Catherine's Hospice | 8SC01 | SY3 8HQ (Shrewsbury) | 1-1002733063 | CON1-423456789 | matron@stcatherineshospice.org.uk | none |
 * | long town (> 10 letters) and long name (mailbox cut at 64) | care | The Old Vicarage Residential and Nursing Home for Older People | VST01 | TS18 2BG (Stockton-on-Tees) | 1-1002733071 | CON1-423456790 | registered.manager@theoldvicaragestockton.co.uk | none |
 * | shared mailbox with 2 owners, and an account for each branch of password help | care | Larkspur House Care Home | VLH01 | YO31 8RG (York) | 1-1002733089 | CON1-523456789 | manager@larkspurhousecare.co.uk | 8, one without a mobile |
 * | a site already at 10 accounts | care | Fernlea Lodge | VFL10 | BD8 9DA (Bradford) | 1-1002733097 | CON1-523456790 | office@fernlealodge.co.uk | 10 |
 * | dental practice with a shared mailbox and 2 owners | dental | Quayside Dental Practice | DODSC1 | PL4 0DZ (Plymouth) | 1-1002733103 | CON1-623456789 | reception@quaysidedentalplymouth.co.uk | 3 |
 *
 * The existing accounts are the organisation's accounts in the account directory
 * (`adapters/data/accounts.json`, written by the same command; the fixture accounts are in
 * `scripts/accountFixtures.ts`). A few accounts have no mobile on record, so `mobile` is optional.
 *
 * Generated organisations' ODS codes: care `V` + 4 letters/digits (e.g. `VK3T8`), dental `V0` + 4
 * digits (e.g. `V04821`), hospices `8` + 4 letters/digits. Generated existing accounts use mobiles
 * +447400100000 to +447400999999; +4474000000xx is reserved for the fixtures.
 */
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { z } from 'zod';
import shippedDataSet from './data/organisations.json';
import type { Organisation, OrganisationDirectory } from './organisationDirectory';

/** A full UK postcode, upper case with one space ("LS6 1BN", "TS18 2BG"). */
export const POSTCODE = /^([A-Z]{1,2}\d[A-Z\d]?) (\d[ABD-HJLNP-UW-Z]{2})$/;
/** The outward part of a postcode ("LS6", "TS18", "SW1A"). */
export const OUTWARD_CODE = /^[A-Z]{1,2}\d[A-Z\d]?$/;
const ExistingAccountSchema = z.strictObject({
  address: z
    .email({ error: 'must be an email address' })
    .refine((value) => value === value.toLowerCase(), { error: 'must be lower case' }),
  mobile: z.string().regex(/^\+447\d{9}$/, { error: 'must be a UK mobile in E.164 (+447…)' }).optional(),
});

export const OrganisationSchema = z.strictObject({
  kind: z.enum(['care', 'dental', 'hospice']),
  name: z.string().trim().min(1).max(120),
  odsCode: z.string().regex(/^[A-Z0-9]{3,6}$/, { error: 'must be 3–6 upper-case letters and digits' }),
  cqcLocationId: z.string().regex(/^1-\d{9,11}$/, { error: 'must be 1- followed by 9 to 11 digits' }),
  cqcContactId: z.string().regex(/^(CON1-|1-)\d+$/, { error: 'must be CON1- or 1- followed by digits' }),
  address: z.strictObject({
    lines: z.array(z.string().trim().min(1)).min(1).max(4),
    town: z.string().trim().min(1),
    postcode: z.string().regex(POSTCODE, { error: 'must be a full postcode, upper case with one space' }),
  }),
  registeredManagerEmail: z.email({ error: 'must be an email address' }),
  hasSharedMailbox: z.boolean(),
  hasPendingRegistration: z.boolean(),
  fullDetailsHeld: z.boolean(),
  existingAccounts: z.array(ExistingAccountSchema).max(10),
});

export const DirectoryDataSetSchema = z.strictObject({
  generatedWith: z.strictObject({
    generator: z.string(),
    version: z.number().int().positive(),
    prng: z.string(),
    seed: z.number().int().nonnegative(),
  }),
  fixtures: z.array(z.string()),
  organisations: z.array(OrganisationSchema).min(1),
});

export type DirectoryDataSet = z.infer<typeof DirectoryDataSetSchema>;

export class DirectoryDataError extends Error {
  constructor(source: string, readonly problems: string[]) {
    const shown = problems.slice(0, 20).map((p) => `  - ${p}`);
    if (problems.length > shown.length) shown.push(`  - … and ${problems.length - shown.length} more`);
    super(`Organisation directory data set ${source} is malformed:\n${shown.join('\n')}`);
    this.name = 'DirectoryDataError';
  }
}

function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${issue.path.length ? issue.path.join('.') : '(root)'}: ${issue.message}`);
}

/** Checks that hold across organisations: unique ODS codes; fixtures present. */
function crossCheck(organisations: readonly Organisation[], fixtures: readonly string[] = []): string[] {
  const problems: string[] = [];
  const seen = new Map<string, number>();
  organisations.forEach((organisation, index) => {
    const first = seen.get(organisation.odsCode);
    if (first !== undefined) {
      problems.push(`organisations.${index}.odsCode: ${organisation.odsCode} is also used by organisations.${first}`);
    } else {
      seen.set(organisation.odsCode, index);
    }
  });
  for (const ods of fixtures) {
    if (!seen.has(ods)) problems.push(`fixtures: ${ods} is not an organisation in the data set`);
  }
  return problems;
}

/** Validates a data set as read from JSON; throws DirectoryDataError saying what is wrong. */
export function parseDirectoryDataSet(raw: unknown, source = 'adapters/data/organisations.json'): DirectoryDataSet {
  const result = DirectoryDataSetSchema.safeParse(raw);
  if (!result.success) throw new DirectoryDataError(source, describeIssues(result.error));
  const problems = crossCheck(result.data.organisations, result.data.fixtures);
  if (problems.length) throw new DirectoryDataError(source, problems);
  return result.data;
}

/** Upper case, no spaces, one space before the inward code: "ls11aa" → "LS1 1AA". Undefined if not a full postcode. */
export function normalisePostcode(input: string): string | undefined {
  const compact = input.replace(/\s+/g, '').toUpperCase();
  if (compact.length < 5) return undefined;
  const candidate = `${compact.slice(0, -3)} ${compact.slice(-3)}`;
  return POSTCODE.test(candidate) ? candidate : undefined;
}

/** "ls 6" → "LS6"; undefined if not an outward code. */
export function normaliseOutwardCode(input: string): string | undefined {
  const compact = input.replace(/\s+/g, '').toUpperCase();
  return OUTWARD_CODE.test(compact) ? compact : undefined;
}

function normaliseOdsCode(input: string): string {
  return input.replace(/\s+/g, '').toUpperCase();
}

function normaliseMobile(input: string): string {
  const parsed = parsePhoneNumberFromString(input.trim(), 'GB');
  return parsed ? parsed.number : input.replace(/[\s()-]/g, '');
}

function byName(a: Organisation, b: Organisation): number {
  return a.name.localeCompare(b.name, 'en-GB', { sensitivity: 'base' }) || (a.odsCode < b.odsCode ? -1 : a.odsCode > b.odsCode ? 1 : 0);
}

function addTo(index: Map<string, Organisation[]>, key: string, organisation: Organisation): void {
  const list = index.get(key);
  if (list) list.push(organisation);
  else index.set(key, [organisation]);
}

/** Copies, so a caller changing a result cannot change the directory. */
function copy(organisation: Organisation): Organisation {
  return structuredClone(organisation);
}

let shippedCache: DirectoryDataSet | undefined;

/** The shipped data set, validated once per process. */
export function loadShippedDataSet(): DirectoryDataSet {
  shippedCache ??= parseDirectoryDataSet(shippedDataSet);
  return shippedCache;
}

export class EmbeddedOrganisationDirectory implements OrganisationDirectory {
  private readonly byPostcode = new Map<string, Organisation[]>();
  private readonly byOutward = new Map<string, Organisation[]>();
  private readonly byOds = new Map<string, Organisation>();
  private readonly mobiles = new Set<string>();
  private readonly emails = new Set<string>();

  /** The shipped data set (`adapters/data/organisations.json`), or the organisations given. */
  constructor(organisations: readonly Organisation[] = loadShippedDataSet().organisations) {
    for (const organisation of organisations) {
      const postcode = organisation.address.postcode;
      addTo(this.byPostcode, postcode, organisation);
      addTo(this.byOutward, postcode.split(' ')[0]!, organisation);
      this.byOds.set(organisation.odsCode, organisation);
      for (const account of organisation.existingAccounts) {
        if (account.mobile) this.mobiles.add(account.mobile);
        this.emails.add(account.address.toLowerCase());
      }
    }
    for (const list of this.byPostcode.values()) list.sort(byName);
    for (const list of this.byOutward.values()) list.sort(byName);
  }

  /** A directory of just these organisations (validated like the shipped data set), for tests. */
  static fromOrganisations(list: readonly Organisation[]): EmbeddedOrganisationDirectory {
    const result = z.array(OrganisationSchema).safeParse(list);
    if (!result.success) throw new DirectoryDataError('(given organisations)', describeIssues(result.error));
    const problems = crossCheck(result.data);
    if (problems.length) throw new DirectoryDataError('(given organisations)', problems);
    return new EmbeddedOrganisationDirectory(result.data);
  }

  /** How many distinct keys each index holds. */
  get indexSizes(): { organisations: number; postcodes: number; outwardCodes: number; mobiles: number; emails: number } {
    return {
      organisations: this.byOds.size,
      postcodes: this.byPostcode.size,
      outwardCodes: this.byOutward.size,
      mobiles: this.mobiles.size,
      emails: this.emails.size,
    };
  }

  async findByPostcode(postcodeOrOutward: string): Promise<Organisation[]> {
    const full = normalisePostcode(postcodeOrOutward);
    if (full) return (this.byPostcode.get(full) ?? []).map(copy);
    const outward = normaliseOutwardCode(postcodeOrOutward);
    if (outward) return (this.byOutward.get(outward) ?? []).map(copy);
    return [];
  }

  async findByOdsCode(odsCode: string): Promise<Organisation | undefined> {
    const found = this.byOds.get(normaliseOdsCode(odsCode));
    return found ? copy(found) : undefined;
  }

  async isMobileInUse(e164: string): Promise<boolean> {
    return this.mobiles.has(normaliseMobile(e164));
  }

  async isEmailInUse(email: string): Promise<boolean> {
    return this.emails.has(email.trim().toLowerCase());
  }
}
