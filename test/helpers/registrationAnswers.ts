import type { NasRequestOf } from '../../adapters/nasRequests';
import type { Transcript } from './transcript';

/** Organisations of the invented directory, the answers that reach each part, and ways to get there. */

export const AMAZING = { postcode: 'LS6 1BN', ods: 'CPODS2', location: '1-1002733005', contactId: 'CON1-123456789', email: 'manager@amazingcarehomes.co.uk' };
export const RIVERSIDE = { postcode: 'BS1 5TY', ods: 'DODSA1', location: '1-1002733021', contactId: 'CON1-223456789' };
/** A dental practice whose details the directory does not fully hold: Route B. */
export const BIRCHFIELD = { postcode: 'B16 9LA', ods: 'DODSB1', location: '1-1002733039' };
export const CHECKS_CONTACT_ID = ['register', 'care provider', 'no', 'yes', 'no', 'yes', 'continue'];
export const CHECKS_BY_EMAIL = ['register', 'care provider', 'no', 'yes', 'no', 'no', 'email', 'continue'];
export const CHECKS_BY_POST = ['register', 'care provider', 'no', 'yes', 'no', 'no', 'post', 'continue'];
export const DENTAL_CONTACT_ID = ['register', 'dental', 'no', 'yes', 'no', 'yes', 'continue'];
export const DENTAL_BY_EMAIL = ['register', 'dental', 'no', 'yes', 'no', 'no', 'email', 'continue'];
export const OWNER = ['Mrs', 'Jane', 'Smith', 'jane@example.co.uk', '07400 123456', 'Registered Manager'];
export const SECOND = ['add another', 'no title', 'Sam', 'Lee', 'sam@example.com', '07400 654321', 'Nurse', 'no', 'yes', 'no'];

export async function answerAll(t: Transcript, answers: string[]): Promise<string> {
  let last = '';
  for (const answer of answers) last = await t.ask(answer);
  return last;
}

export async function latestPasscode(t: Transcript): Promise<string> {
  const [message] = await t.assistant.adapters.outbox.latest(1);
  const code = /is: ([A-Z2-9]{8})/.exec(message?.body ?? '')?.[1];
  if (!code) throw new Error('no passcode in the outbox');
  return code;
}

/** A care provider verified by CQC contact ID, at the town question. */
export async function verifiedCare(t: Transcript, org = AMAZING): Promise<string> {
  await answerAll(t, [...CHECKS_CONTACT_ID, org.postcode, org.ods, org.location]);
  return t.ask(org.contactId);
}

/** At the members list with the owner and a second member. */
export async function twoMembers(t: Transcript): Promise<string> {
  await verifiedCare(t);
  await answerAll(t, ['Leeds', 'continue']);
  await answerAll(t, OWNER);
  return answerAll(t, SECOND);
}

export const registrationRequest = async (t: Transcript, reference: string) =>
  (await t.assistant.adapters.requests.get(reference)) as NasRequestOf<'registration'> | undefined;
export const referenceIn = (text: string) => /REG-[A-Z2-9]{8}/.exec(text)?.[0];
