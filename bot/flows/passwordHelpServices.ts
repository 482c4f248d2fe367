import { createHmac } from 'node:crypto';
import { administratorOf, type AccountDirectory, type NhsmailAccount } from '../../adapters/accountDirectory';
import { exclusiveKey, type NasRequester, type NasRequests, type PasswordResetVerification } from '../../adapters/nasRequests';
import type { Outbox } from '../../adapters/outbox';
import { formatVouchCode, normaliseAddress, type ResetVouch, type ResetVouches, type VouchOwner } from '../../adapters/resetVouches';
import type { ServiceEvents } from '../../adapters/serviceEvents';
import type { VerificationCodes } from '../../adapters/verificationCodes';
import { ownerAskedEmail, resetCodeText } from '../../dialogs/passwordHelp/messages';
import {
  MOBILE_DIGITS_SHOWN,
  RESET_REQUEST_WINDOW_MS,
  type Administrator,
  type PasswordHelpServices,
  type PasswordHelpSession,
  type ResetOutcome,
  type VouchStatus,
} from '../../machines/passwordHelp';

/**
 * The password help's effects, done with the adapters: the account directory (who administers an
 * account, its mobile, its organisation's shared mailbox owners), the verification codes (the
 * 6-digit reset code, counted across instances), the outbox (the text with the code, the email
 * to an owner), the NAS requests (the verified reset request) and the vouching requests.
 *
 * Before anyone is verified, what these answer never depends on whether the address is an
 * account, has a mobile or has an owner: an address without a mobile (or not an account) is given
 * a code that is counted but sent nowhere, and the 3 digits shown for it are made from the address
 * with a secret key, the same on every instance, so they do not change from one ask to the next.
 * Likewise "who unlocks it?": an address that is not an account is answered as an account NAS
 * made, its care or dental team chosen from the address with the same key (about a third dental,
 * as among the accounts NAS looks after), so the answer for it reads like one for a real account.
 * Only an account hosted by a local organisation is said as such: its helpdesk must be named.
 */

export interface PasswordHelpDeps {
  accounts: AccountDirectory;
  codes: VerificationCodes;
  outbox: Outbox;
  requests: NasRequests;
  vouches: ResetVouches;
  /** A secret the same for every instance (the made-up endings are derived from it). */
  secret: () => Promise<Buffer>;
  now?: () => number;
  /** The owner's own Teams chat with the assistant, when they have one (absent until proactive delivery is wired). */
  ownerChat?: (owner: NhsmailAccount) => Promise<unknown | undefined>;
  /** Puts the vouching question in that chat: true when delivered (else the owner is emailed). */
  askInTeams?: (chat: unknown, owner: NhsmailAccount, vouch: ResetVouch, code: string) => Promise<boolean>;
  /**
   * For the dashboard: a reset verified by an owner's yes (SPEC §6). Resets verified by their
   * code are counted where codes are checked (bot/backOffice/counting.ts).
   */
  events?: ServiceEvents;
  /** Tells the requester's conversation how the vouching ended (proactive delivery, when wired). */
  tellRequester?: (vouch: ResetVouch, status: VouchStatus) => Promise<void>;
}

const queueOf = (account: NhsmailAccount): 'care' | 'dental' => (account.organisation.kind === 'dental' ? 'dental' : 'care');
const fullName = (account: NhsmailAccount) => `${account.firstName} ${account.lastName}`;
const ending = (mobile: string) => mobile.replace(/\D/g, '').slice(-MOBILE_DIGITS_SHOWN);

export function requesterOf(session: PasswordHelpSession): NasRequester {
  return { conversationKey: session.conversationKey, conversationReference: session.conversationReference ?? null, channelId: session.channelId };
}

/** The signed-in NHSmail address of a Teams user, when there is one. */
function signedInAddress(session: PasswordHelpSession): string | undefined {
  const candidates = [session.user?.email, session.user?.userPrincipalName].filter((a): a is string => !!a).map(normaliseAddress);
  return candidates.find((a) => a.endsWith('@nhs.net'));
}

