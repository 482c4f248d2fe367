/**
 * The embedded account directory: the invented data set shipped in `adapters/data/accounts.json`
 * (written with the organisation directory by `npm run directory:generate`, see
 * `scripts/generateAccounts.ts`), validated at load and indexed in memory.
 *
 * Every account belongs to an organisation of `adapters/data/organisations.json`, and that
 * organisation's `existingAccounts` lists exactly its accounts (address, and mobile when there is
 * one): `crossCheckWithOrganisations` says where they disagree, the generator refuses to write
 * data that does, and a test checks the shipped files.
 *
 * The fixture accounts (listed in the JSON's `fixtures` and in the README) are described in
 * `scripts/accountFixtures.ts`.
 */
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { z } from 'zod';
import shippedDataSet from './data/accounts.json';
import type { AccountDirectory, LocalOrganisation, NhsmailAccount, SharedMailbox } from './accountDirectory';
import type { Organisation } from './organisationDirectory';

/** The most accounts one site may have (SPEC §1.4, §3: a new starter is refused at the 11th). */
export const MAX_ACCOUNTS_PER_SITE = 10;
/** A dental practice names at most 2 shared mailbox owners (SPEC §1.4). */
export const MAX_DENTAL_OWNERS = 2;

const IsoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { error: 'must be a date written YYYY-MM-DD' });
const OdsCode = z.string().regex(/^[A-Z0-9]{3,6}$/, { error: 'must be 3–6 upper-case letters and digits' });
const NhsmailAddress = z
  .email({ error: 'must be an email address' })
  .refine((value) => value === value.toLowerCase(), { error: 'must be lower case' })
  .refine((value) => value.endsWith('@nhs.net'), { error: 'must be an @nhs.net address' });
const Name = z.string().trim().min(1).max(50);

export const LocalOrganisationSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9-]+$/, { error: 'must be lower-case letters, digits and hyphens' }),
  type: z.enum(['CCG', 'CSU', 'ICB']),
  name: z.string().trim().min(1),
  helpdesk: z.strictObject({ name: z.string().trim().min(1), email: z.email(), phone: z.string().regex(/^0[\d ]{9,12}$/) }),
});

export const AccountRecordSchema = z.strictObject({
  address: NhsmailAddress,
  firstName: Name,
  lastName: Name,
  organisation: z.strictObject({ odsCode: OdsCode, name: z.string().trim().min(1), kind: z.enum(['care', 'dental', 'hospice']) }),
  mobile: z.string().regex(/^\+447\d{9}$/, { error: 'must be a UK mobile in E.164 (+447…)' }).nullable(),
  host: z.discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('nas'), createdBy: z.enum(['registrationPortal', 'bulkUpload']) }),
    z.strictObject({ kind: z.literal('local'), organisation: z.string().min(1) }),
  ]),
  sharedMailboxes: z.array(z.strictObject({ odsCode: OdsCode, role: z.enum(['member', 'owner']) })),
  status: z.enum(['active', 'inactive', 'leaver']),
  statusSince: IsoDate.nullable(),
  lastSignInOn: IsoDate.nullable(),
});

export const SharedMailboxRecordSchema = z.strictObject({
  odsCode: OdsCode,
  kind: z.enum(['care', 'dental']),
  address: NhsmailAddress,
});

export const AccountDataSetSchema = z.strictObject({
  generatedWith: z.strictObject({
    generator: z.string(),
    version: z.number().int().positive(),
    prng: z.string(),
    seed: z.number().int().nonnegative(),
  }),
  asOf: IsoDate,
  fixtures: z.array(z.string()),
  localOrganisations: z.array(LocalOrganisationSchema),
  sharedMailboxes: z.array(SharedMailboxRecordSchema),
  accounts: z.array(AccountRecordSchema),
});

export type LocalOrganisationRecord = z.infer<typeof LocalOrganisationSchema>;
export type AccountRecord = z.infer<typeof AccountRecordSchema>;
export type SharedMailboxRecord = z.infer<typeof SharedMailboxRecordSchema>;
export type AccountDataSet = z.infer<typeof AccountDataSetSchema>;

export class AccountDataError extends Error {
  constructor(source: string, readonly problems: string[]) {
    const shown = problems.slice(0, 20).map((p) => `  - ${p}`);
    if (problems.length > shown.length) shown.push(`  - … and ${problems.length - shown.length} more`);
    super(`Account directory data set ${source} is malformed:\n${shown.join('\n')}`);
    this.name = 'AccountDataError';
  }
}

