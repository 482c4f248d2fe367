import type {
  AccountChange,
  LeaverEntry,
  OwnerRequestPerson,
  OwnerRequestRaisedBy,
  OwnerRequestSite,
} from '../../adapters/nasRequests';
import { fullNameOf } from './people';
import type { OwnerRequestsContext, PlannedRequest, SiteAccount } from './model';
import { DELETED_DAYS_AFTER_MARKED, keepingAccess, MIN_KEEPING_ACCESS, ownersLeaving, ownersOf } from './rules';
import { personName } from '../registration/rules';

/**
 * The NAS requests a confirmed request makes (SPEC §3.1): each kind's details exactly as they are
 * stored, built from what was gathered. The review shows this plan, and the same plan is what is
 * submitted, so what the owner confirms is what NAS gets.
 */

const person = (a: { address: string; firstName: string; lastName: string }): OwnerRequestPerson => ({ address: a.address, name: fullNameOf(a) });

function siteOf(c: OwnerRequestsContext): OwnerRequestSite {
  const { odsCode, name, kind, sharedMailboxAddress } = c.site!.site;
  return { odsCode, name, kind, ...(sharedMailboxAddress ? { sharedMailboxAddress } : {}) };
}

function raisedBy(c: OwnerRequestsContext): OwnerRequestRaisedBy {
  const me = person(c.person!);
  if (c.leaver.self) {
    return { ...me, by: 'self', identity: c.identity!.via, checkWithOwners: ownersOf(c.site!).map(person) };
  }
  return { ...me, by: 'owner', verifiedBy: c.identity!.via, verifiedAt: c.identity!.at };
}

const at = (c: OwnerRequestsContext, address: string): SiteAccount => {
  const found = c.site!.accounts.find((a) => a.address === address);
  if (!found) throw new Error(`${address} is not an account of ${c.site!.site.odsCode}`);
  return found;
};

const common = (c: OwnerRequestsContext, summary: string, changes: AccountChange[]) => ({
  summary,
  organisationName: c.site!.site.name,
  site: siteOf(c),
  raisedBy: raisedBy(c),
  changes,
});

const siteLabel = (c: OwnerRequestsContext) => `${c.site!.site.name} (${c.site!.site.odsCode})`;

function leaverPlan(c: OwnerRequestsContext): PlannedRequest[] {
  const site = c.site!;
  const ods = site.site.odsCode;
  const draft = c.leaver;
  const leaving = draft.entries.map((e) => e.address);
  const owners = ownersLeaving(site, draft).map((o) => o.address);
  const newOwner = draft.newOwner ? at(c, draft.newOwner) : undefined;
  const plan: PlannedRequest[] = [];
  const changes: AccountChange[] = [];
  const leavers: LeaverEntry[] = draft.entries.map((entry) => {
    const account = at(c, entry.address);
    const hadAccess = account.access !== 'none';
    const leavingTo = entry.leaving!;
    if (!account.hostedLocally) changes.push({ change: 'markLeaver', address: account.address, lastWorkingDay: entry.lastWorkingDay! });
    if (hadAccess) changes.push({ change: 'removeFromSharedMailbox', address: account.address, odsCode: ods });
    if (owners.includes(account.address)) changes.push({ change: 'removeOwner', address: account.address, odsCode: ods, keepsAccess: false });
    if (leavingTo.leaving === 'socialCare' && !account.hostedLocally) {
      changes.push({ change: 'deleteAfterMarked', address: account.address, days: DELETED_DAYS_AFTER_MARKED });
    }
    if (leavingTo.leaving === 'provider') {
      const { provider } = leavingTo;
      plan.push({
        kind: 'joiner',
        queue: entry.providerKind ?? site.site.kind,
        ...(provider.odsCode ? { odsCode: provider.odsCode } : {}),
        key: `joiner:${account.address}`,
        details: {
          ...common(c, `Joiner: ${fullNameOf(account)} (${account.address}) moving from ${siteLabel(c)} to ${provider.name}${provider.odsCode ? ` (${provider.odsCode})` : ''}`, [
            { change: 'moveToOrganisation', address: account.address, from: ods, to: { name: provider.name, ...(provider.odsCode ? { odsCode: provider.odsCode } : {}) } },
            ...(provider.odsCode ? [{ change: 'addToSharedMailbox' as const, address: account.address, odsCode: provider.odsCode }] : []),
          ]),
          joining: { name: provider.name, ...(provider.odsCode ? { odsCode: provider.odsCode } : {}), ...(entry.providerKind ? { kind: entry.providerKind } : {}) },
          joiner: { ...person(account), from: { odsCode: ods, name: site.site.name } },
          sharedMailboxAccess: true,
          withLeaverReport: true,
        },
      });
    }
    return {
      ...person(account),
      ...leavingTo,
      lastWorkingDay: entry.lastWorkingDay!,
      wasOwner: owners.includes(account.address),
      hadSharedMailboxAccess: hadAccess,
      ...(account.hostedLocally ? { hostedLocally: { organisation: account.hostedLocally.name, helpdeskEmail: account.hostedLocally.helpdesk.email } } : {}),
    };
  });
  if (newOwner) changes.push({ change: 'makeOwner', address: newOwner.address, odsCode: ods });
  const keeping = keepingAccess(site, leaving, draft.newOwner).length;
  const names = leavers.map((l) => `${l.name} (${l.address})`).join(', ');
  plan.unshift({
    kind: 'leaver',
    queue: site.site.kind,
    odsCode: ods,
    key: 'leaver',
    details: {
      ...common(c, `${leavers.length === 1 ? 'Leaver' : `${leavers.length} leavers`}: ${names}, ${siteLabel(c)}${draft.self ? ' (their own report)' : ''}`, changes),
      leavers,
      ...(newOwner ? { newOwner: person(newOwner) } : {}),
      warnings: {
        ownerLeaving: owners.length > 0,
        ...(keeping < MIN_KEEPING_ACCESS ? { fewerThanTwoWithAccess: keeping } : {}),
        deletedAfter30Days: leavers.filter((l) => l.leaving === 'socialCare' && !l.hostedLocally).map((l) => l.address),
      },
    },
  });
  return plan;
}

