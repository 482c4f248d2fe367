import type { NasRequest, NasRequestStatus, NasStatusChange } from '../../adapters/nasRequests';
import { clockTime } from '../../dialogs/contactHours';
import { displayMobile } from '../../dialogs/passwordHelp/messages';

/**
 * NAS requests as the back office shows them (API, page, command line, export): everything NAS
 * needs to do the work, without what only the bot uses (the conversation's reference and key).
 */

export const STATUS_NAMES: Record<NasRequestStatus, string> = {
  received: 'received',
  inProgress: 'in progress',
  waitingForRequester: 'waiting for the requester',
  done: 'done',
  rejected: 'rejected',
};

export const KIND_NAMES: Record<string, string> = {
  registration: 'registration',
  passwordReset: 'password reset',
  leaver: 'leaver',
  joiner: 'joiner',
  newStarter: 'new starter',
  ownerChange: 'owner change',
  nameChange: 'name change',
  siteAudit: 'site audit',
  teamsTeam: 'Teams team',
  question: 'question',
};

export const kindName = (kind: string) => KIND_NAMES[kind] ?? kind;

export interface HistoryView {
  status: NasRequestStatus;
  statusName: string;
  at: string;
  by: string;
  reason?: string;
  question?: string;
  answer?: string;
}

export interface RequestSummaryView {
  reference: string;
  kind: string;
  kindName: string;
  queue: string;
  odsCode?: string;
  status: NasRequestStatus;
  statusName: string;
  /** One line: what it is about (an organisation and its members, an account…). */
  summary: string;
  assignee?: string;
  duplicateOf?: string;
  createdAt: string;
  updatedAt: string;
  /** The ETag: send it back as If-Match to change the status. */
  version: number;
}

export interface RequestView extends RequestSummaryView {
  /** Where the status may go from here. */
  allowedStatuses: NasRequestStatus[];
  /** The question NAS is waiting on an answer to, while waiting for the requester. */
  openQuestion?: string;
  requester: { channel: string; email?: string };
  details: unknown;
  /** What NAS needs from the details, in words, for kinds without a view of their own (a password reset). */
  facts?: Fact[];
  history: HistoryView[];
}

export interface Fact {
  term: string;
  value: string;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** One line about a request, from its kind's details. */
export function summaryOf(request: NasRequest): string {
  const details = request.details as unknown as Record<string, unknown>;
  if (request.kind === 'registration') {
    const { organisation, members } = request.details;
    return `${organisation.name} (${organisation.odsCode}), ${members.length} member${members.length === 1 ? '' : 's'}`;
  }
  if (request.kind === 'passwordReset') {
    const { account, verification } = request.details;
    return `${account.name} (${account.address}), verified by ${verification.verifiedBy === 'mobile' ? 'mobile' : 'a shared mailbox owner'}`;
  }
  // Later kinds: whatever names the subject, in the order a person would look for it.
  for (const field of ['summary', 'organisationName', 'address', 'leaverAddress', 'name']) {
    if (typeof details?.[field] === 'string' && details[field]) return String(details[field]);
  }
  const other = request as { kind: string; odsCode?: string };
  return `${kindName(other.kind)}${other.odsCode ? ` for ${other.odsCode}` : ''}`;
}

export function historyView(change: NasStatusChange & { answer?: string }): HistoryView {
  return {
    status: change.status,
    statusName: STATUS_NAMES[change.status] ?? change.status,
    at: iso(change.at),
    by: change.by,
    ...(change.reason !== undefined ? { reason: change.reason } : {}),
    ...(change.question !== undefined ? { question: change.question } : {}),
    ...(change.answer !== undefined ? { answer: change.answer } : {}),
  };
}

export function summaryView(request: NasRequest): RequestSummaryView {
  const assignee = (request as { assignee?: string }).assignee;
  return {
    reference: request.reference,
    kind: request.kind,
    kindName: kindName(request.kind),
    queue: request.queue,
    ...(request.odsCode !== undefined ? { odsCode: request.odsCode } : {}),
    status: request.status,
    statusName: STATUS_NAMES[request.status] ?? request.status,
    summary: summaryOf(request),
    ...(assignee ? { assignee } : {}),
    ...(request.duplicateOf ? { duplicateOf: request.duplicateOf } : {}),
    createdAt: iso(request.createdAt),
    updatedAt: iso(request.updatedAt),
    version: request.version,
  };
}

const longDate = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', day: 'numeric', month: 'long', year: 'numeric' });
/** "2 December 2026 at 4:30am", London time. */
const onAt = (ms: number) => `${longDate.format(ms)} at ${clockTime(ms)}`;

/** A request's details as NAS reads them: a password reset's account, mobile and how it was checked. */
export function factsOf(request: NasRequest): Fact[] | undefined {
  if (request.kind !== 'passwordReset') return undefined;
  const { account, mobile, verification: v } = request.details;
  return [
    { term: 'Account', value: `${account.name} (${account.address}), ODS code ${account.odsCode}` },
    { term: 'Temporary password to', value: `${displayMobile(mobile)} (text it there; never through the chat)` },
    {
      term: 'Checked',
      value:
        v.verifiedBy === 'mobile'
          ? `by the code texted to the mobile on the account, typed back on ${onAt(v.at)}`
          : `by shared mailbox owner ${v.owner.name} (${v.owner.address}), who said yes ${v.via === 'teams' ? 'in their Teams chat' : 'with the code emailed to them'} on ${onAt(v.at)} (asked ${onAt(v.askedAt)}); the mobile is the one the requester gave`,
    },
  ];
}

export function requestView(request: NasRequest, allowedStatuses: NasRequestStatus[]): RequestView {
  const last = request.history[request.history.length - 1];
  const facts = factsOf(request);
  return {
    ...summaryView(request),
    allowedStatuses,
    ...(request.status === 'waitingForRequester' && last?.question ? { openQuestion: last.question } : {}),
    requester: { channel: request.requester.channelId, ...(request.requester.email ? { email: request.requester.email } : {}) },
    details: request.details,
    ...(facts ? { facts } : {}),
    history: request.history.map(historyView),
  };
}

// ---------------------------------------------------------------------------------------------
// Export

export const CSV_COLUMNS = ['reference', 'kind', 'queue', 'odsCode', 'status', 'summary', 'assignee', 'duplicateOf', 'createdAt', 'updatedAt', 'version'] as const;

/** A CSV field: quoted when it must be, and never read as a formula by a spreadsheet. */
export function csvField(value: unknown): string {
  let text = value === undefined || value === null ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvHeader(): string {
  return CSV_COLUMNS.join(',');
}

export function csvRow(view: RequestSummaryView): string {
  return CSV_COLUMNS.map((c) => csvField((view as unknown as Record<string, unknown>)[c])).join(',');
}
