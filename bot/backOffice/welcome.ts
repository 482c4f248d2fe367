import type { AccountDirectory } from '../../adapters/accountDirectory';
import type { NasRequestOf, RegistrationMember } from '../../adapters/nasRequests';
import type { Outbox, OutboxMessage } from '../../adapters/outbox';
import { ADMIN_EMAIL, NATIONAL_HELPDESK } from '../../dialogs/contacts';

/**
 * What each member of a registration gets once NAS marks it done (SPEC §1.5, §3.1; the
 * registration guides' "Welcome to NHSmail"): a welcome email to the address given at
 * registration with their username and how to activate the account, and a text message to their
 * mobile with the temporary password.
 *
 * The assistant never knows a password. The text it records says where the password goes and
 * holds the placeholder `TEMPORARY_PASSWORD_PLACEHOLDER` in its place: NHSmail's account creation
 * makes the password and its SMS provider sends the real text. Recorded in the outbox once per
 * request and member, however often the change is repeated.
 */

export const TEMPORARY_PASSWORD_PLACEHOLDER = '[temporary password: made and sent by NHSmail, never known to this service]';

/** `O'Neill` → `oneill`, `Mary Jane` → `mary-jane`, `Zoë` → `zoe`: a name as an address part. */
export function addressPart(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/['’`]/g, '')
    .replace(/[^a-z-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^-|-$/g, '');
}

/**
 * Each member's NHSmail username (`firstname.lastname@nhs.net`), with a number after the last name
 * when the address is already taken in the directory or by an earlier member (`jane.smith2`), as
 * NHSmail does. `isTaken` says whether an address is in use.
 */
export async function usernamesFor(members: readonly RegistrationMember[], isTaken: (address: string) => Promise<boolean>): Promise<string[]> {
  const chosen = new Set<string>();
  const names: string[] = [];
  for (const member of members) {
    const base = `${addressPart(member.firstName) || 'user'}.${addressPart(member.lastName) || 'user'}`;
    let address = `${base}@nhs.net`;
    for (let n = 2; chosen.has(address) || (await isTaken(address)); n++) address = `${base}${n}@nhs.net`;
    chosen.add(address);
    names.push(address);
  }
  return names;
}

const lastDigits = (mobile: string) => mobile.replace(/\D/g, '').slice(-3);

type Draft = Omit<OutboxMessage, 'id' | 'createdAt'>;

/** The welcome email and the password text of every member, in member order. */
export function welcomeMessagesFor(request: NasRequestOf<'registration'>, usernames: readonly string[]): { email: Draft; text: Draft }[] {
  const { organisation, sharedMailboxAddress } = request.details;
  const admin = ADMIN_EMAIL[organisation.kind];
  return request.details.members.map((member, i) => {
    const username = usernames[i]!;
    const name = [member.title, member.firstName, member.lastName].filter(Boolean).join(' ');
    const mailbox = member.owner
      ? [
          `You are an owner of ${organisation.name}'s shared mailbox, ${sharedMailboxAddress}. It needs no activation and has no password of its own: you open it from your personal account, and you can give other staff with NHSmail accounts access to it.`,
        ]
      : member.sharedMailboxAccess
        ? [`You can also open ${organisation.name}'s shared mailbox, ${sharedMailboxAddress}, from your personal account. It needs no activation and has no password of its own.`]
        : [];
    const tags = { kind: 'welcome', reference: request.reference, odsCode: organisation.odsCode, member: String(i + 1) };
    const email: Draft = {
      channel: 'email',
      recipient: member.email,
      subject: 'Welcome to NHSmail',
      body: [
        `Dear ${name},`,
        '',
        `Your NHSmail account for ${organisation.name} (ODS code ${organisation.odsCode}) has been set up.`,
        `Your username is ${username}.`,
        `Your temporary password is being sent by text message to your mobile ending ${lastDigits(member.mobile)}, the number given when your organisation registered.`,
        '',
        'To start using your account:',
        '1. Go to www.nhs.net and choose Login.',
        '2. Enter your username (@nhs.net is filled in for you) and the temporary password from the text message.',
        '3. Choose a new password when asked, accept the acceptable use policy and set your security questions.',
        '4. If you wish, show your mobile number in the NHS Directory: it is hidden until you choose to show it.',
        ...(mailbox.length ? ['', ...mailbox] : []),
        '',
        'An account that is not used for 90 days becomes inactive, so please log in soon.',
        `If the text message does not arrive, contact the National Administration Service at ${admin} or on ${NATIONAL_HELPDESK.phone}.`,
        '',
        'The NHSmail team',
      ].join('\n'),
      tags,
    };
    const text: Draft = {
      channel: 'sms',
      recipient: member.mobile,
      body: `NHSmail: the temporary password for ${username} is ${TEMPORARY_PASSWORD_PLACEHOLDER}. Log in at www.nhs.net and change it straight away. Never share it with anyone, including NHSmail staff.`,
      tags: { ...tags, kind: 'temporaryPassword' },
    };
    return { email, text };
  });
}

/**
 * Records every member's welcome email and password text in the outbox (once per request and
 * member: dedupe keys), and returns what was recorded.
 */
export async function sendWelcomeMessages(
  request: NasRequestOf<'registration'>,
  outbox: Outbox,
  accounts?: Pick<AccountDirectory, 'findByAddress'>,
): Promise<OutboxMessage[]> {
  const isTaken = async (address: string) => (accounts ? (await accounts.findByAddress(address)) !== undefined : false);
  const usernames = await usernamesFor(request.details.members, isTaken);
  const sent: OutboxMessage[] = [];
  for (const [i, { email, text }] of welcomeMessagesFor(request, usernames).entries()) {
    sent.push(await outbox.send(email, { dedupeKey: `welcome:${request.reference}:${i + 1}:email` }));
    sent.push(await outbox.send(text, { dedupeKey: `welcome:${request.reference}:${i + 1}:sms` }));
  }
  return sent;
}
