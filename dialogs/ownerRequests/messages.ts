/**
 * What the owners' requests send outside the chat: the email with the code that proves an owner
 * is who they say, and the message telling a new shared mailbox owner about a handover (in their
 * own Teams chat, or by email). Pure: the words only. No links, so a message cannot be mistaken
 * for a phishing email that asks for a password.
 */
import { VERIFICATION_POLICIES } from '../../adapters/verificationCodes';
import { NATIONAL_HELPDESK } from '../contacts';

const MINUTES = VERIFICATION_POLICIES.ownerVerification.validForMs / 60_000;

export function ownerCodeEmail(code: string): { subject: string; body: string } {
  return {
    subject: 'Your NHSmail care assistant code',
    body: [
      `Your code is ${code}.`,
      `Type it in the chat with the NHSmail care assistant to confirm that this NHSmail address is yours. It works for ${MINUTES} minutes.`,
      'Nobody from NHSmail will ever ask you for this code or for your password. If you did not ask for a code, you can ignore this email: nothing changes without it.',
      `Questions: the national helpdesk, ${NATIONAL_HELPDESK.phone} or ${NATIONAL_HELPDESK.email}.`,
    ].join('\n\n'),
  };
}

export interface HandoverNotice {
  newOwner: string;
  outgoingOwner: string;
  site: string;
  reference: string;
  sharedMailboxAddress?: string;
}

/** To the new owner: what has been asked, and what it means for them. */
export function newOwnerText(n: HandoverNotice): string {
  return [
    `${n.outgoingOwner} has asked the National Administration Service (NAS) to make you the shared mailbox owner of ${n.site}${n.sharedMailboxAddress ? ` (${n.sharedMailboxAddress})` : ''}, in their place. The reference is ${n.reference}.`,
    'Once NAS has made the change, you look after who has access to the shared mailbox, and you report leavers and ask for accounts for new starters, here in this chat or with NAS.',
    `If this is not right, contact NAS quoting ${n.reference}.`,
  ].join('\n\n');
}

export function newOwnerEmail(n: HandoverNotice): { subject: string; body: string } {
  return { subject: `You are to be the shared mailbox owner of ${n.site}`, body: `Dear ${n.newOwner},\n\n${newOwnerText(n)}` };
}
