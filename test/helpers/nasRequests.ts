import { randomBytes, randomUUID } from 'node:crypto';
import { exclusiveKey, NasSubmission, RegistrationRequestDetails } from '../../adapters/nasRequests';

/** Registrations as the registration flow submits them, for the NAS request suites. */

export const newOdsCode = () => `V${randomBytes(3).toString('hex').toUpperCase()}`;
export const newConversationKey = () => `conv-${randomUUID()}`;
/** A registration attempt id, as the registration creates one when it starts. */
export const newAttemptId = () => `attempt-${randomUUID()}`;

export function detailsFor(odsCode: string, name = 'Rose Court Care Home', manager = 'Jane'): RegistrationRequestDetails {
  return {
    organisation: { kind: 'care', name, odsCode, cqcLocationId: '1-1002733005' },
    town: 'leeds',
    sharedMailboxAddress: `care.leeds.rosecourtcarehome${odsCode.toLowerCase()}@nhs.net`,
    members: [
      {
        title: 'Mrs',
        firstName: manager,
        lastName: "O'Neill",
        email: `${manager.toLowerCase()}.oneill@example.org`,
        mobile: '+447400123456',
        role: 'Registered Manager',
        sharedMailboxAccess: true,
        mailboxAdmin: true,
        owner: true,
      },
      {
        firstName: 'Sam',
        lastName: 'Patel-Jones',
        email: 'sam@example.org',
        mobile: '+447400123457',
        role: 'Deputy Manager',
        sharedMailboxAccess: false,
        mailboxAdmin: false,
        owner: false,
      },
    ],
    verifiedBy: 'otp',
  };
}

export const conversationReferenceFor = (key: string, channelId = 'msteams') => ({
  channelId,
  serviceUrl: 'https://smba.example.net/emea/',
  conversation: { id: key },
  bot: { id: 'bot-id', name: 'NHSmail assistant' },
});

export interface Attempt {
  odsCode?: string;
  idempotencyKey?: string;
  conversationKey?: string;
  channelId?: string;
  manager?: string;
  exclusive?: boolean;
}

/** A registration as the registration flow submits it. */
export function registration(ods: string, attempt: Attempt = {}): NasSubmission<'registration'> {
  const odsCode = attempt.odsCode ?? ods;
  const conversationKey = attempt.conversationKey ?? newConversationKey();
  const channelId = attempt.channelId ?? 'msteams';
  return {
    kind: 'registration',
    details: detailsFor(odsCode, undefined, attempt.manager),
    queue: 'care',
    odsCode,
    idempotencyKey: attempt.idempotencyKey ?? newAttemptId(),
    requester: { conversationKey, conversationReference: conversationReferenceFor(conversationKey, channelId), channelId },
    ...(attempt.exclusive === false ? {} : { exclusive: { key: exclusiveKey('registration', odsCode) } }),
  };
}
