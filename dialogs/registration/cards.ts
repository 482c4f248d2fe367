import type { ListedMember, OrganisationChoice } from '../../machines/registration';
import { fullName, personName } from '../../machines/registration/rules';
import { AdaptiveCard, Element, attention, card, heading, labelled, paragraph, run, submit } from '../cards';
import { spacedMobile } from '../text';

/** The registration's cards: the organisation choice, the members list, the review. */

/** Teams shows at most 6 buttons on a card: more organisations than this are a choice set. */
export const MAX_CHOICE_BUTTONS = 5;

export function organisationChoiceCard(heading_: string, intro: string, organisations: readonly OrganisationChoice[]): AdaptiveCard {
  const label = (o: OrganisationChoice) => `${o.name} – ${o.odsCode}`;
  if (organisations.length <= MAX_CHOICE_BUTTONS) {
    return card(
      [heading(heading_), paragraph(intro)],
      [...organisations.map((o) => submit(label(o), { action: 'chooseOrganisation', odsCode: o.odsCode })), submit('None of these', { action: 'noneOfThese' })],
    );
  }
  return card(
    [
      heading(heading_),
      paragraph(intro),
      {
        type: 'Input.ChoiceSet',
        id: 'odsCode',
        label: 'Your organisation',
        style: 'compact',
        isRequired: true,
        errorMessage: 'Please choose your organisation.',
        value: organisations[0]!.odsCode,
        choices: organisations.map((o) => ({ title: label(o), value: o.odsCode })),
      },
    ],
    [submit('Choose', { action: 'chooseOrganisation' }, { style: 'positive', form: true }), submit('None of these', { action: 'noneOfThese' })],
  );
}

export function describeFlags(m: Pick<ListedMember, 'owner' | 'sharedMailboxAccess' | 'mailboxAdmin'>): string {
  return [m.owner ? 'shared mailbox owner' : undefined, m.sharedMailboxAccess ? 'in the shared mailbox' : 'not in the shared mailbox', m.mailboxAdmin ? 'mailbox admin' : undefined]
    .filter(Boolean)
    .join(', ');
}

function memberFacts(m: ListedMember): Element[] {
  return [labelled('Role', m.role), labelled('Email', m.email), labelled('Mobile', spacedMobile(m.mobile)), labelled('Shared mailbox', describeFlags(m))];
}

const memberHeading = (m: ListedMember, n: number): Element => ({
  type: 'RichTextBlock',
  inlines: [run(`Member ${n}: `, { weight: 'Bolder' }), run(fullName(m), { weight: 'Bolder' })],
});

/** The members so far; each with edit and (but for the owner) remove, naming the person and carrying their id. */
export function membersListCard(
  heading_: string,
  members: readonly ListedMember[],
  listVersion: number,
  options: { canAdd: boolean; canFinish: boolean; note?: string },
): AdaptiveCard {
  const body: Element[] = [heading(heading_)];
  if (options.note) body.push(attention(options.note));
  members.forEach((m, index) => {
    const name = personName(m);
    body.push({
      type: 'Container',
      separator: true,
      items: [
        memberHeading(m, index + 1),
        ...memberFacts(m),
        {
          type: 'ActionSet',
          actions: [
            submit(`Edit ${name}`, { action: 'editMember', memberId: m.id, listVersion }),
            ...(index === 0 ? [] : [submit(`Remove ${name}`, { action: 'removeMember', memberId: m.id, listVersion }, { style: 'destructive' })]),
          ],
        },
      ],
    });
  });
  const actions = [
    ...(options.canAdd ? [submit('Add another member', { action: 'addMember' })] : []),
    ...(options.canFinish ? [submit('Done', { action: 'membersDone' }, { style: 'positive' })] : []),
  ];
  return card(body, actions);
}

export interface ReviewCardOptions {
  heading: string;
  facts: [string, string][];
  members: readonly ListedMember[];
  /** The list's version: a Change button from an older card acts on no one. */
  listVersion: number;
  note?: string;
}

/** Everything that goes to NAS, each part with its Change button (the town; each member by name). */
export function reviewCard(options: ReviewCardOptions): AdaptiveCard {
  const change = (actions: Element[]): Element => ({ type: 'ActionSet', actions });
  return card(
    [
      heading(options.heading),
      ...(options.note ? [paragraph(options.note)] : []),
      ...options.facts.map(([title, value]) => labelled(title, value)),
      change([submit('Change the town', { action: 'changeTown' })]),
      ...options.members.flatMap((m, i) => [
        { ...memberHeading(m, i + 1), separator: true },
        ...memberFacts(m),
        change([submit(`Change ${personName(m)}`, { action: 'editMember', memberId: m.id, listVersion: options.listVersion })]),
      ]),
      paragraph('Please confirm that all the details are correct.'),
    ],
    [submit('Confirm and finish', { action: 'confirm' }, { style: 'positive' }), submit('Back', { action: 'back' })],
  );
}

