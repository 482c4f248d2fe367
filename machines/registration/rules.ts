/**
 * The registration's domain rules (SPEC §1), in one place for the machine, the dialog and the
 * adapters: how many people, which roles, the shared mailbox address and its town letters, the
 * passcode alphabet. Pure functions and constants; the dialog only reads what people type.
 */

export type OrganisationKind = 'care' | 'dental' | 'hospice';
/** The kinds that register through this route (hospices use the third-party process). */
export type RegisteringKind = 'care' | 'dental';
export type OtpDelivery = 'email' | 'post';

export const MIN_MEMBERS = 2;
export const MAX_MEMBERS = 10;
/** Dental practices may name at most two shared mailbox owners in all. */
export const MAX_DENTAL_OWNERS = 2;
/** At most this many organisations are offered from one postcode; more → ask for the ODS code or full postcode. */
export const MAX_CANDIDATES = 12;

// ---------------------------------------------------------------------------------------------
// One-time passcodes (§1.3)
// ---------------------------------------------------------------------------------------------

/** 8 characters, never 0, O, 1 or I (they are too easily misread). */
export const PASSCODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
export const PASSCODE_LENGTH = 8;
/** Days a passcode stays valid after it is issued (SPEC §1.1, question 4). */
export const PASSCODE_VALID_DAYS: Readonly<Record<RegisteringKind, number>> = { care: 21, dental: 14 };
/** Failed verifications allowed per organisation in 24 hours, across all conversations. */
export const MAX_FAILED_VERIFICATIONS = 5;

// ---------------------------------------------------------------------------------------------
// Members (§1.4)
// ---------------------------------------------------------------------------------------------

export const TITLES = ['Mr', 'Mrs', 'Miss', 'Ms', 'Mx', 'Dr', 'Prof'] as const;
export type Title = (typeof TITLES)[number];

export const CARE_ROLES = [
  'Registered Manager',
  'Deputy Manager',
  'Nurse',
  'Senior Care Worker',
  'Care Assistant',
  'Administration & Clerical',
  'Other',
] as const;
export const DENTAL_ROLES = [
  'Dentist',
  'Dental Nurse',
  'Dental Hygienist',
  'Dental Therapist',
  'Practice Manager',
  'Receptionist',
  'Administration & Clerical',
  'Other',
] as const;
export type CareRole = (typeof CARE_ROLES)[number];
export type DentalRole = (typeof DENTAL_ROLES)[number];
export type Role = CareRole | DentalRole;
export const ROLES: { readonly care: readonly CareRole[]; readonly dental: readonly DentalRole[] } = {
  care: CARE_ROLES,
  dental: DENTAL_ROLES,
};

/** Names: letters, spaces, hyphens and apostrophes, 1–50 characters each. */
export const NAME_MAX_LENGTH = 50;
export const TOWN_MAX_LENGTH = 50;

/** NHSmail's own domains: an address here (or at any subdomain) already has an NHSmail account. */
export const NHSMAIL_DOMAINS: readonly string[] = ['nhs.net'];

/** A person who needs a new NHSmail account (SPEC §1.4). */
export interface Member {
  title?: string;
  firstName: string;
  lastName: string;
  email: string;
  /** E.164 */
  mobile: string;
  role: string;
  sharedMailboxAccess: boolean;
  mailboxAdmin: boolean;
  /** The first member is the shared mailbox owner; care providers may name more owners. */
  owner: boolean;
}

export const MEMBER_FIELDS = ['title', 'firstName', 'lastName', 'email', 'mobile', 'role', 'sharedMailboxAccess', 'mailboxAdmin', 'owner'] as const;
export type MemberField = (typeof MEMBER_FIELDS)[number];
/** The flags of the first member (the shared mailbox owner) are fixed. */
export const OWNER_FLAGS: readonly MemberField[] = ['owner', 'sharedMailboxAccess', 'mailboxAdmin'];

export const ownerCount = (list: readonly Pick<Member, 'owner'>[]) => list.filter((m) => m.owner).length;

/** A member's fields after a change, kept consistent: owners have access and are admins. */
export function withField<M extends Partial<Member>>(member: M, field: MemberField, value: unknown): M {
  const next = { ...member, [field]: value ?? undefined } as M;
  if (field === 'title' && !value) delete next.title;
  if (field === 'owner' && value === true) Object.assign(next, { sharedMailboxAccess: true, mailboxAdmin: true });
  if (field === 'sharedMailboxAccess' && value === false) Object.assign(next, { mailboxAdmin: false, owner: false });
  if (field === 'mailboxAdmin' && value === true) next.sharedMailboxAccess = true;
  if (field === 'mailboxAdmin' && value === false) next.owner = false;
  return next;
}

