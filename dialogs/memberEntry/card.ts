import type { Member } from '../../machines/registration/rules';
import { MEMBER_FIELDS_INFO as FIELD } from './fields';
import { AdaptiveCard, FormState, attention, card, fieldError, heading, paragraph, submit, type Element } from '../cards';

/** The whole-member form (SPEC §1.4: every field, submitted together), for Teams and the web chat page. */

export interface MemberCardOptions {
  heading: string;
  roles: readonly string[];
  titles: readonly string[];
  /** The shared mailbox owner's flags are fixed. */
  ownerSlot: boolean;
  /** Whether this member may be made an owner (dental practices: at most two). */
  ownerAllowed: boolean;
  form: FormState;
  /** The question the text conversation is at, for someone who types instead of filling the form. */
  question?: string;
  /** Say what the mobile is for (on the first member's form only: said once). */
  mobilePurpose: boolean;
}

/** Said once, beside the mobile field (SPEC §1.4). */
export const MOBILE_PURPOSE = FIELD.mobile.why;

type FieldId = keyof typeof FIELD;

const text = (id: FieldId, value: string | undefined, errors: Record<string, string>, extra: Element = {}): Element[] => [
  { type: 'Input.Text', id, label: FIELD[id].label, value: value ?? '', isRequired: true, errorMessage: `Please fill in “${FIELD[id].label}”.`, ...extra },
  ...fieldError(id, errors[id]),
];

const toggle = (id: FieldId, value: string | undefined, errors: Record<string, string>): Element[] => [
  { type: 'Input.Toggle', id, title: FIELD[id].label, value: value === 'true' ? 'true' : 'false', valueOn: 'true', valueOff: 'false' },
  ...fieldError(id, errors[id]),
];

export function memberCard(options: MemberCardOptions): AdaptiveCard {
  const { values, errors } = options.form;
  const flags = options.ownerSlot
    ? [paragraph('As the shared mailbox owner, this person is always added to the shared mailbox and is its admin.')]
    : [
        ...(options.ownerAllowed ? toggle('owner', values.owner, errors) : []),
        ...toggle('sharedMailboxAccess', values.sharedMailboxAccess, errors),
        ...toggle('mailboxAdmin', values.mailboxAdmin, errors),
      ];
  return card(
    [
      heading(options.heading),
      ...(Object.keys(errors).length ? [attention('Please correct the details marked below.')] : []),
      ...(options.question ? [{ ...paragraph(`Fill in the form, or type the answers here one at a time. ${options.question.split('\n')[0]}`), isSubtle: true }] : []),
      {
        type: 'Input.ChoiceSet',
        id: 'title',
        label: FIELD.title.label,
        style: 'compact',
        // Every choice needs a value (Web Chat drops a card whose choice has an empty one).
        value: values.title || 'none',
        choices: [{ title: 'No title', value: 'none' }, ...options.titles.map((t) => ({ title: t, value: t }))],
      },
      ...fieldError('title', errors.title),
      ...text('firstName', values.firstName, errors, { maxLength: 50 }),
      ...text('lastName', values.lastName, errors, { maxLength: 50 }),
      ...text('email', values.email, errors, { style: 'Email' }),
      ...text('mobile', values.mobile, errors, { style: 'Tel' }),
      ...(options.mobilePurpose ? [{ ...paragraph(MOBILE_PURPOSE), isSubtle: true, size: 'Small', spacing: 'Small' }] : []),
      {
        type: 'Input.ChoiceSet',
        id: 'role',
        label: FIELD.role.label,
        style: 'compact',
        isRequired: true,
        errorMessage: 'Please choose a role.',
        value: values.role ?? '',
        choices: options.roles.map((r) => ({ title: r, value: r })),
      },
      ...fieldError('role', errors.role),
      ...flags,
    ],
    [submit('Save member', { action: 'saveMember' }, { style: 'positive', form: true }), submit('Back', { action: 'back' })],
  );
}

/** A member's values as the form shows them. */
export function memberFormValues(member: Partial<Member> | undefined): Record<string, string> {
  if (!member) return {};
  const values: Record<string, string> = {};
  for (const [key, value] of Object.entries(member)) {
    if (value !== undefined && value !== null) values[key] = String(value);
  }
  return values;
}
