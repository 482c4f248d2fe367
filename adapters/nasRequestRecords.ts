import { z } from 'zod';
import { decideStatusChange } from '../machines/nasRequestStatus';
import { normaliseOdsCode, randomString } from './memoryOneTimePasscodes';
import {
  duplicateReason,
  ExistingRequestSummary,
  InvalidSubmissionError,
  NAS_QUEUES,
  NAS_REFERENCE_PATTERN,
  NAS_REFERENCE_PREFIXES,
  NAS_REQUEST_KINDS,
  NAS_REQUEST_STATUSES,
  NasRequest,
  NasRequestKind,
  NasRequestStatus,
  NasStatusChange,
  NasStatusUpdate,
  NasSubmission,
  StoredRequestError,
  UpdateResult,
} from './nasRequests';

/** What both NAS request stores share: references, new requests, and reading stored ones. */

/** Who the history names for the submission itself, and for what the assistant decides. */
export const BY_REQUESTER = 'requester';
export const BY_ASSISTANT = 'assistant';

/** The kind's prefix and 8 characters from the passcode alphabet, drawn with crypto.randomInt. */
export function newReference(kind: NasRequestKind): string {
  return `${NAS_REFERENCE_PREFIXES[kind]}-${randomString(8)}`;
}

/** `reg-7kd9 qx2p` → `REG-7KD9QX2P`, or undefined when it cannot be a reference. */
export function normaliseReference(reference: string): string | undefined {
  const cleaned = String(reference).trim().toUpperCase().replace(/\s+/g, '');
  return NAS_REFERENCE_PATTERN.test(cleaned) ? cleaned : undefined;
}

/** Checks a submission and returns it with its ODS code and exclusive key tidied. */
export function checkedSubmission<S extends NasSubmission>(input: S): S {
  const problems: string[] = [];
  if (!NAS_REQUEST_KINDS.includes(input.kind)) problems.push(`unknown kind "${String(input.kind)}"`);
  if (!NAS_QUEUES.includes(input.queue)) problems.push(`queue must be one of ${NAS_QUEUES.join(', ')}`);
  if (typeof input.idempotencyKey !== 'string' || !input.idempotencyKey.trim()) problems.push('idempotencyKey is required');
  if (input.details === undefined || input.details === null) problems.push('details are required');
  const requester = input.requester as Partial<NasSubmission['requester']> | undefined;
  if (!requester?.conversationKey) problems.push('requester.conversationKey is required');
  if (!requester?.channelId) problems.push('requester.channelId is required');
  if (input.exclusive) {
    if (typeof input.exclusive.key !== 'string' || !input.exclusive.key.trim()) problems.push('exclusive.key must not be empty');
    const windowMs = input.exclusive.windowMs;
    if (windowMs !== undefined && !(Number.isFinite(windowMs) && windowMs >= 0)) problems.push('exclusive.windowMs must be 0 or more');
  }
  if (input.odsCode !== undefined && !input.odsCode.trim()) problems.push('odsCode must not be empty when given');
  if (problems.length) throw new InvalidSubmissionError(`NAS request not submitted: ${problems.join('; ')}`);
  return {
    ...input,
    idempotencyKey: input.idempotencyKey.trim(),
    ...(input.odsCode !== undefined ? { odsCode: normaliseOdsCode(input.odsCode) } : {}),
    ...(input.exclusive ? { exclusive: { key: input.exclusive.key.trim(), windowMs: input.exclusive.windowMs ?? 0 } } : {}),
  };
}

/**
 * The request a submission makes: `received`, or — when `duplicateOf` is given — the attempt kept
 * as a duplicate, `rejected` with the reason naming the request that was already pending.
 */
