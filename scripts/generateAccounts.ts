/**
 * Writes the embedded account directory, `adapters/data/accounts.json`, from the organisations of
 * the organisation directory: `npm run directory:generate` writes both files together, so that
 * every NHSmail account the organisation directory counts (`existingAccounts`, which the
 * registration's "mobile already on an NHSmail account" check reads) is an account here, and the
 * other way round.
 *
 * The fixture accounts (scripts/accountFixtures.ts) come first; then, for every other
 * organisation's existing accounts, an invented person: their name from the address, who
 * administers the account (NAS for sites with a shared mailbox; mostly a local CCG or CSU for the
 * staff of organisations without one, always for hospices), shared mailbox access (the first
 * account of a site owns its mailbox), a status and last sign-in as of ACCOUNTS_AS_OF, and for a
 * few, no mobile on record. A seeded PRNG of its own drives it, so the organisations' own
 * generation is untouched by changes here.
 */
import type { AccountRecord, AccountDataSet, SharedMailboxRecord } from '../adapters/embeddedAccountDirectory';
import { crossCheckWithOrganisations, parseAccountDataSet } from '../adapters/embeddedAccountDirectory';
import type { ExistingAccount, Organisation } from '../adapters/organisationDirectory';
import { mailboxTown } from '../dialogs/validators';
import { sharedMailboxAddress } from '../machines/registration/rules';
import { ACCOUNT_FIXTURES, ACCOUNTS_AS_OF, LOCAL_ORGANISATIONS } from './accountFixtures';
import { Random } from './random';

export const ACCOUNTS_VERSION = 1;

/** The accounts' own seed, derived from the directory's. */
export const accountsSeed = (directorySeed: number) => (Math.imul(directorySeed, 31) + 0xacc) >>> 0;

function daysBefore(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) - days * 86_400_000).toISOString().slice(0, 10);
}

function nameFromAddress(address: string): { firstName: string; lastName: string } {
  const [first, last] = address.split('@')[0]!.split('.');
  const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
  return { firstName: capital(first!), lastName: capital(last!.replace(/\d+$/, '')) };
}

/** The shared mailbox address the registration would have made (town cut to 10 letters). */
export function sharedMailboxOf(organisation: Organisation): SharedMailboxRecord {
  if (organisation.kind === 'hospice') throw new Error(`${organisation.odsCode}: a hospice has no shared mailbox on this route`);
  const town = mailboxTown(organisation.address.town);
  if (!town.ok) throw new Error(`${organisation.odsCode}: ${town.error}`);
  const address = sharedMailboxAddress({ kind: organisation.kind, town: town.value.proposedAbbreviation, name: organisation.name, odsCode: organisation.odsCode });
  if (!address) throw new Error(`${organisation.odsCode}: no shared mailbox address can be made from its name`);
  return { odsCode: organisation.odsCode, kind: organisation.kind, address };
}

class AccountGenerator {
  private readonly random: Random;
  constructor(seed: number) {
    this.random = new Random(seed);
  }

  accountsOf(organisation: Organisation): AccountRecord[] {
    const r = this.random;
    const ofOrganisation = { odsCode: organisation.odsCode, name: organisation.name, kind: organisation.kind };
    const mailbox = organisation.hasSharedMailbox;
    const localHost = organisation.kind === 'hospice' || (!mailbox && r.chance(0.7));
    const localOrganisation = r.pick(LOCAL_ORGANISATIONS).id;
    return organisation.existingAccounts.map((existing, index): AccountRecord => {
      const isOwner = mailbox && (index === 0 || (index === 1 && organisation.kind === 'care' && r.chance(0.25)));
      const roll = r.int(1, 100);
      const status = isOwner || roll <= 82 ? 'active' : roll <= 94 ? 'inactive' : 'leaver';
      let lastSignInOn: string | null;
      let statusSince: string | null = null;
      if (status === 'active') {
        lastSignInOn = r.chance(0.07) ? null : daysBefore(ACCOUNTS_AS_OF, r.int(0, 75));
      } else if (status === 'inactive') {
        lastSignInOn = daysBefore(ACCOUNTS_AS_OF, r.int(91, 175));
        statusSince = daysBefore(lastSignInOn, -90);
      } else {
        statusSince = daysBefore(ACCOUNTS_AS_OF, r.int(0, 28));
        lastSignInOn = daysBefore(statusSince, r.int(0, 10));
      }
      const access = mailbox && status !== 'leaver' && (isOwner || r.chance(0.9));
      // Owners keep a mobile: NAS calls on it when someone else needs vouching for.
      const mobile = existing.mobile && (isOwner || !r.chance(0.07)) ? existing.mobile : null;
      return {
        address: existing.address,
        ...nameFromAddress(existing.address),
        organisation: ofOrganisation,
        mobile,
        host: localHost ? { kind: 'local', organisation: localOrganisation } : { kind: 'nas', createdBy: r.chance(mailbox ? 0.9 : 0) ? 'registrationPortal' : 'bulkUpload' },
        sharedMailboxes: access ? [{ odsCode: organisation.odsCode, role: isOwner ? 'owner' : 'member' }] : [],
        status,
        statusSince,
        lastSignInOn,
      };
    });
  }
}

