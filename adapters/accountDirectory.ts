/**
 * The NHSmail accounts of the people who use the assistant: who they are, which organisation's
 * container they sit in, whether a mobile is on record (it authenticates password resets), who
 * administers them (NAS, for accounts made by the registration portal or a bulk upload; or a
 * local organisation such as a CCG or CSU, with its own IT helpdesk), their shared mailbox access
 * and their status.
 *
 * This is the interface a real directory would sit behind (an NHSmail directory API, read with
 * the service's own credentials); the embedded implementation reads an invented data set shipped
 * in the repository (`adapters/data/accounts.json`). Read-only: the assistant raises requests for
 * NAS and never changes an account itself.
 */

export type AccountStatus =
  /** In use. */
  | 'active'
  /** Not signed in to for 90 days: it is deleted 90 days after it became inactive. */
  | 'inactive'
  /** Marked a leaver: removed from shared mailboxes; deleted 30 days later unless another organisation takes it on. */
  | 'leaver';

export type OrganisationKind = 'care' | 'dental' | 'hospice';

/** A local organisation that administers NHSmail accounts itself (CCGs became ICBs in 2022; a real directory may say either). */
export interface LocalOrganisation {
  /** A stable key for the organisation in the data set. */
  id: string;
  type: 'CCG' | 'CSU' | 'ICB';
  name: string;
  /** Where its users go for password resets, unlocks, leavers and joiners. */
  helpdesk: { name: string; email: string; phone: string };
}

/** Who administers the account (SPEC §2 "Locked out", §3 leavers). */
export type AccountHost =
  | { kind: 'nas'; createdBy: 'registrationPortal' | 'bulkUpload' }
  | { kind: 'local'; organisation: LocalOrganisation };

/** Access to one organisation's shared mailbox; an owner also has access. */
export interface SharedMailboxAccess {
  odsCode: string;
  role: 'member' | 'owner';
}

export interface NhsmailAccount {
  /** Lower case, e.g. jane.smith5@nhs.net */
  address: string;
  firstName: string;
  lastName: string;
  /** The organisation whose container the account sits in. */
  organisation: { odsCode: string; name: string; kind: OrganisationKind };
  /** E.164 (+447…); null when none is on record. */
  mobile: string | null;
  host: AccountHost;
  /** Shared mailboxes the account can open; empty for a leaver. */
  sharedMailboxes: SharedMailboxAccess[];
  status: AccountStatus;
  /** When it became inactive or was marked a leaver (`YYYY-MM-DD`); null while active. */
  statusSince: string | null;
  /** The last day it was signed in to (`YYYY-MM-DD`); null if never, i.e. not yet activated. */
  lastSignInOn: string | null;
}

/** An organisation's shared mailbox and who can open it. */
export interface SharedMailbox {
  odsCode: string;
  kind: 'care' | 'dental';
  /** e.g. care.norwich.hollybankcarehomevhb01@nhs.net */
  address: string;
  owners: NhsmailAccount[];
  /** Everyone with access, owners included. */
  members: NhsmailAccount[];
}

export interface AccountDirectory {
  /** The account at this address, compared case-insensitively, spaces around ignored. */
  findByAddress(address: string): Promise<NhsmailAccount | undefined>;
  /** The accounts in an organisation's container (any status), by ODS code in any case. */
  findByOrganisation(odsCode: string): Promise<NhsmailAccount[]>;
  /** The accounts with this mobile on record (any UK way of writing it). */
  findByMobile(mobile: string): Promise<NhsmailAccount[]>;
  /** The organisation's shared mailbox, if it has one. */
  findSharedMailbox(odsCode: string): Promise<SharedMailbox | undefined>;
  /** The owners of an organisation's shared mailbox (empty when it has none). */
  sharedMailboxOwners(odsCode: string): Promise<NhsmailAccount[]>;
}

/** Whether the account owns this organisation's shared mailbox. */
export function isSharedMailboxOwner(account: NhsmailAccount, odsCode: string): boolean {
  const ods = odsCode.trim().toUpperCase();
  return account.sharedMailboxes.some((s) => s.odsCode === ods && s.role === 'owner');
}

/** Whether the account can open this organisation's shared mailbox (as a member or an owner). */
export function hasSharedMailboxAccess(account: NhsmailAccount, odsCode: string): boolean {
  const ods = odsCode.trim().toUpperCase();
  return account.sharedMailboxes.some((s) => s.odsCode === ods);
}

/** Who resets, unlocks and marks leavers for this account: NAS's care or dental team, or the local helpdesk. */
export type AccountAdministrator =
  | { kind: 'nas'; queue: 'care' | 'dental' }
  | { kind: 'local'; organisation: LocalOrganisation };

export function administratorOf(account: NhsmailAccount): AccountAdministrator {
  if (account.host.kind === 'local') return { kind: 'local', organisation: account.host.organisation };
  return { kind: 'nas', queue: account.organisation.kind === 'dental' ? 'dental' : 'care' };
}