export function newRequest(input: NasSubmission, reference: string, now: number, duplicateOf?: string): NasRequest {
  const history = duplicateOf
    ? [{ status: 'rejected' as const, at: now, by: BY_ASSISTANT, reason: duplicateReason(input.kind, duplicateOf) }]
    : [{ status: 'received' as const, at: now, by: BY_REQUESTER }];
  return copy({
    reference,
    kind: input.kind,
    queue: input.queue,
    ...(input.odsCode !== undefined ? { odsCode: input.odsCode } : {}),
    status: history[0].status,
    history,
    details: input.details,
    requester: input.requester,
    idempotencyKey: input.idempotencyKey,
    ...(input.exclusive ? { exclusiveKey: input.exclusive.key } : {}),
    ...(duplicateOf ? { duplicateOf } : {}),
    createdAt: now,
    updatedAt: now,
    version: 1,
  } as NasRequest);
}

/**
 * The request after `change`, decided by the status machine: one more history entry (who, when,
 * why, and the question or answer that goes with the move), `updatedAt` now, the version + 1.
 */
export function changedRequest(
  request: NasRequest,
  change: NasStatusUpdate,
  now: number,
): { ok: true; request: NasRequest } | Extract<UpdateResult, { outcome: 'invalid' }> {
  const by = typeof change.by === 'string' ? change.by.trim() : '';
  if (!by) throw new InvalidSubmissionError('NAS request not changed: who makes the change (by) is required');
  const decision = decideStatusChange(request.status, change);
  if (!decision.ok) {
    return { outcome: 'invalid', request, problem: decision.problem, message: decision.message, allowed: decision.allowed };
  }
  const text = (value: string | undefined) => (typeof value === 'string' && value.trim() ? value.trim() : undefined);
  const entry: NasStatusChange = { status: decision.status, at: now, by };
  const reason = text(change.reason);
  if (reason) entry.reason = reason;
  if (decision.event.type === 'ASK_REQUESTER') entry.question = text(change.question);
  if (decision.event.type === 'REQUESTER_ANSWERED' && text(change.answer)) entry.answer = text(change.answer);
  return {
    ok: true,
    request: copy({ ...request, status: decision.status, history: [...request.history, entry], updatedAt: now, version: request.version + 1 } as NasRequest),
  };
}

/** What may be told to another person about a request. */
export function summaryOf(request: NasRequest): ExistingRequestSummary {
  return {
    reference: request.reference,
    kind: request.kind,
    status: request.status,
    createdAt: request.createdAt,
    channel: request.requester.channelId,
  };
}

/** A copy as it would come back from storage (JSON: undefined fields dropped, nothing shared). */
export function copy<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

// ---------------------------------------------------------------------------------------------
// Stored form (a flat record of strings: a Redis hash)
// ---------------------------------------------------------------------------------------------

/** Marks the current stored form; a record without it was written by an earlier version. */
export const STORED_FORM = '2';

const json = <T extends z.ZodType>(schema: T) =>
  z.string().transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'is not JSON' });
      return z.NEVER;
    }
  }).pipe(schema);

const whole = z.coerce.number().int().nonnegative();
const status = z.enum(NAS_REQUEST_STATUSES);
const change = z.object({
  status,
  at: z.number(),
  by: z.string(),
  reason: z.string().optional(),
  question: z.string().optional(),
  answer: z.string().optional(),
});
const requester = z.looseObject({
  conversationKey: z.string(),
  conversationReference: z.unknown(),
  channelId: z.string(),
  email: z.string().optional(),
});

const StoredSchema = z.object({
  form: z.literal(STORED_FORM),
  reference: z.string().regex(NAS_REFERENCE_PATTERN),
  kind: z.enum(NAS_REQUEST_KINDS as [NasRequestKind, ...NasRequestKind[]]),
  queue: z.enum(NAS_QUEUES as ['care', 'dental']),
  odsCode: z.string().optional(),
  status,
  history: json(z.array(change).min(1)),
  details: json(z.unknown()),
  requester: json(requester),
  idempotencyKey: z.string().min(1),
  exclusiveKey: z.string().optional(),
  duplicateOf: z.string().optional(),
  assignee: z.string().optional(),
  createdAt: whole,
  updatedAt: whole,
  version: whole,
});

