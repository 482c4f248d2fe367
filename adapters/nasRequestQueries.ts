import { normaliseOdsCode } from './memoryOneTimePasscodes';
import {
  DEFAULT_PAGE_SIZE,
  InvalidSubmissionError,
  isPendingStatus,
  MAX_PAGE_SIZE,
  NAS_QUEUES,
  NAS_REQUEST_KINDS,
  NAS_REQUEST_STATUSES,
  NasPaging,
  NasQueue,
  NasRequest,
  NasRequestFilter,
  NasRequestKind,
  NasRequestStatus,
} from './nasRequests';
import { changedRequest, copy } from './nasRequestRecords';

/** What both NAS request stores share for the back office: filters, pages, taking, retention. */

export interface CheckedFilter {
  statuses?: ReadonlySet<NasRequestStatus>;
  kinds?: ReadonlySet<NasRequestKind>;
  odsCode?: string;
  queues: readonly NasQueue[];
}

const asList = <T>(value: T | readonly T[] | undefined): readonly T[] | undefined =>
  value === undefined ? undefined : Array.isArray(value) ? (value as readonly T[]) : [value as T];

/** The filter checked and tidied; throws `InvalidSubmissionError` naming what is unknown. */
export function checkedFilter(filter: NasRequestFilter = {}): CheckedFilter {
  const statuses = asList(filter.status);
  const kinds = asList(filter.kind);
  const unknown = [
    ...(statuses ?? []).filter((s) => !NAS_REQUEST_STATUSES.includes(s)).map((s) => `status "${s}"`),
    ...(kinds ?? []).filter((k) => !NAS_REQUEST_KINDS.includes(k)).map((k) => `kind "${k}"`),
    ...(filter.queue !== undefined && !NAS_QUEUES.includes(filter.queue) ? [`queue "${filter.queue}"`] : []),
  ];
  if (unknown.length) throw new InvalidSubmissionError(`NAS requests cannot be listed: unknown ${unknown.join(', ')}`);
  return {
    ...(statuses ? { statuses: new Set(statuses) } : {}),
    ...(kinds ? { kinds: new Set(kinds) } : {}),
    ...(filter.odsCode?.trim() ? { odsCode: normaliseOdsCode(filter.odsCode) } : {}),
    queues: filter.queue ? [filter.queue] : NAS_QUEUES,
  };
}

export function matchesFilter(request: NasRequest, filter: CheckedFilter): boolean {
  return (
    filter.queues.includes(request.queue) &&
    (!filter.statuses || filter.statuses.has(request.status)) &&
    (!filter.kinds || filter.kinds.has(request.kind)) &&
    (filter.odsCode === undefined || request.odsCode === filter.odsCode)
  );
}

/** A place in the list: the last request shown, by its createdAt and reference. */
export interface ListPosition {
  createdAt: number;
  reference: string;
}

/** Newest first; requests made in the same millisecond by reference, descending. */
export function newestFirst(a: ListPosition, b: ListPosition): number {
  return b.createdAt - a.createdAt || (a.reference < b.reference ? 1 : a.reference > b.reference ? -1 : 0);
}

/** Whether `item` comes after `cursor` in the list. */
export const isAfter = (item: ListPosition, cursor: ListPosition | undefined) => !cursor || newestFirst(cursor, item) < 0;

export function encodeCursor(position: ListPosition): string {
  return Buffer.from(JSON.stringify([position.createdAt, position.reference])).toString('base64url');
}

export function checkedPaging(paging: NasPaging = {}): { limit: number; cursor?: ListPosition } {
  const limit = paging.limit ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
    throw new InvalidSubmissionError(`NAS requests cannot be listed: limit must be a whole number from 1 to ${MAX_PAGE_SIZE}`);
  }
  if (paging.cursor === undefined || paging.cursor === '') return { limit };
  try {
    const [createdAt, reference] = JSON.parse(Buffer.from(paging.cursor, 'base64url').toString('utf8')) as [unknown, unknown];
    if (typeof createdAt === 'number' && Number.isFinite(createdAt) && typeof reference === 'string') return { limit, cursor: { createdAt, reference } };
  } catch {
    // fall through
  }
  throw new InvalidSubmissionError('NAS requests cannot be listed: the cursor is not one this list gave');
}

/**
 * The request once `worker` takes it from the queue: a received one moves to inProgress (by the
 * worker, through the status machine), and either way `assignee` is the worker. Undefined for a
 * request there is nothing to do on now (waiting for its requester, done, rejected).
 */
export function takenBy(request: NasRequest, worker: string, now: number): NasRequest | undefined {
  if (request.status === 'received') {
    const changed = changedRequest(request, { status: 'inProgress', by: worker }, now);
    return 'ok' in changed ? copy({ ...changed.request, assignee: worker }) : undefined;
  }
  if (request.status === 'inProgress') return copy({ ...request, assignee: worker, updatedAt: now, version: request.version + 1 });
  return undefined;
}

/** Whether a request has something for a worker to do. */
export const isWorkable = (request: NasRequest) => request.status === 'received' || request.status === 'inProgress';

export function checkedWorker(worker: string): string {
  const name = typeof worker === 'string' ? worker.trim() : '';
  if (!name) throw new InvalidSubmissionError('a NAS worker name is required to take a request');
  return name;
}

/** Finished long enough ago to be deleted. */
export const isExpired = (request: NasRequest, cutoff: number) => !isPendingStatus(request.status) && request.updatedAt < cutoff;

export const retentionMsFor = (days: number) => days * 24 * 60 * 60 * 1000;
