/**
 * What the password help sends outside the chat (through the outbox): the text message with the
 * reset code, and the email that asks a shared mailbox owner to vouch. Neither holds a link —
 * people are rightly told never to follow one to a password page — and neither asks for a password.
 */
import type { ResetVouch } from '../../adapters/resetVouches';
import { RESET_CODE_POLICY } from '../../machines/passwordHelp/rules';
import { clockTime } from '../contactHours';
import { ADMIN_EMAIL } from '../contacts';

const MINUTE = 60_000;

/** +447400123456 → 07400 123456 */
export function displayMobile(e164: string): string {
  const national = e164.replace(/^\+44/, '0').replace(/\D/g, '');
  return national.length === 11 ? `${national.slice(0, 5)} ${national.slice(5)}` : e164;
}

const dayAndDate = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', weekday: 'long', day: 'numeric', month: 'long' });

/** "Saturday 5 December at 10am" (London time). */
export function dayAndTime(at: number): string {
  return `${dayAndDate.format(at)} at ${clockTime(at)}`;
}

export function resetCodeText(code: string): string {
  return (
    `Your NHSmail password reset code is ${code}. Type it into the NHSmail care assistant chat where you asked for it; ` +
    `it works for ${RESET_CODE_POLICY.validForMs / MINUTE} minutes. Do not share it. Nobody will ever ask you for your password.`
  );
}

export function ownerAskedEmail(input: { owner: string; vouch: ResetVouch; code: string }): { subject: string; body: string } {
  const { vouch } = input;
  const account = vouch.account!;
  const mobile = displayMobile(vouch.mobile);
  return {
    subject: `Please confirm a password reset for ${account.name}`,
    body: [
      `Dear ${input.owner},`,
      '',
      `${account.name} (${account.address}) has asked the NHSmail care assistant for a password reset, and cannot use a mobile number on their account to prove it is them. ` +
        `As a shared mailbox owner at ${account.organisationName}, you are asked to vouch for them.`,
      '',
      `If you say yes, the National Administration Service will text a temporary password to ${mobile}.`,
      '',
      `Before you answer, check with ${account.name} yourself — in person, or on a number you already have for them — that they asked for this and that ${mobile} is their mobile.`,
      '',
      'To answer, open the NHSmail care assistant (in Microsoft Teams, or the web chat) and type:',
      '',
      `    vouch ${input.code}`,
      '',
      `You will be asked yes or no. The code works until ${dayAndTime(vouch.expiresAt)}, and only for you.`,
      '',
      `If you did not expect this, or something does not look right, answer no, and tell NAS at ${ADMIN_EMAIL[account.queue]}.`,
      '',
      'This email has no links on purpose. Nobody will ever ask you for your password.',
    ].join('\n'),
  };
}
