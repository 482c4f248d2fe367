import { createHash } from 'node:crypto';
import { exclusiveKey, type ExistingRequestSummary, type NasRequests } from '../adapters/nasRequests';
import type { OneTimePasscodes } from '../adapters/oneTimePasscodes';
import type { Organisation, OrganisationDirectory } from '../adapters/organisationDirectory';
import type { Outbox } from '../adapters/outbox';
import { ADMIN_EMAIL, OTP_VALID_DAYS } from '../dialogs/contacts';
import { formatDate } from '../dialogs/registrationSteps';
import { sharedMailboxAddress } from '../dialogs/validators';
import type { ChosenOrganisation, RegistrationServices, VerificationOutcome } from '../machines/registration';

/**
 * The registration machine's effects, done with the adapters: the directory answers lookups,
 * passcodes are issued and checked, letters and emails go to the outbox, requests go to NAS.
 */

export interface RegistrationAdapters {
  directory: OrganisationDirectory;
  passcodes: OneTimePasscodes;
  outbox: Outbox;
  requests: NasRequests;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** Another person's registration for the organisation is being processed; this one is kept, rejected. */
export class RegistrationAlreadyInProgressError extends Error {
  override readonly name = 'RegistrationAlreadyInProgressError';
  constructor(readonly existing: ExistingRequestSummary) {
    super(`a registration for this organisation is already being processed (${existing.reference})`);
  }
}

/** "manager@example.co.uk" → "m***@example.co.uk": enough to recognise, not to harvest. */
export function maskEmail(address: string): string {
  const [local = '', domain = ''] = address.split('@');
  return `${local.slice(0, 1)}***@${domain}`;
}

function chosen(o: Organisation, pending: boolean): ChosenOrganisation {
  return {
    kind: o.kind,
    name: o.name,
    odsCode: o.odsCode,
    cqcLocationId: o.cqcLocationId,
    addressLines: o.address.lines,
    town: o.address.town,
    postcode: o.address.postcode,
    fullDetailsHeld: o.fullDetailsHeld,
    hasSharedMailbox: o.hasSharedMailbox,
    hasPendingRegistration: o.hasPendingRegistration || pending,
  };
}

export function createRegistrationServices({ directory, passcodes, outbox, requests }: RegistrationAdapters): RegistrationServices {
  const organisation = async (odsCode: string) => {
    const found = await directory.findByOdsCode(odsCode);
    if (!found) throw new Error(`organisation ${odsCode} is not in the directory`);
    return found;
  };

  /** A failed check counts towards the organisation's lock-out, whichever detail was wrong. */
  const failed = async (odsCode: string): Promise<VerificationOutcome> => {
    const recorded = await passcodes.recordFailure(odsCode);
    return recorded.locked && recorded.lockedUntil
      ? { result: 'locked', lockedUntil: recorded.lockedUntil }
      : { result: 'failed', failuresLeft: recorded.failuresLeft };
  };

  return {
    findOrganisations: async ({ postcode }) =>
      (await directory.findByPostcode(postcode)).map((o) => ({ name: o.name, odsCode: o.odsCode, kind: o.kind })),

    getOrganisation: async ({ odsCode }) => {
      const found = await directory.findByOdsCode(odsCode);
      if (!found) return undefined;
      return chosen(found, (await requests.pendingFor(exclusiveKey('registration', found.odsCode))) !== undefined);
    },

    checkManagerEmail: async ({ odsCode, email }) =>
      (await organisation(odsCode)).registeredManagerEmail.toLowerCase() === email.trim().toLowerCase(),

    requestPasscode: async ({ odsCode, kind, channel }) => {
      const org = await organisation(odsCode);
      const sentTo = (how: typeof channel) => (how === 'email' ? maskEmail(org.registeredManagerEmail) : 'your CQC-registered address');
      const issued = await passcodes.issue(org.odsCode, { validForMs: OTP_VALID_DAYS[kind] * DAY_MS, channel });
      if (!issued.ok) {
        // Not sent (too soon after the last, or the day's three used): the last one still stands.
        const last = await passcodes.current(org.odsCode);
        if (!last) throw new Error(`no passcode could be sent for ${org.odsCode} (${issued.reason})`);
        const how = last.channel ?? channel;
        return { channel: how, sentTo: sentTo(how), issuedAt: last.issuedAt, expiresAt: last.expiresAt };
      }
      const body = [
        `Your NHSmail registration one-time passcode for ${org.name} (ODS code ${org.odsCode}) is: ${issued.code}`,
        `It is valid until ${formatDate(issued.expiresAt)}. Enter it in the NHSmail care assistant chat to carry on with your registration.`,
        `If you did not ask for it, contact ${ADMIN_EMAIL[kind]}.`,
      ].join('\n');
      const address = [org.name, ...org.address.lines, org.address.town, org.address.postcode].join(', ');
      await outbox.send(
        {
          channel: channel === 'email' ? 'email' : 'letter',
          recipient: channel === 'email' ? org.registeredManagerEmail : address,
          subject: 'Your NHSmail registration passcode',
          body,
          tags: { kind: 'otp', odsCode: org.odsCode },
        },
        { dedupeKey: `otp:${org.odsCode}:${issued.issuedAt}` },
      );
      return {
        channel,
        sentTo: sentTo(channel),
        issuedAt: issued.issuedAt,
        expiresAt: issued.expiresAt,
      };
    },

    verifyOrganisation: async ({ odsCode, cqcLocationId, method, secret }) => {
      const org = await organisation(odsCode);
      const lockedUntil = await passcodes.lockedUntil(org.odsCode);
      if (lockedUntil) return { result: 'locked', lockedUntil };
      if (org.cqcLocationId !== cqcLocationId) return failed(org.odsCode);
      if (method === 'cqc-contact-id') {
        return org.cqcContactId.toUpperCase() === secret.toUpperCase() ? { result: 'verified' } : failed(org.odsCode);
      }
      const checked = await passcodes.verify(org.odsCode, secret);
      if (checked.ok) return { result: 'verified' };
      if (checked.reason === 'expired') return { result: 'expired', expiredAt: checked.expiredAt };
      if (checked.reason === 'locked') return { result: 'locked', lockedUntil: checked.lockedUntil };
      if (checked.failuresLeft <= 0) {
        return { result: 'locked', lockedUntil: (await passcodes.lockedUntil(org.odsCode)) ?? Date.now() + DAY_MS };
      }
      return { result: 'failed', failuresLeft: checked.failuresLeft };
    },

    isMobileOnNhsmail: ({ mobile }) => directory.isMobileInUse(mobile),

    submitRegistration: async (submission) => {
      const { organisation: org, origin } = submission;
      const address = sharedMailboxAddress({ kind: org.kind, town: submission.mailboxTown, name: org.name, odsCode: org.odsCode });
      if (!address.ok) throw new Error(address.error);
      const details = {
        organisation: org,
        town: submission.town,
        sharedMailboxAddress: address.value,
        members: submission.members,
        verifiedBy: submission.verifiedBy,
      };
      const reference = origin.conversationReference as { channelId?: unknown } | null;
      const result = await requests.submit({
        kind: 'registration',
        details,
        queue: org.kind,
        odsCode: org.odsCode,
        // Until the registration keeps an attempt id, an attempt is known by its conversation and
        // what it submits: a repeated confirm gives the same key, another registration a new one.
        idempotencyKey: `registration:${origin.conversationKey}:${createHash('sha256').update(JSON.stringify(details)).digest('hex').slice(0, 32)}`,
        requester: {
          conversationKey: origin.conversationKey,
          conversationReference: origin.conversationReference,
          channelId: typeof reference?.channelId === 'string' ? reference.channelId : 'unknown',
        },
        exclusive: { key: exclusiveKey('registration', org.odsCode) },
      });
      if (result.outcome === 'conflict') throw new RegistrationAlreadyInProgressError(result.existing);
      const { request } = result;
      return { reference: request.reference, submittedAt: request.createdAt };
    },
  };
}