/** What confirming the current request sends to NAS. */
export function planOf(c: OwnerRequestsContext): PlannedRequest[] {
  const site = c.site!;
  const ods = site.site.odsCode;
  const queue = site.site.kind;
  switch (c.kind) {
    case 'leaver':
    case 'ownLeaving':
      return leaverPlan(c);
    case 'newStarter': {
      const member = c.starter!;
      return [
        {
          kind: 'newStarter',
          queue,
          odsCode: ods,
          key: 'newStarter',
          details: {
            ...common(c, `New starter: ${personName(member)} (${member.role}), ${siteLabel(c)}`, [
              { change: 'createAccount', odsCode: ods, email: member.email, name: personName(member) },
            ]),
            member,
            accountsAtSite: site.accounts.filter((a) => a.status !== 'leaver').length + site.pendingNewStarters,
          },
        },
      ];
    }
    case 'joiner': {
      const account = c.joiner!.account!;
      const access = c.joiner!.sharedMailboxAccess === true;
      return [
        {
          kind: 'joiner',
          queue,
          odsCode: ods,
          key: 'joiner',
          exclusive: account.address,
          details: {
            ...common(c, `Joiner: ${fullNameOf(account)} (${account.address}) from ${account.organisation.name} (${account.organisation.odsCode}) to ${siteLabel(c)}`, [
              { change: 'moveToOrganisation', address: account.address, from: account.organisation.odsCode, to: { name: site.site.name, odsCode: ods } },
              ...(access ? [{ change: 'addToSharedMailbox' as const, address: account.address, odsCode: ods }] : []),
            ]),
            joining: { name: site.site.name, odsCode: ods, kind: site.site.kind },
            joiner: { ...person(account), from: { odsCode: account.organisation.odsCode, name: account.organisation.name } },
            sharedMailboxAccess: access,
            withLeaverReport: false,
          },
        },
      ];
    }
    case 'ownerChange': {
      const from = person(c.person!);
      const to = person(at(c, c.handover!.to!));
      const keeps = c.handover!.keepsAccess === true;
      return [
        {
          kind: 'ownerChange',
          queue,
          odsCode: ods,
          key: 'ownerChange',
          exclusive: ods,
          details: {
            ...common(c, `Owner handover: ${from.name} to ${to.name}, ${siteLabel(c)}`, [
              { change: 'makeOwner', address: to.address, odsCode: ods },
              { change: 'removeOwner', address: from.address, odsCode: ods, keepsAccess: keeps },
            ]),
            from,
            to,
            outgoingKeepsAccess: keeps,
            newOwnerTold: 'notYet',
          },
        },
      ];
    }
    case 'nameChange': {
      const account = person(at(c, c.rename!.address!));
      const { firstName, lastName } = c.rename as { firstName: string; lastName: string };
      return [
        {
          kind: 'nameChange',
          queue,
          odsCode: ods,
          key: 'nameChange',
          exclusive: account.address,
          details: {
            ...common(c, `Name change: ${account.name} (${account.address}) to ${firstName} ${lastName}, ${siteLabel(c)}`, [
              { change: 'rename', address: account.address, firstName, lastName },
            ]),
            account,
            newName: { firstName, lastName },
          },
        },
      ];
    }
    case 'siteAudit': {
      const note = c.audit?.note ?? undefined;
      return [
        {
          kind: 'siteAudit',
          queue,
          odsCode: ods,
          key: 'siteAudit',
          exclusive: ods,
          details: {
            ...common(c, `Site audit: who has access to the shared mailbox of ${siteLabel(c)}`, [{ change: 'confirmAccessList', odsCode: ods }]),
            listed: site.accounts.map((a) => ({ ...person(a), access: a.access, status: a.status })),
            ...(note ? { ownerNote: note } : {}),
          },
        },
      ];
    }
    case 'teamsTeam': {
      const teamName = c.team!.name!;
      const owners = ownersOf(site).filter((o) => o.status === 'active');
      const members = site.accounts.filter((a) => a.status === 'active' && (c.team!.who === 'everyone' || a.access !== 'none'));
      return [
        {
          kind: 'teamsTeam',
          queue,
          odsCode: ods,
          key: 'teamsTeam',
          exclusive: ods,
          details: {
            ...common(c, `Teams team "${teamName}" for ${siteLabel(c)}`, [{ change: 'createTeamsTeam', odsCode: ods, teamName }]),
            teamName,
            owners: owners.map(person),
            members: members.map(person),
          },
        },
      ];
    }
    default:
      return [];
  }
}
