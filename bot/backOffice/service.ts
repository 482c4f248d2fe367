import type { AccountDirectory } from '../../adapters/accountDirectory';
import {
  NAS_REQUEST_KINDS,
  NAS_REQUEST_STATUSES,
  NasQueue,
  NasRequest,
  NasRequestFilter,
  NasRequestKind,
  NasRequests,
  NasRequestStatus,
  NasStatusUpdate,
  UpdateResult,
} from '../../adapters/nasRequests';
import type { Outbox } from '../../adapters/outbox';
import { addDays, londonDay, ServiceEvents } from '../../adapters/serviceEvents';
import { allowedStatuses } from '../../machines/nasRequestStatus';
import { dashboardStats, DashboardStats, FunnelStep } from './stats';
import { knowledge } from '../../dialogs/knowledge';
import { RequestSummaryView, requestView, RequestView, summaryView } from './views';
import { sendWelcomeMessages } from './welcome';

/**
 * What NAS staff do, whichever way they come in (the API, the page, `npm run nas`): list, show,
 * take the next request, change a status — with what follows a change (the registration's welcome
 * messages, the requester told in their chat) — export, and the dashboard's figures.
 */

/** How the requester hears of a change (bot/backOffice/tellRequester.ts); what happened, for NAS to see. */
export type Told = { how: 'chat' | 'email'; detail?: string } | { how: 'notTold'; detail: string };
export type TellRequester = (request: NasRequest, previous: NasRequestStatus) => Promise<Told>;

export interface BackOfficeDeps {
  requests: NasRequests;
  outbox: Outbox;
  events?: ServiceEvents;
  /** Usernames are numbered past the addresses already in the directory. */
  accounts?: Pick<AccountDirectory, 'findByAddress'>;
  tellRequester?: TellRequester;
  /** The registration's parts, for the funnel (bot/backOffice/funnel.ts). */
  funnelSteps: readonly FunnelStep[];
  now?: () => number;
  /** Where what follows a change says it could not be done. */
  warn?: (fields: Record<string, unknown>, message: string) => void;
}

export type ChangeOutcome =
  | { outcome: 'updated'; request: RequestView; previous: NasRequestStatus; told: Told; welcomeMessages: number }
  | Exclude<UpdateResult, { outcome: 'updated' }>;

export interface QueueCounts {
  queue: NasQueue;
  /** How many of each kind are in each status. */
  byStatus: Record<NasRequestStatus, Record<string, number>>;
  total: number;
  /** More requests than `COUNT_LIMIT`: the counts are of the newest only. */
  truncated: boolean;
}

/** The newest requests of a queue that its counts look at. */
export const COUNT_LIMIT = 5_000;
/** The default dashboard period: the last 30 days. */
export const DEFAULT_STATS_DAYS = 30;

/** Filters as people type them: comma-separated names, checked against the real ones. */
export function parseFilter(input: { status?: string; kind?: string; org?: string; queue?: NasQueue }): NasRequestFilter {
  const list = <T extends string>(value: string | undefined, known: readonly T[], what: string): T[] | undefined => {
    if (value === undefined || !value.trim()) return undefined;
    const items = value.split(',').map((s) => s.trim()).filter(Boolean);
    const unknown = items.filter((s) => !known.includes(s as T));
    if (unknown.length) throw new FilterError(`unknown ${what} ${unknown.map((u) => `"${u.slice(0, 40)}"`).join(', ')}: use ${known.join(', ')}`);
    return items as T[];
  };
  const status = list<NasRequestStatus>(input.status, NAS_REQUEST_STATUSES, 'status');
  const kind = list<NasRequestKind>(input.kind, NAS_REQUEST_KINDS, 'kind');
  const org = input.org?.trim();
  // ODS codes are 3 to 6 characters today (SPEC §1.2); older or longer ones are still looked for.
  if (org !== undefined && org !== '' && !/^[A-Za-z0-9]{2,10}$/.test(org)) throw new FilterError(`"${org.slice(0, 20)}" is not an ODS code (letters and digits, e.g. VABC1)`);
  return { ...(status ? { status } : {}), ...(kind ? { kind } : {}), ...(org ? { odsCode: org } : {}), ...(input.queue ? { queue: input.queue } : {}) };
}

export class FilterError extends Error {
  override readonly name = 'FilterError';
}

export class BackOffice {
  private readonly now: () => number;

  constructor(private readonly deps: BackOfficeDeps) {
    this.now = deps.now ?? Date.now;
  }