export function createPasswordHelpServices(deps: PasswordHelpDeps): PasswordHelpServices {
  const now = deps.now ?? Date.now;

  /** 3 digits that stand for the mobile of an address that has none on record (or is not an account). */
  async function madeUpEnding(address: string): Promise<string> {
    const digest = createHmac('sha256', await deps.secret()).update(`password-reset-ending:${address}`).digest();
    return String(digest.readUInt32BE(0) % 10 ** MOBILE_DIGITS_SHOWN).padStart(MOBILE_DIGITS_SHOWN, '0');
  }

  /** The NAS team said to look after an address that is not an account (see the top of this file). */
  async function madeUpQueue(address: string): Promise<'care' | 'dental'> {
    const digest = createHmac('sha256', await deps.secret()).update(`password-help-administrator:${address}`).digest();
    return digest.readUInt32BE(0) % 3 === 0 ? 'dental' : 'care';
  }

  /** The reset request, once the requester is verified (by the code, or by an owner's yes). */
  async function raiseReset(
    account: NhsmailAccount | undefined,
    input: { mobile?: string; attemptId: string; requester: NasRequester; verification: PasswordResetVerification },
  ): Promise<ResetOutcome> {
    if (!account) throw new Error('a verified reset request names no account');
    const queue = queueOf(account);
    if (account.status === 'leaver') return { outcome: 'leaver', markedOn: account.statusSince, queue };
    const administrator = administratorOf(account);
    if (administrator.kind === 'local') {
      const { name, helpdesk } = administrator.organisation;
      return { outcome: 'hostedLocally', administrator: { kind: 'local', name, helpdesk } };
    }
    const mobile = input.mobile ?? account.mobile;
    if (!mobile) throw new Error('a reset request needs a mobile for the temporary password');
    const submitted = await deps.requests.submit({
      kind: 'passwordReset',
      queue,
      odsCode: account.organisation.odsCode,
      details: { account: { address: account.address, name: fullName(account), odsCode: account.organisation.odsCode }, mobile, verification: input.verification },
      idempotencyKey: input.attemptId,
      requester: input.requester,
      exclusive: { key: exclusiveKey('passwordReset', account.address), windowMs: RESET_REQUEST_WINDOW_MS },
    });
    if (submitted.outcome === 'conflict') {
      const { reference, status, createdAt } = submitted.existing;
      return { outcome: 'alreadyRequested', existing: { reference, status, createdAt }, queue };
    }
    const { reference, status, createdAt } = submitted.request;
    return { outcome: 'raised', request: { reference, status, createdAt }, mobileEnding: ending(mobile), queue };
  }

  /** The reset request an owner's yes verifies, raised once (whoever gets here first) and kept with the vouch. */
  async function completeYes(vouch: ResetVouch): Promise<ResetOutcome> {
    if (vouch.outcome) return vouch.outcome as ResetOutcome;
    const answer = vouch.answer!;
    const owner = vouch.owners.find((o) => o.address === answer.by)!;
    const account = await deps.accounts.findByAddress(vouch.address);
    const result = await raiseReset(account, {
      mobile: vouch.mobile,
      attemptId: vouch.attemptId,
      requester: vouch.requester,
      verification: {
        verifiedBy: 'owner',
        at: answer.at,
        owner: { address: owner.address, name: owner.name },
        answer: 'yes',
        askedAt: vouch.createdAt,
        via: answer.via ?? owner.via,
      },
    });
    await deps.vouches.setOutcome(vouch.id, result);
    return result;
  }

  async function statusOf(vouch: ResetVouch | undefined): Promise<VouchStatus> {
    if (!vouch) return { status: 'expired' };
    if (vouch.answer?.answer === 'yes') return { status: 'vouched', at: vouch.answer.at, result: await completeYes(vouch) };
    if (vouch.answer?.answer === 'no') return { status: 'refused', at: vouch.answer.at };
    return now() >= vouch.expiresAt ? { status: 'expired' } : { status: 'waiting', expiresAt: vouch.expiresAt };
  }

  /** The owners who can vouch for an account: its organisation's active owners, not the requester. */
  async function ownersFor(account: NhsmailAccount | undefined): Promise<NhsmailAccount[]> {
    if (!account || account.status === 'leaver') return [];
    const owners = await deps.accounts.sharedMailboxOwners(account.organisation.odsCode);
    return owners.filter((o) => o.address !== account.address && o.status === 'active');
  }

  return {
    async whoAdministers({ address }): Promise<Administrator> {
      const account = await deps.accounts.findByAddress(address);
      if (!account) return { kind: 'nas', queue: await madeUpQueue(normaliseAddress(address)) };
      const administrator = administratorOf(account);
      if (administrator.kind === 'nas') return administrator;
      const { name, helpdesk } = administrator.organisation;
      return { kind: 'local', name, helpdesk };
    },

    async sendResetCode({ address }) {
      const account = await deps.accounts.findByAddress(address);
      const mobile = account?.mobile ?? undefined;
      const shown = mobile ? ending(mobile) : await madeUpEnding(normaliseAddress(address));
      const issued = await deps.codes.issue('passwordReset', address);
      if (!issued.ok) return { sent: false, ending: shown, reason: issued.reason, nextAllowedAt: issued.nextAllowedAt };
      if (mobile) {
        await deps.outbox.send(
          { channel: 'sms', recipient: mobile, body: resetCodeText(issued.code), tags: { kind: 'passwordResetCode', account: account!.address } },
          { dedupeKey: `passwordResetCode:${account!.address}:${issued.issuedAt}` },
        );
      }
      return { sent: true, ending: shown, issuedAt: issued.issuedAt, expiresAt: issued.expiresAt };
    },

    async verifyResetCode({ address, code }) {
      const checked = await deps.codes.verify('passwordReset', address, code);
      if (checked.ok) return { result: 'right' };
      switch (checked.reason) {
        case 'wrong':
          return { result: 'wrong', attemptsLeft: checked.attemptsLeft, ...(checked.lockedUntil !== undefined ? { lockedUntil: checked.lockedUntil } : {}) };
        case 'expired':
          return { result: 'expired', expiredAt: checked.expiredAt };
        case 'locked':
          return { result: 'locked', lockedUntil: checked.lockedUntil };
        default:
          return { result: 'noCode' };
      }
    },

    async submitReset({ address, attemptId, session }) {
      const account = await deps.accounts.findByAddress(address);
      return raiseReset(account, { attemptId, requester: requesterOf(session), verification: { verifiedBy: 'mobile', at: now() } });
    },

    async askOwner({ address, mobile, attemptId, session }) {
      const normalised = normaliseAddress(address);
      const account = await deps.accounts.findByAddress(normalised);
      const owners = await ownersFor(account);
      const chats = new Map<string, unknown>();
      for (const owner of deps.ownerChat ? owners : []) {
        const chat = await deps.ownerChat!(owner).catch(() => undefined);
        if (chat !== undefined) chats.set(owner.address, chat);
      }
      const made = await deps.vouches.create({
        address: normalised,
        account:
          account && owners.length
            ? { address: account.address, name: fullName(account), odsCode: account.organisation.odsCode, organisationName: account.organisation.name, queue: queueOf(account) }
            : null,
        mobile,
        requester: requesterOf(session),
        attemptId,
        owners: owners.map((o): VouchOwner => ({ address: o.address, name: fullName(o), via: chats.has(o.address) ? 'teams' : 'email' })),
      });
      if (made.created) {
        for (const owner of owners) {
          const code = made.codes[owner.address]!;
          const chat = chats.get(owner.address);
          if (chat !== undefined && (await deps.askInTeams?.(chat, owner, made.vouch, code).catch(() => false))) continue;
          // No Teams chat, or it could not be reached: an email with the code and no link.
          const email = ownerAskedEmail({ owner: fullName(owner), vouch: made.vouch, code: formatVouchCode(code) });
          await deps.outbox.send(
            { channel: 'email', recipient: owner.address, subject: email.subject, body: email.body, tags: { kind: 'passwordResetVouch', vouch: made.vouch.id } },
            { dedupeKey: `passwordResetVouch:${made.vouch.id}:${owner.address}` },
          );
        }
      }
      return { vouchId: made.vouch.id, askedAt: made.vouch.createdAt, expiresAt: made.vouch.expiresAt };
    },

    async vouchStatus({ vouchId }) {
      return statusOf(await deps.vouches.get(vouchId));
    },

    async findVouch({ code, session }) {
      const found = await deps.vouches.findByCode(code);
      if (!found) return { found: false, reason: 'notFound' };
      const signedIn = signedInAddress(session);
      if (signedIn && signedIn !== found.owner.address) return { found: false, reason: 'notAnOwner' };
      const { vouch, owner } = found;
      if (vouch.answer) return { found: false, reason: 'alreadyAnswered', answer: vouch.answer.answer, byYou: vouch.answer.by === owner.address };
      if (now() >= vouch.expiresAt || !vouch.account) return { found: false, reason: 'expired' };
      return {
        found: true,
        question: {
          requesterName: vouch.account.name,
          address: vouch.address,
          organisationName: vouch.account.organisationName,
          mobile: vouch.mobile,
          askedAt: vouch.createdAt,
          expiresAt: vouch.expiresAt,
        },
      };
    },

    async answerVouch({ code, answer, session }) {
      const found = await deps.vouches.findByCode(code);
      if (!found) return { outcome: 'notFound' };
      const signedIn = signedInAddress(session);
      if (signedIn && signedIn !== found.owner.address) return { outcome: 'notFound' };
      const via = signedIn === found.owner.address && session.channelId === 'msteams' ? 'teams' : 'email';
      const recorded = await deps.vouches.answer(found.vouch.id, { answer, by: found.owner.address, at: now(), via });
      if (recorded.outcome === 'notFound') return { outcome: 'notFound' };
      if (recorded.outcome === 'expired') return { outcome: 'expired' };
      const vouch = recorded.vouch;
      const first = vouch.answer!;
      if (recorded.outcome === 'alreadyAnswered' && !(first.by === found.owner.address && first.answer === answer)) {
        return { outcome: 'alreadyAnswered', answer: first.answer, byYou: first.by === found.owner.address };
      }
      // Recorded now, or this owner's own answer again (a retry after a failure): finish the job.
      const status = await statusOf(vouch);
      if (recorded.outcome === 'recorded' && answer === 'yes') {
        try {
          deps.events?.record({ name: 'resetVerified', detail: 'owner', flow: 'passwordHelp', channel: vouch.requester.channelId });
        } catch {
          // Counting never changes an answer.
        }
      }
      await deps.tellRequester?.(vouch, status).catch(() => undefined);
      return status.status === 'vouched' ? { outcome: 'recorded', answer: 'yes', result: status.result } : { outcome: 'recorded', answer: 'no' };
    },
  };
}
