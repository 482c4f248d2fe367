/**
 * The fixed NHSmail accounts of the embedded account directory, for tests and for trying each
 * branch of password help (SPEC §2) and owners' requests (SPEC §3) by hand. They sit in fixture
 * organisations of the organisation directory (scripts/generateDirectory.ts), whose
 * `existingAccounts` are taken from here so that the two directories agree.
 *
 * Everything is invented. Mobiles are +4474000000xx (valid GB mobiles to libphonenumber-js/max,
 * never to be contacted); local helpdesk phone numbers are in Ofcom's ranges kept for drama
 * (0117 496 0xxx, 01632 960xxx, …), so none reaches anyone.
 */
import type { ExistingAccount } from '../adapters/organisationDirectory';
import type { AccountRecord, LocalOrganisationRecord } from '../adapters/embeddedAccountDirectory';

/** The day the data set describes: statuses and sign-in dates are as of this day. */
export const ACCOUNTS_AS_OF = '2026-11-30';

export const LOCAL_ORGANISATIONS: readonly LocalOrganisationRecord[] = [
  {
    id: 'severn-vale-csu',
    type: 'CSU',
    name: 'Severn Vale Commissioning Support Unit',
    helpdesk: { name: 'Severn Vale CSU IT service desk', email: 'severnvale.itservicedesk@nhs.net', phone: '0117 496 0732' },
  },
  {
    id: 'minster-vale-ccg',
    type: 'CCG',
    name: 'NHS Minster Vale Clinical Commissioning Group',
    helpdesk: { name: 'Minster Vale CCG IT helpdesk', email: 'minstervale.ithelpdesk@nhs.net', phone: '01632 960418' },
  },
  {
    id: 'brackenmoor-ccg',
    type: 'CCG',
    name: 'NHS Brackenmoor Clinical Commissioning Group',
    helpdesk: { name: 'Brackenmoor CCG IT helpdesk', email: 'brackenmoor.ithelpdesk@nhs.net', phone: '0113 496 0251' },
  },
  {
    id: 'northern-fells-csu',
    type: 'CSU',
    name: 'Northern Fells Commissioning Support Unit',
    helpdesk: { name: 'Northern Fells CSU service desk', email: 'northernfells.servicedesk@nhs.net', phone: '0191 498 0377' },
  },
  {
    id: 'wealdbrook-ccg',
    type: 'CCG',
    name: 'NHS Wealdbrook Clinical Commissioning Group',
    helpdesk: { name: 'Wealdbrook CCG IT helpdesk', email: 'wealdbrook.ithelpdesk@nhs.net', phone: '020 7946 0815' },
  },
  {
    id: 'midland-shires-csu',
    type: 'CSU',
    name: 'Midland Shires Commissioning Support Unit',
    helpdesk: { name: 'Midland Shires CSU IT service desk', email: 'midlandshires.itservicedesk@nhs.net', phone: '0121 496 0964' },
  },
];

/** A fixture account; its organisation's name and kind come from the organisation directory. */
export type AccountFixture = Omit<AccountRecord, 'organisation'> & { odsCode: string };

const portal = { kind: 'nas', createdBy: 'registrationPortal' } as const;
const bulk = { kind: 'nas', createdBy: 'bulkUpload' } as const;
const local = (id: string) => ({ kind: 'local', organisation: id }) as const;
const owner = (odsCode: string) => [{ odsCode, role: 'owner' as const }];
const member = (odsCode: string) => [{ odsCode, role: 'member' as const }];
const active = (lastSignInOn: string | null) => ({ status: 'active' as const, statusSince: null, lastSignInOn });

function person(address: string, odsCode: string, mobile: string | null, rest: Omit<AccountFixture, 'address' | 'firstName' | 'lastName' | 'odsCode' | 'mobile'>): AccountFixture {
  const [first, last] = address.split('@')[0]!.split('.');
  const name = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
  return { address, firstName: name(first!), lastName: name(last!.replace(/\d+$/, '')), odsCode, mobile, ...rest };
}

/**
 * In the order of their organisations in the organisation directory.
 *
 * | who | organisation | what it is for |
 * | --- | --- | --- |
 * | david.price | Riverside Dental (DODSA1) | hosted by a CSU: locked out → its IT helpdesk |
 * | sarah.hollis | Hollybank (VHB01) | the only owner of a shared mailbox |
 * | tom.okafor | Hollybank (VHB01) | a member; with him gone fewer than 2 would keep access |
 * | priya.raman | Larkspur House (VLH01) | owner; also the Teams user whose address matches an owner |
 * | gareth.lloyd | Larkspur House (VLH01) | second owner |
 * | amy.pearce | Larkspur House (VLH01) | a mobile on record: reset by a texted code |
 * | joseph.achebe | Larkspur House (VLH01) | no mobile: an owner must vouch |
 * | dawn.fenwick | Larkspur House (VLH01) | inactive (not signed in for 90 days) |
 * | kwame.oyelaran | Larkspur House (VLH01) | a leaver |
 * | hannah.marsh | Larkspur House (VLH01) | never signed in: first login and activation |
 * | ruth.barnes | Larkspur House (VLH01) | hosted by a CCG, yet in the care home's shared mailbox |
 * | marcus.ashworth … jasmine.okoro | Fernlea Lodge (VFL10) | a site already at 10 accounts, one owner |
 * | nia.pryce, oliver.quayle, leah.doyle | Quayside Dental (DODSC1) | a dental practice with its 2 owners |
 */
