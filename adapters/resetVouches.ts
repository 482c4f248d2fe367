import { createHash } from 'node:crypto';
import type { NasRequester } from './nasRequests';
import { randomString } from './memoryOneTimePasscodes';

/**
 * Shared mailbox owners asked to vouch for a colleague's password reset (SPEC §2: no mobile on the
 * account, or the user has lost it). A vouching request is kept here from the moment the owners
 * are asked until one answers (or it lapses): who asks, for which account, the mobile the temporary
 * password would go to, the conversation to tell, and one code per owner — sent to the owner's
 * Teams chat, or emailed with no link — that lets that owner answer yes or no in any chat.
 *
 * Only the first answer counts; only a yes lets the reset request be raised. An address that is
 * not an account, or whose organisation has no owner to ask, gets a vouching request too, with
 * nobody to ask: the requester is told the same either way, so the chat never tells who has an
 * account. At most one unanswered request per address at a time, so owners are not asked twice.
 *
 * `MemoryResetVouches` and `RedisResetVouches` pass one contract suite
 * (test/adapters/resetVouches.contract.test.ts).
 */

/** How long owners have to answer: three days, so a Friday evening request is seen on Monday. */
export const VOUCH_VALID_MS = 72 * 3_600_000;
/** How long a vouching request is kept after it lapses, so its requester can still be told. */
export const VOUCH_KEPT_AFTER_MS = 7 * 24 * 3_600_000;
/** An owner's code: 12 characters of the passcode alphabet (60 bits), typed in groups of 4. */
export const VOUCH_CODE_LENGTH = 12;

export interface VouchOwner {
  address: string;
  name: string;
  /** How this owner was asked: in their own Teams chat, or by email. */
  via: 'teams' | 'email';
}

export interface VouchAccount {
  address: string;
  name: string;
  odsCode: string;
  organisationName: string;
  queue: 'care' | 'dental';
}

export interface VouchAnswer {
  answer: 'yes' | 'no';
  /** The owner who answered. */
  by: string;
  at: number;
  /** How the owner proved who they are: signed in to Teams as themselves, or the code only their mailbox received. */
  via?: 'teams' | 'email';
}

export interface ResetVouch {
  /** Public: carried in the event that tells the requester's conversation. Not a code. */
  id: string;
  /** The address asked about, lower case (also for a request with nobody to ask). */
  address: string;
  /** The account, when there is one with owners to ask; null otherwise. */
  account: VouchAccount | null;
  /** Where the temporary password would be texted (E.164): the owner confirms it is the requester's. */
  mobile: string;
  requester: NasRequester;
  /** The requester's attempt: the idempotency key of the reset request a yes raises. */
  attemptId: string;
  owners: VouchOwner[];
  createdAt: number;
  expiresAt: number;
  answer?: VouchAnswer;
  /** What raising the reset request came to, once an owner said yes (opaque here: the flow's words). */
  outcome?: unknown;
}

export type NewVouch = Omit<ResetVouch, 'id' | 'createdAt' | 'expiresAt' | 'answer' | 'outcome'>;

export type CreateVouchResult =
  /** Stored; `codes` (owner address → code) are returned once, to be sent, and kept only hashed. */
  | { created: true; vouch: ResetVouch; codes: Record<string, string> }
  /** An unanswered request for this address is still open: it stands, nobody is asked again. */
  | { created: false; vouch: ResetVouch };

export type AnswerVouchResult =
  | { outcome: 'recorded'; vouch: ResetVouch }
  /** Someone answered first (maybe this owner): that answer stands. */
  | { outcome: 'alreadyAnswered'; vouch: ResetVouch }
  | { outcome: 'expired'; vouch: ResetVouch }
  | { outcome: 'notFound' };

export interface ResetVouches {
  create(input: NewVouch): Promise<CreateVouchResult>;
  get(id: string): Promise<ResetVouch | undefined>;
  /** The request an owner's code belongs to, and that owner (spaces, dashes and case ignored). */
  findByCode(code: string): Promise<{ vouch: ResetVouch; owner: VouchOwner } | undefined>;
  /** Records the first answer: `by` must be one of the owners asked. */
  answer(id: string, answer: VouchAnswer): Promise<AnswerVouchResult>;
  /** Keeps what the yes came to (the reference of the reset request), for the requester. */
  setOutcome(id: string, outcome: unknown): Promise<void>;
}

