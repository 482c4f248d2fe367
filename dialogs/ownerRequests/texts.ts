/**
 * The words the owners' requests share: what each kind of request is called, how people and
 * sites are named, and what a leaver report does (SPEC §3) — the consequences said before the
 * owner confirms. Figures come from machines/ownerRequests/rules.ts.
 */
import type { LeavingTo } from '../../adapters/nasRequests';
import {
  DELETED_DAYS_AFTER_MARKED,
  MIN_KEEPING_ACCESS,
  fullNameOf,
  type OwnerRequestsContext,
  type RequestKind,
  type SiteAccount,
} from '../../machines/ownerRequests';
import { ADMIN_EMAIL } from '../contacts';
import { quote } from '../text';
import { longDate } from './dates';

/** The buttons of "what would you like to ask for?", in order (a number picks one). */
export const KIND_CHOICES: readonly { kind: RequestKind; label: string; synonyms: string[] }[] = [
  { kind: 'leaver', label: 'Report a leaver', synonyms: ['leaver', 'leavers', 'report leaver', 'someone has left', 'a leaver'] },
  { kind: 'newStarter', label: 'Account for a new starter', synonyms: ['new starter', 'starter', 'new account', 'new staff', 'a new starter'] },
  { kind: 'joiner', label: 'Add a joiner who has NHSmail', synonyms: ['joiner', 'add a joiner', 'a joiner'] },
  { kind: 'ownerChange', label: 'Hand over ownership', synonyms: ['handover', 'hand over', 'new owner', 'change owner', 'owner change'] },
  { kind: 'nameChange', label: 'Change a name', synonyms: ['name change', 'change name', 'change of name', 'rename'] },
  { kind: 'siteAudit', label: 'Site audit: who has access', synonyms: ['audit', 'site audit', 'who has access', 'access list'] },
  { kind: 'teamsTeam', label: 'A Teams team for the site', synonyms: ['teams', 'teams team', 'team', 'microsoft teams'] },
  { kind: 'ownLeaving', label: 'I am leaving or moving', synonyms: ['my own leaving', 'i am leaving', 'im leaving', 'me', 'myself', 'i am moving', 'own leaving'] },
];

export const KIND_NOUN: Record<RequestKind, string> = {
  leaver: 'leaver report',
  ownLeaving: 'report of your own leaving',
  newStarter: 'new starter request',
  joiner: 'joiner request',
  ownerChange: 'owner handover',
  nameChange: 'name change',
  siteAudit: 'site audit',
  teamsTeam: 'Teams team request',
};

export const kindLabel = (kind: RequestKind) => KIND_CHOICES.find((k) => k.kind === kind)!.label;

/** "Tom Okafor (tom.okafor@nhs.net)" */
export const who = (a: { address: string; firstName: string; lastName: string }) => `${quote(fullNameOf(a))} (${a.address})`;
export const nameOf = (a: { firstName: string; lastName: string }) => quote(fullNameOf(a));

export const siteName = (c: Pick<OwnerRequestsContext, 'site'>) => (c.site ? `${quote(c.site.site.name)} (${c.site.site.odsCode})` : 'your site');

export const adminFor = (c: Pick<OwnerRequestsContext, 'site' | 'person'>) => ADMIN_EMAIL[c.site?.site.kind ?? (c.person?.organisation.kind === 'dental' ? 'dental' : 'care')];

export const accessWord = (a: SiteAccount) => (a.access === 'owner' ? 'owner' : a.access === 'member' ? 'has access' : 'no access');
export const statusWord = (a: SiteAccount) => (a.status === 'active' ? '' : a.status === 'inactive' ? ' · inactive (not used for 90 days)' : ' · marked a leaver');

/** Where a leaver is going, in words. */
export function leavingWords(leaving: LeavingTo | undefined, place: string): string {
  if (!leaving) return 'not said yet';
  if (leaving.leaving === 'organisation') return `leaving ${place} only (staying in social care)`;
  if (leaving.leaving === 'socialCare') return 'leaving social care altogether';
  return `moving to ${quote(leaving.provider.name)}${leaving.provider.odsCode ? ` (${leaving.provider.odsCode})` : ''}`;
}

export const lastDayWords = (day: string | undefined) => (day ? longDate(day) : 'not said yet');

/** The 30-day deletion, said before confirming. */
export const DELETION_WARNING = `Leaving social care altogether: the account is deleted ${DELETED_DAYS_AFTER_MARKED} days after it is marked a leaver. Please save anything the team needs from it (emails, contacts, files) before then.`;

export function fewerThanTwoText(keeping: readonly SiteAccount[]): string {
  const names = keeping.map(nameOf);
  const count = keeping.length === 0 ? 'nobody' : keeping.length === 1 ? `only 1 person (${names[0]})` : `${keeping.length} people`;
  return `Warning: after this, ${count} would have access to the shared mailbox. It should have at least ${MIN_KEEPING_ACCESS}, so its email can still be read when someone is away: you can ask for an account for a new starter, or add a joiner, once this is sent.`;
}
