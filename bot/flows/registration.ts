import { exclusiveKey } from '../../adapters/nasRequests';
import type { Organisation } from '../../adapters/organisationDirectory';
import { ADMIN_EMAIL } from '../../dialogs/contacts';
import { registrationDialog } from '../../dialogs/registration';
import { formatDate } from '../../dialogs/text';
import {
  type ChosenOrganisation,
  PASSCODE_VALID_DAYS,
  type RegistrationServices,
  type VerificationOutcome,
  registrationActors,
  registrationMachine,
  sharedMailboxAddress,
} from '../../machines/registration';
import { migrateRegistrationV1 } from '../../machines/registration/migrate';
import type { Flow, FlowAdapters } from './types';

/**
 * Registering an organisation (SPEC §1): machines/registration, dialogs/registration, and its
 * effects done with the adapters — the directory answers lookups, passcodes are issued and
 * checked, letters and emails go to the outbox, requests go to NAS.
 */

const DAY_MS = 24 * 60 * 60 * 1000;

/** "manager@example.co.uk" → "m***@example.co.uk": enough to recognise, not to harvest. */
export function maskEmail(address: string): string {
  const [local = '', domain = ''] = address.split('@');
  return `${local.slice(0, 1)}***@${domain}`;
}

function chosen(o: Organisation, pending: ChosenOrganisation['pendingRegistration']): ChosenOrganisation {
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
    ...(pending ? { pendingRegistration: pending } : o.hasPendingRegistration ? { pendingRegistration: {} } : {}),
  };
}

export function createRegistrationServices({ directory, passcodes, outbox, requests }: FlowAdapters): RegistrationServices {
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
    findOrganisations: async ({ postcode }) => (await directory.findByPostcode(postcode)).map((o) => ({ name: o.name, odsCode: o.odsCode, kind: o.kind })),

    getOrganisation: async ({ odsCode, conversationKey }) => {
      const found = await directory.findByOdsCode(odsCode);
      if (!found) return undefined;
      const pending = await requests.pendingFor(exclusiveKey('registration', found.odsCode));
      return chosen(
        found,
        pending && {
          reference: pending.reference,
          status: pending.status,
          createdAt: pending.createdAt,
          channel: pending.requester.channelId,
          ...(pending.requester.conversationKey === conversationKey ? { yours: true } : {}),
        },
      );
    },

    checkManagerEmail: async ({ odsCode, email }) => (await organisation(odsCode)).registeredManagerEmail.toLowerCase() === email.trim().toLowerCase(),

    requestPasscode: async ({ odsCode, kind, channel }) => {
      const org = await organisation(odsCode);
      const sentTo = (how: typeof channel) => (how === 'email' ? maskEmail(org.registeredManagerEmail) : 'your CQC-registered address');
      const issued = await passcodes.issue(org.odsCode, { validForMs: PASSCODE_VALID_DAYS[kind] * DAY_MS, channel });
      if (!issued.ok) {
        // Not sent (too soon after the last, or the day's three used): the user is told when the
        // next may go, and the last one (any of the last 3 unexpired) still works.
        const last = await passcodes.current(org.odsCode);
        const how = last?.channel ?? channel;
        return {
          sent: false,
          reason: issued.reason,
          nextAllowedAt: issued.nextAllowedAt,
          ...(last ? { last: { channel: how, sentTo: sentTo(how), issuedAt: last.issuedAt, expiresAt: last.expiresAt } } : {}),
        };
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
        sent: true,
        passcode: { channel, sentTo: sentTo(channel), issuedAt: issued.issuedAt, expiresAt: issued.expiresAt },
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

    verificationLockedUntil: async ({ odsCode }) => (await passcodes.lockedUntil((await organisation(odsCode)).odsCode)) ?? undefined,

    isMobileOnNhsmail: ({ mobile }) => directory.isMobileInUse(mobile),

    submitRegistration: async (submission) => {
      const { organisation: org, requester } = submission;
      const address = sharedMailboxAddress({ kind: org.kind, town: submission.mailboxTown, name: org.name, odsCode: org.odsCode });
      if (!address) throw new Error('the shared mailbox address cannot be made from these details');
      const result = await requests.submit({
        kind: 'registration',
        details: { organisation: org, town: submission.town, sharedMailboxAddress: address, members: submission.members, verifiedBy: submission.verifiedBy },
        queue: org.kind,
        odsCode: org.odsCode,
        // One request per registration attempt: a confirm pressed twice or a retried turn gets the
        // first one back; a new registration in the same conversation makes a new one.
        idempotencyKey: `registration:${submission.attemptId}`,
        requester: {
          conversationKey: requester.conversationKey,
          conversationReference: requester.conversationReference,
          channelId: requester.channelId,
          ...(requester.email ? { email: requester.email } : {}),
        },
        exclusive: { key: exclusiveKey('registration', org.odsCode) },
      });
      if (result.outcome === 'conflict') {
        // Made earlier in this same conversation? Then it is the user's own, not someone else's.
        const first = await requests.get(result.existing.reference).catch(() => undefined);
        const yours = first?.requester.conversationKey === requester.conversationKey;
        return { outcome: 'alreadyBeingProcessed', existing: { ...result.existing, ...(yours ? { yours } : {}) }, kept: { reference: result.kept.reference } };
      }
      return { outcome: 'submitted', reference: result.request.reference, submittedAt: result.request.createdAt };
    },
  };
}

export const registration: Flow = {
  id: 'registration',
  version: 2,
  machine: registrationMachine,
  dialog: registrationDialog,
  services: (adapters) => ({
    actors: registrationActors(createRegistrationServices(adapters)),
  }),
  migrate: ({ version, snapshot }, input) => (version === 1 ? migrateRegistrationV1(snapshot, input) : undefined),
};