export function newVouchId(): string {
  return randomString(16);
}

export function newVouchCode(): string {
  return randomString(VOUCH_CODE_LENGTH);
}

/** `7kd9 qx2p-m4tn` → `7KD9QX2PM4TN`. */
export function normaliseVouchCode(code: string): string {
  return String(code).toUpperCase().replace(/[\s-]+/g, '');
}

/** The code as it is written for people: `7KD9-QX2P-M4TN`. */
export function formatVouchCode(code: string): string {
  return normaliseVouchCode(code).replace(/(.{4})(?=.)/g, '$1-');
}

/** Codes have 60 random bits, so a plain hash is enough to keep them unreadable at rest. */
export function hashVouchCode(code: string): string {
  return createHash('sha256').update(`vouch:${normaliseVouchCode(code)}`).digest('base64url');
}

export const normaliseAddress = (address: string) => address.trim().toLowerCase();

export interface ResetVouchesOptions {
  now?: () => number;
}

const copy = <T>(value: T): T => structuredClone(value);

/** The embedded default: vouching requests in this process's memory. */
export class MemoryResetVouches implements ResetVouches {
  private readonly now: () => number;
  private readonly vouches = new Map<string, ResetVouch>();
  private readonly codes = new Map<string, { id: string; owner: string }>();
  private readonly open = new Map<string, string>();

  constructor(options: ResetVouchesOptions = {}) {
    this.now = options.now ?? Date.now;
  }

  async create(input: NewVouch): Promise<CreateVouchResult> {
    const now = this.now();
    this.forgetOld(now);
    const address = normaliseAddress(input.address);
    const openId = this.open.get(address);
    const open = openId ? this.vouches.get(openId) : undefined;
    if (open && !open.answer && now < open.expiresAt) return { created: false, vouch: copy(open) };
    const vouch: ResetVouch = { ...copy(input), address, id: newVouchId(), createdAt: now, expiresAt: now + VOUCH_VALID_MS };
    const codes: Record<string, string> = {};
    for (const owner of vouch.owners) {
      codes[owner.address] = newVouchCode();
      this.codes.set(hashVouchCode(codes[owner.address]!), { id: vouch.id, owner: owner.address });
    }
    this.vouches.set(vouch.id, vouch);
    this.open.set(address, vouch.id);
    return { created: true, vouch: copy(vouch), codes };
  }

  async get(id: string): Promise<ResetVouch | undefined> {
    this.forgetOld(this.now());
    const vouch = this.vouches.get(id);
    return vouch ? copy(vouch) : undefined;
  }

  async findByCode(code: string): Promise<{ vouch: ResetVouch; owner: VouchOwner } | undefined> {
    this.forgetOld(this.now());
    const found = this.codes.get(hashVouchCode(code));
    const vouch = found && this.vouches.get(found.id);
    const owner = vouch?.owners.find((o) => o.address === found!.owner);
    return vouch && owner ? { vouch: copy(vouch), owner: copy(owner) } : undefined;
  }

  async answer(id: string, answer: VouchAnswer): Promise<AnswerVouchResult> {
    const now = this.now();
    this.forgetOld(now);
    const vouch = this.vouches.get(id);
    if (!vouch || !vouch.owners.some((o) => o.address === answer.by)) return { outcome: 'notFound' };
    if (vouch.answer) return { outcome: 'alreadyAnswered', vouch: copy(vouch) };
    if (now >= vouch.expiresAt) return { outcome: 'expired', vouch: copy(vouch) };
    vouch.answer = copy(answer);
    if (this.open.get(vouch.address) === id) this.open.delete(vouch.address);
    return { outcome: 'recorded', vouch: copy(vouch) };
  }

  async setOutcome(id: string, outcome: unknown): Promise<void> {
    const vouch = this.vouches.get(id);
    if (vouch) vouch.outcome = copy(outcome);
  }

  private forgetOld(now: number): void {
    for (const [id, vouch] of this.vouches) {
      if (now < vouch.expiresAt + VOUCH_KEPT_AFTER_MS) continue;
      this.vouches.delete(id);
      if (this.open.get(vouch.address) === id) this.open.delete(vouch.address);
    }
    for (const [hash, { id }] of this.codes) if (!this.vouches.has(id)) this.codes.delete(hash);
  }
}