/** The rules that hold across accounts, mailboxes and local organisations. */
function crossCheck(data: AccountDataSet): string[] {
  const problems: string[] = [];
  const locals = new Set(data.localOrganisations.map((l) => l.id));
  const mailboxes = new Map<string, SharedMailboxRecord>();
  data.sharedMailboxes.forEach((m, i) => {
    if (mailboxes.has(m.odsCode)) problems.push(`sharedMailboxes.${i}.odsCode: ${m.odsCode} has two shared mailboxes`);
    mailboxes.set(m.odsCode, m);
  });
  const addresses = new Map<string, number>();
  const mobiles = new Map<string, number>();
  const perSite = new Map<string, number>();
  const owners = new Map<string, number>();
  data.accounts.forEach((a, i) => {
    const at = `accounts.${i}`;
    const firstAddress = addresses.get(a.address);
    if (firstAddress !== undefined) problems.push(`${at}.address: ${a.address} is also accounts.${firstAddress}`);
    else addresses.set(a.address, i);
    if (a.mobile) {
      const firstMobile = mobiles.get(a.mobile);
      if (firstMobile !== undefined) problems.push(`${at}.mobile: ${a.mobile} is also on accounts.${firstMobile}`);
      else mobiles.set(a.mobile, i);
    }
    perSite.set(a.organisation.odsCode, (perSite.get(a.organisation.odsCode) ?? 0) + 1);
    if (a.host.kind === 'local' && !locals.has(a.host.organisation)) problems.push(`${at}.host.organisation: ${a.host.organisation} is not a local organisation in the data set`);
    if (a.host.kind === 'nas' && a.organisation.kind === 'hospice') problems.push(`${at}.host: a hospice's account cannot be administered by NAS`);
    if ((a.status === 'active') !== (a.statusSince === null)) problems.push(`${at}.statusSince: must be set exactly when the account is not active`);
    if (a.status === 'leaver' && a.sharedMailboxes.length) problems.push(`${at}.sharedMailboxes: a leaver has been removed from every shared mailbox`);
    if (a.lastSignInOn && a.lastSignInOn > data.asOf) problems.push(`${at}.lastSignInOn: ${a.lastSignInOn} is after asOf ${data.asOf}`);
    if (a.statusSince && a.statusSince > data.asOf) problems.push(`${at}.statusSince: ${a.statusSince} is after asOf ${data.asOf}`);
    if (a.status === 'inactive' && (!a.lastSignInOn || !a.statusSince || a.statusSince < a.lastSignInOn)) {
      problems.push(`${at}: an inactive account became inactive after its last sign-in`);
    }
    const seen = new Set<string>();
    a.sharedMailboxes.forEach((s, j) => {
      if (!mailboxes.has(s.odsCode)) problems.push(`${at}.sharedMailboxes.${j}: ${s.odsCode} has no shared mailbox in the data set`);
      if (seen.has(s.odsCode)) problems.push(`${at}.sharedMailboxes.${j}: ${s.odsCode} is listed twice`);
      seen.add(s.odsCode);
      if (s.role === 'owner') owners.set(s.odsCode, (owners.get(s.odsCode) ?? 0) + 1);
    });
  });
  for (const [ods, count] of perSite) {
    if (count > MAX_ACCOUNTS_PER_SITE) problems.push(`${ods} has ${count} accounts; a site has at most ${MAX_ACCOUNTS_PER_SITE}`);
  }
  for (const m of mailboxes.values()) {
    const count = owners.get(m.odsCode) ?? 0;
    if (count === 0) problems.push(`the shared mailbox of ${m.odsCode} has no owner`);
    if (m.kind === 'dental' && count > MAX_DENTAL_OWNERS) problems.push(`the dental practice ${m.odsCode} has ${count} owners; at most ${MAX_DENTAL_OWNERS}`);
  }
  for (const address of data.fixtures) if (!addresses.has(address)) problems.push(`fixtures: ${address} is not an account in the data set`);
  return problems;
}