/** A member given whole, with the owner rules applied to its flags. */
export function ruledMember(member: Member, fixedOwner: boolean): Member {
  if (fixedOwner) return { ...member, owner: true, sharedMailboxAccess: true, mailboxAdmin: true };
  let next = { ...member };
  for (const field of OWNER_FLAGS) next = withField(next, field, member[field]);
  if (member.owner) next = withField(next, 'owner', true);
  return next;
}

/** "Mrs Jane Smith", as a list shows a member. */
export const fullName = (m: Pick<Member, 'title' | 'firstName' | 'lastName'>) => [m.title, m.firstName, m.lastName].filter(Boolean).join(' ');
/** "Jane Smith", as a sentence or a button names them. */
export const personName = (m: Pick<Member, 'firstName' | 'lastName'>) => [m.firstName, m.lastName].filter(Boolean).join(' ');

// ---------------------------------------------------------------------------------------------
// The town and the shared mailbox address (§1.4)
// ---------------------------------------------------------------------------------------------

/** The most letters the town part of a shared mailbox address may have. */
export const MAILBOX_TOWN_MAX_LETTERS = 10;
export const SHARED_MAILBOX_PREFIX: Readonly<Record<RegisteringKind, string>> = { care: 'care', dental: 'nhsdental' };
/** The most characters before the @ of an address. */
export const LOCAL_PART_MAX_LENGTH = 64;

/** Latin letters with their accents taken off (é → e); other characters unchanged. */
export function withoutAccents(text: string): string {
  return text.normalize('NFD').replace(/\p{M}+/gu, '').normalize('NFC');
}

/** A town's letters a–z, lower case: "Stoke-on-Trent" → "stokeontrent". */
export function townLetters(town: string): string {
  return withoutAccents(town).toLowerCase().replace(/[^a-z]/g, '');
}

/** "Stockton-on-Tees" and "stockton on tees" are the same town: the same letters. */
export function sameTown(a: string, b: string): boolean {
  const letters = townLetters(a);
  return letters.length > 0 && letters === townLetters(b);
}

/**
 * Whether an organisation's name is the one a user gave ("Oakhaven Court" for "Oakhaven Court
 * Care Home"): the same letters, or one name's words all among the other's (at least 4 letters).
 */
export function namesOrganisation(given: string, name: string): boolean {
  const words = (s: string) => withoutAccents(s).toLowerCase().replace(/&/g, ' and ').split(/[^a-z0-9]+/).filter(Boolean);
  const a = words(given);
  const b = words(name);
  if (a.join('').length < 4 || b.length === 0) return false;
  if (a.join('') === b.join('')) return true;
  const within = (x: string[], y: string[]) => x.every((w) => y.includes(w));
  return within(a, b) || within(b, a);
}

/** The user's own abbreviation of a long town: 1 to 10 lower-case letters. */
export function isTownAbbreviation(letters: string): boolean {
  return new RegExp(`^[a-z]{1,${MAILBOX_TOWN_MAX_LETTERS}}$`).test(letters);
}

export interface SharedMailboxInput {
  kind: RegisteringKind;
  /** The town part: 1 to 10 lower-case letters. */
  town: string;
  /** The organisation's name, as registered. */
  name: string;
  odsCode: string;
}

/**
 * `care.<town>.<name><odscode>@nhs.net` or `nhsdental.<town>.<name><odscode>@nhs.net`, where
 * `<name>` is the organisation name in lower case with accents taken off and everything but letters
 * and digits removed, cut so that the part before the @ is at most 64 characters. Undefined when
 * the town part or the ODS code is not usable, or the name has no letters or digits.
 */
export function sharedMailboxAddress(input: SharedMailboxInput): string | undefined {
  if (!isTownAbbreviation(input.town)) return undefined;
  const ods = input.odsCode.trim().toUpperCase();
  if (!/^[A-Z0-9]{3,6}$/.test(ods)) return undefined;
  const name = withoutAccents(input.name).toLowerCase().replace(/[^a-z0-9]/g, '');
  if (!name) return undefined;
  const head = `${SHARED_MAILBOX_PREFIX[input.kind]}.${input.town}.`;
  const tail = ods.toLowerCase();
  const room = LOCAL_PART_MAX_LENGTH - head.length - tail.length;
  return `${head}${name.slice(0, room)}${tail}@nhs.net`;
}
