/**
 * What is said in another conversation than the one the user is typing in (through the notifier):
 * the question put to a shared mailbox owner in their own Teams chat, and the owner's answer told
 * in the requester's chat. Each stands on its own, since the conversation it lands in may be busy
 * with something else.
 */
import type { ResetVouch } from '../../adapters/resetVouches';
import type { VouchStatus } from '../../machines/passwordHelp';
import { lapsedText, refusedText, resultText } from './resetSteps';

/** For the owner: who asks, and how to answer when the chat is busy with something else. */
export function vouchAskedText(vouch: ResetVouch, code: string): string {
  const name = vouch.account?.name ?? 'A colleague';
  return `${name} (${vouch.address}) has asked for an NHSmail password reset and needs a shared mailbox owner of ${vouch.account?.organisationName ?? 'your organisation'} to vouch for them. If I am not asking you about it just below, type "vouch ${code}" when you are ready.`;
}

/** Said first in the requester's chat; what it means follows when the chat was waiting for it. */
export const OWNER_ANSWERED_HEADING = 'News about your password reset request: your shared mailbox owner has answered.';

/** For the requester when their chat has moved on to something else: the answer, and what happens now, on its own. */
export function ownerAnsweredText(status: VouchStatus, now: number): string {
  switch (status.status) {
    case 'vouched':
      return resultText({ now, byOwner: true }, status.result);
    case 'refused':
      return refusedText({ now });
    case 'expired':
      return lapsedText({ now });
    case 'waiting':
      return 'Your shared mailbox owners have not answered yet.';
  }
}
