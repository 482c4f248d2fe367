import type { AnyEventObject } from 'xstate';
import { Member, RegistrationContext } from '../machines/registration';
import type { FormState } from './cards';
import type { FlowParse } from './types';
import * as validate from './validators';

/**
 * Card submissions during a registration (`activity.value`): which button was pressed, and a
 * whole member read by the same zod schemas and validators as typed answers.
 */

const MEMBER_STATES = new Set([
  'memberTitle',
  'memberFirstName',
  'memberLastName',
  'memberEmail',
  'memberMobile',
  'memberRole',
  'memberOwner',
  'memberMailboxAccess',
  'memberMailboxAdmin',
]);

const FORM_FIELDS = ['title', 'firstName', 'lastName', 'email', 'mobile', 'role', 'owner', 'sharedMailboxAccess', 'mailboxAdmin'] as const;

const asIndex = (value: unknown): number | undefined => {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\d{1,2}$/.test(value) ? Number(value) : NaN;
  return Number.isInteger(n) && n >= 0 ? n : undefined;
};

/** The form as the user filled it (text only), to show it again with errors. */
function formValues(value: Record<string, unknown>): Record<string, string> {
  const values: Record<string, string> = {};
  for (const field of FORM_FIELDS) {
    const v = value[field];
    if (typeof v === 'string' || typeof v === 'boolean' || typeof v === 'number') values[field] = String(v).slice(0, 200);
  }
  return values;
}

export function parseMemberForm(value: Record<string, unknown>, context: RegistrationContext): { member: Member } | { invalid: string; form: FormState } {
  const kind: validate.RegisteringKind = context.organisation?.kind === 'dental' ? 'dental' : 'care';
  const index = context.editing?.index ?? (context.members ?? []).length;
  const ownerSlot = index === 0;
  const values = formValues(value);
  // The owner's flags are fixed and not on its form; toggles left untouched are "false".
  const input = {
    ...value,
    sharedMailboxAccess: ownerSlot ? 'true' : (values.sharedMailboxAccess ?? 'false'),
    mailboxAdmin: ownerSlot ? 'true' : (values.mailboxAdmin ?? 'false'),
  };
  const parsed = validate.memberSchema(kind).safeParse(input);
  const owner = ownerSlot || values.owner === 'true';
  if (!parsed.success) {
    const errors: Record<string, string> = {};
    for (const issue of parsed.error.issues) {
      const field = String(issue.path[0] ?? 'form');
      errors[field] ??= issue.message;
    }
    const count = Object.keys(errors).length;
    return { invalid: `Please correct ${count === 1 ? 'the detail' : `the ${count} details`} marked on the form.`, form: { values, errors } };
  }
  const { title, ...rest } = parsed.data;
  return { member: { ...(title ? { title } : {}), ...rest, owner } as Member };
}

export function parseRegistrationCard(value: Record<string, unknown>, state: string, context: RegistrationContext): FlowParse {
  const event = (e: AnyEventObject) => e;
  switch (value.action) {
    case 'saveMember': {
      // A form pressed twice (Teams can deliver a submission again) is not saved twice.
      if (state === 'membersList') return { invalid: 'That form has already been saved.' };
      if (!MEMBER_STATES.has(state)) return undefined;
      const result = parseMemberForm(value, context);
      return 'member' in result ? event({ type: 'SAVE_MEMBER', member: result.member }) : result;
    }
    case 'addMember':
      return state === 'membersList' ? event({ type: 'ADD_MEMBER' }) : undefined;
    case 'membersDone':
      return state === 'membersList' ? event({ type: 'MEMBERS_DONE' }) : undefined;
    case 'editMember': {
      const index = asIndex(value.index);
      return state === 'membersList' && index !== undefined ? event({ type: 'EDIT_MEMBER', index, field: 'firstName' }) : undefined;
    }
    case 'removeMember': {
      const index = asIndex(value.index);
      return state === 'membersList' && index !== undefined ? event({ type: 'REMOVE_MEMBER', index }) : undefined;
    }
    case 'confirm':
      if (state === 'submitted') return { invalid: `Your registration is already submitted (reference ${context.submitted?.reference}); nothing more is needed.` };
      return state === 'review' ? event({ type: 'CONFIRM' }) : undefined;
    case 'chooseOrganisation': {
      const code = validate.odsCode(typeof value.odsCode === 'string' ? value.odsCode : '');
      return state === 'chooseOrganisation' && code.ok ? event({ type: 'ANSWER', answer: { question: 'organisation', value: code.value } }) : undefined;
    }
    default:
      return undefined;
  }
}