/** Validates a data set as read from JSON; throws AccountDataError saying what is wrong. */
export function parseAccountDataSet(raw: unknown, source = 'adapters/data/accounts.json'): AccountDataSet {
  const result = AccountDataSetSchema.safeParse(raw);
  if (!result.success) {
    throw new AccountDataError(source, result.error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`));
  }
  const problems = crossCheck(result.data);
  if (problems.length) throw new AccountDataError(source, problems);
  return result.data;
}

/**
 * Where the account directory and the organisation directory disagree: an account in an unknown
 * organisation (or with another name or kind), a shared mailbox the organisation is not said to
 * have, or `existingAccounts` that are not exactly the organisation's accounts.
 */
export function crossCheckWithOrganisations(data: AccountDataSet, organisations: readonly Organisation[]): string[] {
  const problems: string[] = [];
  const byOds = new Map(organisations.map((o) => [o.odsCode, o]));
  const accountsOf = new Map<string, string[]>();
  for (const a of data.accounts) {
    const o = byOds.get(a.organisation.odsCode);
    if (!o) {
      problems.push(`${a.address}: organisation ${a.organisation.odsCode} is not in the organisation directory`);
      continue;
    }
    if (o.name !== a.organisation.name || o.kind !== a.organisation.kind) problems.push(`${a.address}: organisation ${o.odsCode} is ${o.kind} "${o.name}" in the organisation directory`);
    const list = accountsOf.get(o.odsCode) ?? [];
    list.push(JSON.stringify(a.mobile ? { address: a.address, mobile: a.mobile } : { address: a.address }));
    accountsOf.set(o.odsCode, list);
  }
  const mailboxes = new Set(data.sharedMailboxes.map((m) => m.odsCode));
  for (const o of organisations) {
    if (o.hasSharedMailbox !== mailboxes.has(o.odsCode)) {
      problems.push(`${o.odsCode}: hasSharedMailbox is ${o.hasSharedMailbox} but the account directory ${mailboxes.has(o.odsCode) ? 'has' : 'has no'} shared mailbox for it`);
    }
    const listed = o.existingAccounts.map((e) => JSON.stringify(e.mobile ? { address: e.address, mobile: e.mobile } : { address: e.address }));
    const actual = accountsOf.get(o.odsCode) ?? [];
    if (listed.join('\n') !== actual.join('\n')) problems.push(`${o.odsCode}: existingAccounts ${listed.join(', ') || 'none'} are not its accounts ${actual.join(', ') || 'none'}`);
  }
  return problems;
}

function normaliseAddress(input: string): string {
  return input.trim().toLowerCase();
}

function normaliseMobile(input: string): string {
  const parsed = parsePhoneNumberFromString(input.trim(), 'GB');
  return parsed ? parsed.number : input.replace(/[\s()-]/g, '');
}

let shippedCache: AccountDataSet | undefined;

/** The shipped data set, validated once per process. */
export function loadShippedAccounts(): AccountDataSet {
  shippedCache ??= parseAccountDataSet(shippedDataSet);
  return shippedCache;
}

export class EmbeddedAccountDirectory implements AccountDirectory {
  private readonly byAddress = new Map<string, NhsmailAccount>();
  private readonly byOrganisation = new Map<string, NhsmailAccount[]>();
  private readonly byMobile = new Map<string, NhsmailAccount[]>();
  private readonly mailboxes = new Map<string, SharedMailboxRecord>();
  /** Who can open each shared mailbox, by ODS code. */
  private readonly access = new Map<string, NhsmailAccount[]>();

  /** The shipped data set (`adapters/data/accounts.json`), or the one given (validated like it). */
  constructor(data: AccountDataSet = loadShippedAccounts()) {
    const locals = new Map<string, LocalOrganisation>(data.localOrganisations.map((l) => [l.id, l]));
    for (const m of data.sharedMailboxes) this.mailboxes.set(m.odsCode, m);
    for (const record of data.accounts) {
      const account: NhsmailAccount = {
        ...record,
        host: record.host.kind === 'nas' ? record.host : { kind: 'local', organisation: locals.get(record.host.organisation)! },
      };
      this.byAddress.set(account.address, account);
      const site = this.byOrganisation.get(account.organisation.odsCode) ?? [];
      site.push(account);
      this.byOrganisation.set(account.organisation.odsCode, site);
      if (account.mobile) this.byMobile.set(account.mobile, [...(this.byMobile.get(account.mobile) ?? []), account]);
      for (const s of account.sharedMailboxes) this.access.set(s.odsCode, [...(this.access.get(s.odsCode) ?? []), account]);
    }
  }

  /** A directory of just this data (validated like the shipped data set), for tests. */
  static fromDataSet(raw: unknown): EmbeddedAccountDirectory {
    return new EmbeddedAccountDirectory(parseAccountDataSet(raw, '(given data set)'));
  }

  get size(): { accounts: number; organisations: number; mobiles: number; sharedMailboxes: number } {
    return { accounts: this.byAddress.size, organisations: this.byOrganisation.size, mobiles: this.byMobile.size, sharedMailboxes: this.mailboxes.size };
  }

  async findByAddress(address: string): Promise<NhsmailAccount | undefined> {
    const found = this.byAddress.get(normaliseAddress(address));
    return found ? structuredClone(found) : undefined;
  }

  async findByOrganisation(odsCode: string): Promise<NhsmailAccount[]> {
    return structuredClone(this.byOrganisation.get(odsCode.replace(/\s+/g, '').toUpperCase()) ?? []);
  }

  async findByMobile(mobile: string): Promise<NhsmailAccount[]> {
    return structuredClone(this.byMobile.get(normaliseMobile(mobile)) ?? []);
  }

  async findSharedMailbox(odsCode: string): Promise<SharedMailbox | undefined> {
    const ods = odsCode.replace(/\s+/g, '').toUpperCase();
    const mailbox = this.mailboxes.get(ods);
    if (!mailbox) return undefined;
    const withAccess = this.access.get(ods) ?? [];
    return structuredClone({
      ...mailbox,
      owners: withAccess.filter((a) => a.sharedMailboxes.some((s) => s.odsCode === ods && s.role === 'owner')),
      members: withAccess,
    });
  }

  async sharedMailboxOwners(odsCode: string): Promise<NhsmailAccount[]> {
    return (await this.findSharedMailbox(odsCode))?.owners ?? [];
  }
}
