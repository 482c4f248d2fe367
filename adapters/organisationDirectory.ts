/**
 * The organisations that may register: care homes, domiciliary care providers, dental practices
 * and hospices in England, as NHS and CQC records hold them. The embedded implementation reads a
 * data set shipped in the repository (`adapters/data/organisations.json`).
 */

export type OrganisationKind = 'care' | 'dental' | 'hospice';

export interface ExistingAccount {
  /** NHSmail address, e.g. jane.smith5@nhs.net */
  address: string;
  /** E.164, e.g. +447400123456; absent when the account has no mobile on record. */
  mobile?: string;
}

export interface Organisation {
  kind: OrganisationKind;
  name: string;
  /** Upper case, 3–6 letters and digits; care sites usually begin with V. */
  odsCode: string;
  /** `1-` followed by 9 to 11 digits. */
  cqcLocationId: string;
  /** The registered manager's ID: `CON1-` or `1-` followed by digits. */
  cqcContactId: string;
  address: { lines: string[]; town: string; postcode: string };
  /** Where an emailed passcode goes; compared case-insensitively with what the user types. */
  registeredManagerEmail: string;
  hasSharedMailbox: boolean;
  hasPendingRegistration: boolean;
  /**
   * Dental practices only: false when the directory does not hold the practice's full details,
   * so it registers by Route B (passcode by post, then confirm the CQC details shown).
   */
  fullDetailsHeld: boolean;
  /**
   * NHSmail accounts already linked to this organisation (for duplicate checks): exactly the
   * organisation's accounts in the account directory (adapters/accountDirectory.ts).
   */
  existingAccounts: ExistingAccount[];
}

export interface OrganisationDirectory {
  /** Organisations at a full postcode ("LL11 1AA") or an outward code ("LL11"); normalised input. */
  findByPostcode(postcodeOrOutward: string): Promise<Organisation[]>;
  findByOdsCode(odsCode: string): Promise<Organisation | undefined>;
  /** True when some NHSmail account anywhere already uses this mobile (E.164) or address. */
  isMobileInUse(e164: string): Promise<boolean>;
  isEmailInUse(email: string): Promise<boolean>;
}
