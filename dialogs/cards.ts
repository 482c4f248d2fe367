import type { Member, OrganisationChoice } from '../machines/registration';

/**
 * Adaptive Cards (version 1.5, Action.Submit only) for Teams and the web chat page. Channels
 * without cards keep the step-by-step text prompts; both reach the same machine events.
 */

export type AdaptiveCard = Record<string, unknown>;
type Element = Record<string, unknown>;

export const CARD_VERSION = '1.5';

/** What a form showed and what was wrong with it, to show it again with the errors beside the fields. */
export interface FormState {
  values: Record<string, string>;
  errors: Record<string, string>;
}

/**
 * User-supplied text shown in a card: markdown characters are escaped and web addresses and
 * email addresses are broken up invisibly, so a name cannot add formatting or a link.
 */
export function escapeCardText(text: string): string {
  return text
    .replace(/[\\`*_[\]()~<>]/g, (c) => `\\${c}`)
    .replace(/^(\s*)([-+#](?=\s)|\d+\.(?=\s))/gm, (_m, space: string, mark: string) => `${space}\\${mark}`)
    .replace(/:\/\//g, ':\u200B//')
    // An address is broken up invisibly after its @ and before each dot, so it is not made a link.
    .replace(/@([^\s]*)/g, (_m, domain: string) => `@\u200B${domain.replace(/\./g, '\u200B.')}`)
    .replace(/\bwww\./gi, (w) => `${w.slice(0, 3)}\u200B.`);
}

export function card(body: Element[], actions: Element[] = []): AdaptiveCard {
  return {
    type: 'AdaptiveCard',
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    version: CARD_VERSION,
    body,
    ...(actions.length ? { actions } : {}),
  };
}

export const heading = (text: string): Element => ({ type: 'TextBlock', text, weight: 'Bolder', size: 'Medium', wrap: true });
export const paragraph = (text: string): Element => ({ type: 'TextBlock', text, wrap: true });
export const submit = (title: string, data: Record<string, unknown>, style?: 'positive' | 'destructive'): Element => ({
  type: 'Action.Submit',
  title,
  data,
  ...(style ? { style } : {}),
});

function error(id: string, message: string | undefined): Element[] {
  return message ? [{ type: 'TextBlock', id: `${id}Error`, text: escapeCardText(message), color: 'Attention', wrap: true, spacing: 'None' }] : [];
}

const text = (id: string, label: string, value: string | undefined, errors: Record<string, string>, extra: Element = {}): Element[] => [
  { type: 'Input.Text', id, label, value: value ?? '', isRequired: true, errorMessage: `Please fill in “${label}”.`, ...extra },
  ...error(id, errors[id]),
];

const toggle = (id: string, title: string, value: string | undefined, errors: Record<string, string>): Element[] => [
  { type: 'Input.Toggle', id, title, value: value === 'true' ? 'true' : 'false', valueOn: 'true', valueOff: 'false' },
  ...error(id, errors[id]),
];

export interface MemberCardOptions {
  heading: string;
  roles: readonly string[];
  titles: readonly string[];
  /** The shared mailbox owner's flags are fixed. */
  ownerSlot: boolean;
  /** Whether this member may be made an owner (dental practices: at most two). */
  ownerAllowed: boolean;
  form: FormState;
}

/** One member: every field of SPEC §1.4, submitted together. */
export function memberCard(options: MemberCardOptions): AdaptiveCard {
  const { values, errors } = options.form;
  const flags = options.ownerSlot
    ? [paragraph('As the shared mailbox owner, this person is always added to the shared mailbox and is its admin.')]
    : [
        ...(options.ownerAllowed ? toggle('owner', 'Also a shared mailbox owner', values.owner, errors) : []),
        ...toggle('sharedMailboxAccess', 'Add to the shared mailbox', values.sharedMailboxAccess, errors),
        ...toggle('mailboxAdmin', 'Mailbox admin', values.mailboxAdmin, errors),
      ];
  return card(
    [
      heading(options.heading),
      ...(Object.keys(errors).length ? [{ ...paragraph('Please correct the details marked below.'), color: 'Attention' }] : []),
      {
        type: 'Input.ChoiceSet',
        id: 'title',
        label: 'Title (optional)',
        style: 'compact',
        // Every choice needs a value (Web Chat drops a card whose choice has an empty one).
        value: values.title || 'none',
        choices: [{ title: 'No title', value: 'none' }, ...options.titles.map((t) => ({ title: t, value: t }))],
      },
      ...error('title', errors.title),
      ...text('firstName', 'First name', values.firstName, errors, { maxLength: 50 }),
      ...text('lastName', 'Last name', values.lastName, errors, { maxLength: 50 }),
      ...text('email', 'Business or personal email address', values.email, errors, { style: 'Email' }),
      ...text('mobile', 'UK mobile number', values.mobile, errors, { style: 'Tel' }),
      {
        type: 'Input.ChoiceSet',
        id: 'role',
        label: 'Role',
        style: 'compact',
        isRequired: true,
        errorMessage: 'Please choose a role.',
        value: values.role ?? '',
        choices: options.roles.map((r) => ({ title: r, value: r })),
      },
      ...error('role', errors.role),
      ...flags,
    ],
    [submit('Save member', { action: 'saveMember' }, 'positive'), submit('Back', { action: 'back' })],
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

export function describeFlags(m: Member): string {
  return [m.owner ? 'shared mailbox owner' : undefined, m.sharedMailboxAccess ? 'in the shared mailbox' : 'not in the shared mailbox', m.mailboxAdmin ? 'mailbox admin' : undefined]
    .filter(Boolean)
    .join(', ');
}

function memberFacts(m: Member): Element {
  return {
    type: 'FactSet',
    facts: [
      { title: 'Role', value: escapeCardText(m.role) },
      { title: 'Email', value: escapeCardText(m.email) },
      { title: 'Mobile', value: escapeCardText(m.mobile) },
      { title: 'Shared mailbox', value: describeFlags(m) },
    ],
  };
}

const fullName = (m: Member) => escapeCardText([m.title, m.firstName, m.lastName].filter(Boolean).join(' '));

/** The members so far, each with edit and (but for the owner) remove. */
export function membersListCard(heading_: string, members: readonly Member[], options: { canAdd: boolean; canFinish: boolean; note?: string }): AdaptiveCard {
  const body: Element[] = [heading(heading_)];
  if (options.note) body.push({ ...paragraph(escapeCardText(options.note)), color: 'Attention' });
  members.forEach((m, index) => {
    body.push({
      type: 'Container',
      separator: true,
      items: [
        { type: 'TextBlock', text: `Member ${index + 1}: ${fullName(m)}`, weight: 'Bolder', wrap: true },
        memberFacts(m),
        {
          type: 'ActionSet',
          actions: [
            submit(`Edit ${index + 1}`, { action: 'editMember', index }),
            ...(index === 0 ? [] : [submit(`Remove ${index + 1}`, { action: 'removeMember', index }, 'destructive')]),
          ],
        },
      ],
    });
  });
  const actions = [
    ...(options.canAdd ? [submit('Add another member', { action: 'addMember' })] : []),
    ...(options.canFinish ? [submit('Done', { action: 'membersDone' }, 'positive')] : []),
  ];
  return card(body, actions);
}

export interface ReviewCardOptions {
  heading: string;
  facts: [string, string][];
  members: readonly Member[];
  note?: string;
}

export function reviewCard(options: ReviewCardOptions): AdaptiveCard {
  return card(
    [
      heading(options.heading),
      { type: 'FactSet', facts: options.facts.map(([title, value]) => ({ title, value: escapeCardText(value) })) },
      ...options.members.flatMap((m, i) => [{ type: 'TextBlock', text: `Member ${i + 1}: ${fullName(m)}`, weight: 'Bolder', wrap: true, separator: true }, memberFacts(m)]),
      ...(options.note ? [{ ...paragraph(escapeCardText(options.note)), color: 'Attention' }] : []),
      paragraph('Please confirm that all the details are correct.'),
    ],
    [submit('Confirm and finish', { action: 'confirm' }, 'positive'), submit('Back', { action: 'back' })],
  );
}

/** The organisations at a postcode, one button each. */
export function organisationChoiceCard(heading_: string, intro: string, organisations: readonly OrganisationChoice[]): AdaptiveCard {
  return card(
    [heading(heading_), paragraph(escapeCardText(intro))],
    organisations.map((o) => submit(`${o.name} – ${o.odsCode}`, { action: 'chooseOrganisation', odsCode: o.odsCode })),
  );
}