/** The hash fields of a request. */
export function toStoredFields(request: NasRequest): Record<string, string> {
  const fields: Record<string, string> = {
    form: STORED_FORM,
    reference: request.reference,
    kind: request.kind,
    queue: request.queue,
    status: request.status,
    history: JSON.stringify(request.history),
    details: JSON.stringify(request.details),
    requester: JSON.stringify(request.requester),
    idempotencyKey: request.idempotencyKey,
    createdAt: String(request.createdAt),
    updatedAt: String(request.updatedAt),
    version: String(request.version),
  };
  if (request.odsCode !== undefined) fields.odsCode = request.odsCode;
  if (request.exclusiveKey !== undefined) fields.exclusiveKey = request.exclusiveKey;
  if (request.duplicateOf !== undefined) fields.duplicateOf = request.duplicateOf;
  if (request.assignee !== undefined) fields.assignee = request.assignee;
  return fields;
}

/** The statuses of the first version, and what each is now. */
const LEGACY_STATUSES: Record<string, NasRequestStatus> = {
  submitted: 'received',
  'in-progress': 'inProgress',
  completed: 'done',
  rejected: 'rejected',
};

const LegacySchema = z.object({
  reference: z.string().regex(NAS_REFERENCE_PATTERN),
  type: z.literal('registration'),
  status: z.string().refine((s) => s in LEGACY_STATUSES, { error: 'is not a status of the first version' }),
  odsCode: z.string().min(1),
  conversationKey: z.string(),
  document: json(z.object({ details: z.looseObject({ organisation: z.looseObject({ kind: z.enum(['care', 'dental']) }) }), conversationReference: z.unknown() })),
  createdAt: whole,
  updatedAt: whole,
});

/** Whether a record was written by the first version (one kind, `type` instead of `kind`). */
export const isLegacyRecord = (fields: Record<string, string>): boolean => fields.form === undefined && fields.type !== undefined;

/** The idempotency key a first-version request is read with: it was one per conversation. */
export const legacyIdempotencyKey = (conversationKey: string) => `conversation:${conversationKey}`;

/**
 * A request from its stored fields, in the current form or the first version's (read as
 * `received`, `inProgress`, `done` or `rejected`, with one history entry and version 1).
 * Throws `StoredRequestError` naming the reference and what is wrong.
 */
export function fromStoredFields(fields: Record<string, string>): NasRequest {
  if (isLegacyRecord(fields)) return fromLegacy(fields);
  const parsed = StoredSchema.safeParse(fields);
  if (!parsed.success) throw storedError(fields, parsed.error);
  const { form: _form, ...request } = parsed.data;
  return copy(request) as NasRequest;
}

function fromLegacy(fields: Record<string, string>): NasRequest {
  const parsed = LegacySchema.safeParse(fields);
  if (!parsed.success) throw storedError(fields, parsed.error);
  const old = parsed.data;
  const current = LEGACY_STATUSES[old.status]!;
  const reference = old.document.conversationReference as { channelId?: unknown } | null | undefined;
  const odsCode = normaliseOdsCode(old.odsCode);
  return copy({
    reference: old.reference,
    kind: 'registration',
    queue: old.document.details.organisation.kind,
    odsCode,
    status: current,
    history: [
      current === 'received'
        ? { status: current, at: old.createdAt, by: BY_REQUESTER }
        : { status: current, at: old.updatedAt, by: 'NAS', reason: 'recorded before request histories were kept' },
    ],
    details: old.document.details,
    requester: {
      conversationKey: old.conversationKey,
      conversationReference: old.document.conversationReference,
      channelId: typeof reference?.channelId === 'string' ? reference.channelId : 'unknown',
    },
    idempotencyKey: legacyIdempotencyKey(old.conversationKey),
    exclusiveKey: `registration:${odsCode}`,
    createdAt: old.createdAt,
    updatedAt: old.updatedAt,
    version: 1,
  } as unknown as NasRequest);
}

function storedError(fields: Record<string, string>, error: z.ZodError): StoredRequestError {
  const what = error.issues.map((i) => `${i.path.join('.') || 'record'} ${i.message}`).join('; ');
  return new StoredRequestError(`stored NAS request ${fields.reference ?? '(no reference)'} cannot be read: ${what}`);
}
