import type { VerifiedIdentity } from '../flow';
import { MAX_MEMBERS } from '../registration/rules';
import type { LeaverDraft, SiteAccount, SiteView } from './model';

/**
 * The rules of the shared mailbox owners' requests (SPEC §3), as figures and pure functions: how
 * long a verified owner stays verified, how far back a leaver's last working day may be, the
 * site's limit of accounts, and what a leaver report does to the shared mailbox's owners and the
 * people who keep access to it. The dialog says them in words; ./plan.ts turns them into requests.
 */

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;

/** A verified owner stays verified in the conversation for this long (SPEC §3). */
export const OWNER_VERIFICATION_LASTS_MS = 8 * HOUR;
/** A leaver's last working day may be up to this many days in the past (SPEC §3). */
export const LAST_DAY_MAX_DAYS_AGO = 30;
/**
 * …and no more than this many days ahead. The SPEC is silent: a leaver is usually reported near
 * their last day, and a date a year or more ahead is almost always a typing mistake.
 */
export const LAST_DAY_MAX_DAYS_AHEAD = 365;
/** Leaving social care: the account is deleted this many days after it is marked a leaver. */
export const DELETED_DAYS_AFTER_MARKED = 30;
/** Fewer people than this keeping access to the shared mailbox is warned about. */
export const MIN_KEEPING_ACCESS = 2;
/** A site has at most this many accounts: a new starter is refused at the 11th. */
export const MAX_ACCOUNTS_PER_SITE = MAX_MEMBERS;

/** Whether an identity proved earlier in this conversation still counts. */
export function stillVerified(identity: VerifiedIdentity | undefined, now: number): identity is VerifiedIdentity {
  return !!identity && now >= identity.at && now - identity.at < OWNER_VERIFICATION_LASTS_MS;
}

const londonDate = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit' });

/** The day in London at a moment: `2026-12-02`. */
export const londonDay = (at: number): string => londonDate.format(at);

/** Days from one `YYYY-MM-DD` to another (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T12:00:00Z`) - Date.parse(`${from}T12:00:00Z`)) / DAY);
}

/** Why a last working day cannot be taken, if it cannot. */
export function lastDayProblem(day: string, now: number): 'lastDayTooLongAgo' | 'lastDayTooFarAhead' | undefined {
  const days = daysBetween(londonDay(now), day);
  if (days < -LAST_DAY_MAX_DAYS_AGO) return 'lastDayTooLongAgo';
  if (days > LAST_DAY_MAX_DAYS_AHEAD) return 'lastDayTooFarAhead';
  return undefined;
}

/** The earliest last working day that can be reported today. */
export const earliestLastDay = (now: number): string => londonDay(now - LAST_DAY_MAX_DAYS_AGO * DAY);

// --- The site's accounts ------------------------------------------------------------------------

/** Accounts that count towards the limit: every account not marked a leaver, and new starters asked for. */
export const accountsCounted = (site: SiteView): number => site.accounts.filter((a) => a.status !== 'leaver').length + site.pendingNewStarters;

export const siteIsFull = (site: SiteView): boolean => accountsCounted(site) >= MAX_ACCOUNTS_PER_SITE;

export const ownersOf = (site: SiteView): SiteAccount[] => site.accounts.filter((a) => a.access === 'owner' && a.status !== 'leaver');

const leavingAddresses = (draft: LeaverDraft): string[] => draft.entries.map((e) => e.address);

/** The owners among the leavers. */
export const ownersLeaving = (site: SiteView, draft: LeaverDraft): SiteAccount[] =>
  ownersOf(site).filter((o) => leavingAddresses(draft).includes(o.address));

/** The owners who stay. */
export const ownersStaying = (site: SiteView, draft: LeaverDraft): SiteAccount[] =>
  ownersOf(site).filter((o) => !leavingAddresses(draft).includes(o.address));

/** An owner leaves: a new owner is named first (required when no owner would stay). */
export const ownerIsLeaving = (site: SiteView, draft: LeaverDraft): boolean => ownersLeaving(site, draft).length > 0;

/** Who may become the new owner: people who stay, with an active account, not owners already. */
export const newOwnerCandidates = (site: SiteView, leaving: readonly string[]): SiteAccount[] =>
  site.accounts.filter((a) => a.status === 'active' && a.access !== 'owner' && !leaving.includes(a.address));

/** Who would keep access to the shared mailbox: those who stay, and the new owner. */
export function keepingAccess(site: SiteView, leaving: readonly string[], newOwner?: string | null): SiteAccount[] {
  return site.accounts.filter((a) => a.status !== 'leaver' && !leaving.includes(a.address) && (a.access !== 'none' || a.address === newOwner));
}

export const fewerThanTwoKeepAccess = (site: SiteView, draft: LeaverDraft): boolean =>
  keepingAccess(site, leavingAddresses(draft), draft.newOwner).length < MIN_KEEPING_ACCESS;

/** Whether every leaver has been asked everything. */
export const entryComplete = (draft: LeaverDraft, index = draft.current) => {
  const entry = draft.entries[index];
  return !!entry?.lastWorkingDay && !!entry.leaving;
};