export const ACCOUNT_FIXTURES: readonly AccountFixture[] = [
  person('david.price@nhs.net', 'DODSA1', '+447400000021', { host: local('severn-vale-csu'), sharedMailboxes: [], ...active('2026-11-25') }),
  person('sarah.hollis@nhs.net', 'VHB01', '+447400000011', { host: portal, sharedMailboxes: owner('VHB01'), ...active('2026-11-27') }),
  person('tom.okafor@nhs.net', 'VHB01', '+447400000012', { host: portal, sharedMailboxes: member('VHB01'), ...active('2026-11-20') }),

  person('priya.raman@nhs.net', 'VLH01', '+447400000031', { host: portal, sharedMailboxes: owner('VLH01'), ...active('2026-11-30') }),
  person('gareth.lloyd@nhs.net', 'VLH01', '+447400000032', { host: portal, sharedMailboxes: owner('VLH01'), ...active('2026-11-18') }),
  person('amy.pearce@nhs.net', 'VLH01', '+447400000033', { host: portal, sharedMailboxes: member('VLH01'), ...active('2026-11-26') }),
  person('joseph.achebe@nhs.net', 'VLH01', null, { host: bulk, sharedMailboxes: member('VLH01'), ...active('2026-11-10') }),
  person('dawn.fenwick@nhs.net', 'VLH01', '+447400000035', {
    host: portal,
    sharedMailboxes: member('VLH01'),
    status: 'inactive',
    statusSince: '2026-10-12',
    lastSignInOn: '2026-07-14',
  }),
  person('kwame.oyelaran@nhs.net', 'VLH01', '+447400000036', {
    host: portal,
    sharedMailboxes: [],
    status: 'leaver',
    statusSince: '2026-11-20',
    lastSignInOn: '2026-11-19',
  }),
  person('hannah.marsh@nhs.net', 'VLH01', '+447400000037', { host: portal, sharedMailboxes: member('VLH01'), ...active(null) }),
  person('ruth.barnes@nhs.net', 'VLH01', '+447400000038', { host: local('minster-vale-ccg'), sharedMailboxes: member('VLH01'), ...active('2026-11-24') }),

  person('marcus.ashworth@nhs.net', 'VFL10', '+447400000041', { host: portal, sharedMailboxes: owner('VFL10'), ...active('2026-11-29') }),
  person('leanne.boyce@nhs.net', 'VFL10', '+447400000042', { host: portal, sharedMailboxes: member('VFL10'), ...active('2026-11-28') }),
  person('imran.qureshi@nhs.net', 'VFL10', '+447400000043', { host: portal, sharedMailboxes: member('VFL10'), ...active('2026-11-27') }),
  person('bethany.caldwell@nhs.net', 'VFL10', '+447400000044', { host: portal, sharedMailboxes: member('VFL10'), ...active('2026-11-25') }),
  person('conor.delaney@nhs.net', 'VFL10', '+447400000045', { host: portal, sharedMailboxes: member('VFL10'), ...active('2026-11-23') }),
  person('esther.mwangi@nhs.net', 'VFL10', '+447400000046', { host: portal, sharedMailboxes: member('VFL10'), ...active('2026-11-21') }),
  person('felix.garland@nhs.net', 'VFL10', '+447400000047', { host: portal, sharedMailboxes: member('VFL10'), ...active('2026-11-19') }),
  person('gemma.thorne@nhs.net', 'VFL10', '+447400000048', { host: portal, sharedMailboxes: member('VFL10'), ...active('2026-11-17') }),
  person('isaac.lindqvist@nhs.net', 'VFL10', '+447400000049', { host: bulk, sharedMailboxes: [], ...active('2026-11-12') }),
  person('jasmine.okoro@nhs.net', 'VFL10', '+447400000050', { host: bulk, sharedMailboxes: [], ...active('2026-11-09') }),

  person('nia.pryce@nhs.net', 'DODSC1', '+447400000051', { host: portal, sharedMailboxes: owner('DODSC1'), ...active('2026-11-30') }),
  person('oliver.quayle@nhs.net', 'DODSC1', '+447400000052', { host: portal, sharedMailboxes: owner('DODSC1'), ...active('2026-11-26') }),
  person('leah.doyle@nhs.net', 'DODSC1', '+447400000053', { host: portal, sharedMailboxes: member('DODSC1'), ...active('2026-11-22') }),
];

/** How Teams names the owner priya.raman@nhs.net when she signs in (TeamsInfo.getMember). */
export const TEAMS_OWNER_IDENTITY = { name: 'Priya Raman', email: 'Priya.Raman@nhs.net', userPrincipalName: 'priya.raman@nhs.net' } as const;

/** The organisation directory's `existingAccounts` for a fixture organisation, from the accounts above. */
export function existingAccountsOf(odsCode: string): ExistingAccount[] {
  return ACCOUNT_FIXTURES.filter((a) => a.odsCode === odsCode).map((a) => (a.mobile ? { address: a.address, mobile: a.mobile } : { address: a.address }));
}