/**
 * The account data set for these organisations, and the organisations with their
 * `existingAccounts` as the accounts have them (a mobile dropped where the account has none).
 * Fixture organisations take their accounts from ACCOUNT_FIXTURES.
 */
export function generateAccounts(
  organisations: readonly Organisation[],
  fixtureOdsCodes: readonly string[],
  directorySeed: number,
): { accounts: AccountDataSet; organisations: Organisation[] } {
  const seed = accountsSeed(directorySeed);
  const generator = new AccountGenerator(seed);
  const fixtures = new Set(fixtureOdsCodes);
  const accounts: AccountRecord[] = [];
  const updated = organisations.map((organisation) => {
    const own = fixtures.has(organisation.odsCode)
      ? ACCOUNT_FIXTURES.filter((f) => f.odsCode === organisation.odsCode).map(({ odsCode: _ods, ...rest }): AccountRecord => ({
          ...rest,
          organisation: { odsCode: organisation.odsCode, name: organisation.name, kind: organisation.kind },
        }))
      : generator.accountsOf(organisation);
    accounts.push(...own);
    const existingAccounts = own.map((a): ExistingAccount => (a.mobile ? { address: a.address, mobile: a.mobile } : { address: a.address }));
    return { ...organisation, existingAccounts };
  });
  const orphans = ACCOUNT_FIXTURES.filter((f) => !fixtures.has(f.odsCode));
  if (orphans.length) throw new Error(`Fixture accounts in organisations that are not fixtures: ${orphans.map((f) => f.address).join(', ')}`);
  const dataSet: AccountDataSet = {
    generatedWith: { generator: 'scripts/generateAccounts.ts', version: ACCOUNTS_VERSION, prng: 'mulberry32', seed },
    asOf: ACCOUNTS_AS_OF,
    fixtures: ACCOUNT_FIXTURES.map((f) => f.address),
    localOrganisations: LOCAL_ORGANISATIONS.map((l) => structuredClone(l)),
    sharedMailboxes: updated.filter((o) => o.hasSharedMailbox).map(sharedMailboxOf),
    accounts,
  };
  // The adapter's own checks, and agreement with the organisations: fail loudly rather than write data they would refuse.
  const checked = parseAccountDataSet(JSON.parse(JSON.stringify(dataSet)), `generated with seed ${seed}`);
  const disagreements = crossCheckWithOrganisations(checked, updated);
  if (disagreements.length) throw new Error(`Generated accounts disagree with the organisations:\n${disagreements.slice(0, 20).join('\n')}`);
  return { accounts: dataSet, organisations: updated };
}

/** Compact JSON: one account a line, so diffs stay readable. */
export function serialiseAccounts(dataSet: AccountDataSet): string {
  return [
    '{',
    `"generatedWith": ${JSON.stringify(dataSet.generatedWith)},`,
    `"asOf": ${JSON.stringify(dataSet.asOf)},`,
    `"fixtures": ${JSON.stringify(dataSet.fixtures)},`,
    '"localOrganisations": [',
    dataSet.localOrganisations.map((l) => JSON.stringify(l)).join(',\n'),
    '],',
    '"sharedMailboxes": [',
    dataSet.sharedMailboxes.map((m) => JSON.stringify(m)).join(',\n'),
    '],',
    '"accounts": [',
    dataSet.accounts.map((a) => JSON.stringify(a)).join(',\n'),
    ']',
    '}',
    '',
  ].join('\n');
}
