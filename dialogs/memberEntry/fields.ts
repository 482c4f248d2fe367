import type { MemberField } from '../../machines/registration/rules';
import type { FieldInfo } from '../types';

/** A member detail: its label on the member card, and why it is asked for and where to find it (CONTRACTS §4). */
export interface MemberFieldInfo extends FieldInfo {
  /** The card's label for the input (or the toggle's title). */
  label: string;
}

/**
 * The one source of the member details' wording: the text questions, the "why?" answers and the
 * member card (dialogs/memberEntry/card.ts) all read it.
 */
export const MEMBER_FIELDS_INFO: Readonly<Record<MemberField, MemberFieldInfo>> = {
  title: {
    label: 'Title (optional)',
    name: 'their title',
    why: 'The title is shown with their name in the NHS Directory. It is optional: say "no title" to leave it out.',
    whereToFind: 'Use the title the person uses at work, or choose "No title".',
  },
  firstName: {
    label: 'First name',
    name: 'their first name',
    why: 'Their first and last names make their NHSmail address (for example jane.smith@nhs.net) and are shown in the NHS Directory.',
    whereToFind: 'Type the first name the person uses at work, as they would like it to appear.',
  },
  lastName: {
    label: 'Last name',
    name: 'their last name',
    why: 'Their first and last names make their NHSmail address and are shown in the NHS Directory.',
    whereToFind: 'Type the last name (surname) the person uses at work.',
  },
  email: {
    label: 'Business or personal email address',
    name: 'their email address',
    why: 'Their welcome email, with their NHSmail username, is sent there.',
    whereToFind: 'Any email address the person reads: a work address or a personal one. It must not be an nhs.net address.',
  },
  mobile: {
    label: 'UK mobile number',
    name: 'their mobile number',
    why: 'The mobile number is used to text their temporary password and to confirm who they are if they need a password reset. It is hidden from the NHS Directory unless they choose to show it.',
    whereToFind: 'The UK mobile number the person carries with them at work, beginning 07.',
  },
  role: {
    label: 'Role',
    name: 'their role',
    why: 'NAS records each person\'s role with their account.',
    whereToFind: 'Choose the role closest to their job, or Other if none fits.',
  },
  owner: {
    label: 'Also a shared mailbox owner',
    name: 'whether they are a shared mailbox owner',
    why: 'Owners are responsible for the shared mailbox: they decide who can open it, and tell NAS about leavers and new starters.',
    whereToFind:
      'Choose yes for someone who will look after the shared mailbox, such as a manager or an administrator. An owner decides who has access; an admin only looks after its settings; a member reads and sends its email.',
  },
  sharedMailboxAccess: {
    label: 'Add to the shared mailbox',
    name: 'whether they are added to the shared mailbox',
    why: 'People in the shared mailbox can read and send its email from their own account.',
    whereToFind: 'Choose yes for people who need to read the organisation\'s shared email.',
  },
  mailboxAdmin: {
    label: 'Mailbox admin',
    name: 'whether they are a mailbox admin',
    why: 'A mailbox admin can look after the shared mailbox\'s settings; unlike an owner, they do not decide who has access to it.',
    whereToFind: 'Usually the owners and one or two senior staff.',
  },
};