  async list(filter: NasRequestFilter, paging: { limit?: number; cursor?: string } = {}): Promise<{ requests: RequestSummaryView[]; nextCursor?: string }> {
    const page = await this.deps.requests.list(filter, paging);
    return { requests: page.requests.map(summaryView), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
  }

  async get(reference: string): Promise<NasRequest | undefined> {
    return this.deps.requests.get(reference);
  }

  /** The requests raised from a conversation, newest first. */
  async forConversation(conversationKey: string, limit?: number): Promise<NasRequest[]> {
    return this.deps.requests.forConversation(conversationKey, limit);
  }

  async show(reference: string): Promise<RequestView | undefined> {
    const request = await this.deps.requests.get(reference);
    return request && view(request);
  }

  /** The next request of the queue for this worker (one taken and left for 10 minutes first). */
  /**
   * The next request of the queue for `worker`. Taking a new one moves it to in progress, which
   * the requester is told as for any change; one offered again (its worker never finished it)
   * has not moved, so nothing is said.
   */
  async take(queue: NasQueue, worker: string): Promise<RequestView | undefined> {
    const request = await this.deps.requests.take(queue, worker);
    if (!request) return undefined;
    const [before, last] = request.history.slice(-2);
    if (this.deps.tellRequester && before && last && last.status !== before.status && last.at === request.updatedAt) {
      try {
        await this.deps.tellRequester(request, before.status);
      } catch (error) {
        this.deps.warn?.({ err: error, reference: request.reference }, 'requester not told of a status change');
      }
    }
    return view(request);
  }

  /**
   * Changes a request's status through the status machine; when it moved, records a done
   * registration's welcome messages and tells the requester. What follows the change never undoes
   * it: a failure there is said in `told` and logged.
   */
  async changeStatus(reference: string, change: NasStatusUpdate, expectedVersion?: number): Promise<ChangeOutcome> {
    const result = await this.deps.requests.update(reference, change, expectedVersion);
    if (result.outcome !== 'updated') return result;
    const { request, previous } = result;
    let welcomeMessages = 0;
    if (request.kind === 'registration' && request.status === 'done') {
      try {
        welcomeMessages = (await sendWelcomeMessages(request, this.deps.outbox, this.deps.accounts)).length;
      } catch (error) {
        this.deps.warn?.({ err: error, reference: request.reference }, 'welcome messages not recorded');
      }
    }
    let told: Told = { how: 'notTold', detail: 'nobody is told in this set-up' };
    if (this.deps.tellRequester) {
      try {
        told = await this.deps.tellRequester(request, previous);
      } catch (error) {
        told = { how: 'notTold', detail: error instanceof Error ? error.message : String(error) };
        this.deps.warn?.({ err: error, reference: request.reference }, 'requester not told of a status change');
      }
    }
    return { outcome: 'updated', request: view(request), previous, told, welcomeMessages };
  }

  /** How many requests of each kind are in each status in a queue (its newest `COUNT_LIMIT`). */
  async counts(queue: NasQueue): Promise<QueueCounts> {
    const byStatus = Object.fromEntries(NAS_REQUEST_STATUSES.map((s) => [s, {} as Record<string, number>])) as QueueCounts['byStatus'];
    let total = 0;
    let cursor: string | undefined;
    do {
      const page = await this.deps.requests.list({ queue }, { limit: 200, ...(cursor ? { cursor } : {}) });
      for (const r of page.requests) {
        const row = byStatus[r.status];
        row[r.kind] = (row[r.kind] ?? 0) + 1;
        total += 1;
      }
      cursor = page.nextCursor;
    } while (cursor && total < COUNT_LIMIT);
    return { queue, byStatus, total, truncated: cursor !== undefined };
  }

  /** Every request that matches, page after page (for export). */
  async *all(filter: NasRequestFilter): AsyncGenerator<NasRequest> {
    let cursor: string | undefined;
    do {
      const page = await this.deps.requests.list(filter, { limit: 200, ...(cursor ? { cursor } : {}) });
      yield* page.requests;
      cursor = page.nextCursor;
    } while (cursor);
  }

  /** The dashboard for `from`..`to` (London dates), by default the last 30 days to today. */
  async stats(range: { from?: string; to?: string } = {}): Promise<DashboardStats> {
    if (!this.deps.events) throw new Error('service events are not counted in this set-up');
    const to = range.to ?? londonDay(this.now());
    const from = range.from ?? addDays(to, -(DEFAULT_STATS_DAYS - 1));
    return dashboardStats(await this.deps.events.counts({ from, to }), this.deps.funnelSteps, (entry) => knowledge().entry(entry)?.title);
  }
}

export const view = (request: NasRequest): RequestView => requestView(request, allowedStatuses(request.status));
