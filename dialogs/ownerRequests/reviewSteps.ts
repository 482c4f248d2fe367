/**
 * The review of exactly what will be sent (the plan of NAS requests the machine made), the
 * confirm, and the references (SPEC §3: every request gets a reference; §3.1 the status).
 */
import type { PlannedRequest, OwnerRequestsContext } from '../../machines/ownerRequests';
import { accountAt, keepingAccess } from '../../machines/ownerRequests';
import { personName } from '../../machines/registration/rules';
import { NAS_HOURS } from '../contacts';
import { describeFlags } from '../registration/cards';
import { answer } from '../step';
import { bold, quote, spacedMobile } from '../text';
import { formatDate } from '../text';
import { kindAnswer, type Step } from './common';
import { longDate } from './dates';
import { saysConfirm, saysDone, saysTryAgain } from './read';
import { adminFor, DELETION_WARNING, fewerThanTwoText, KIND_NOUN, leavingWords, nameOf, siteName } from './texts';

const person = (p: { name: string; address: string }) => `${quote(p.name)} (${p.address})`;

function leaverLines(c: OwnerRequestsContext, plan: Extract<PlannedRequest, { kind: 'leaver' }>): string[] {
  const d = plan.details;
  const place = quote(d.site.name);
  const lines = [
    `${d.leavers.length === 1 ? 'A leaver report' : `A leaver report for ${d.leavers.length} people`} for ${siteName(c)}${d.raisedBy.by === 'self' ? ', as your own report (NAS checks it with your shared mailbox owner)' : ''}:`,
    ...d.leavers.map((l) => `• ${person(l)}: last working day ${longDate(l.lastWorkingDay)}; ${leavingWords(l, place)}.`),
    'What happens:',
  ];
  for (const l of d.leavers) {
    const name = quote(l.name);
    if (l.hostedLocally) {
      lines.push(`• ${name}'s account is looked after by ${quote(l.hostedLocally.organisation)}, not by NAS: NAS takes them out of the shared mailbox, and ${quote(l.hostedLocally.organisation)} deals with the account itself (${l.hostedLocally.helpdeskEmail}). Please tell them too.`);
      continue;
    }
    lines.push(`• ${name}'s account is marked a leaver${l.hadSharedMailboxAccess ? ' and taken out of the shared mailbox' : ''}.`);
    if (l.leaving === 'socialCare') lines.push(`• ${DELETION_WARNING}`);
    if (l.leaving === 'provider') lines.push(`• A joiner request goes to NAS too: ${name}'s account moves to ${quote(l.provider.name)} and keeps its address and email${l.provider.odsCode ? ', and they are added to its shared mailbox' : ''}.`);
    if (l.leaving === 'organisation') lines.push(`• ${name} keeps the account, for their next job in social care.`);
  }
  if (d.warnings.ownerLeaving) {
    const owners = d.leavers.filter((l) => l.wasOwner).map((l) => quote(l.name));
    lines.push(`• ${owners.join(' and ')} ${owners.length === 1 ? 'stops' : 'stop'} being a shared mailbox owner${d.newOwner ? `; ${person(d.newOwner)} becomes the new owner` : ''}.`);
  }
  if (d.warnings.fewerThanTwoWithAccess !== undefined) {
    lines.push(`⚠ ${fewerThanTwoText(keepingAccess(c.site!, d.leavers.map((l) => l.address), c.leaver.newOwner))}`);
  }
  return lines;
}

function planLines(c: OwnerRequestsContext, plan: PlannedRequest): string[] {
  switch (plan.kind) {
    case 'leaver':
      return leaverLines(c, plan);
    case 'joiner':
      // A joiner raised with a leaver report is described with it.
      if (plan.details.withLeaverReport) return [];
      return [
        `A joiner request for ${siteName(c)}:`,
        `• ${person(plan.details.joiner)}, now at ${quote(plan.details.joiner.from?.name ?? 'another organisation')}: NAS moves the account to ${quote(plan.details.joining.name)}; it keeps its address and email.`,
        `• Shared mailbox access: ${plan.details.sharedMailboxAccess ? 'yes' : 'no'}.`,
      ];
    case 'newStarter': {
      const m = plan.details.member;
      return [
        `An NHSmail account for a new starter at ${siteName(c)}:`,
        `• ${quote(personName(m))}${m.title ? ` (${m.title})` : ''}, ${quote(m.role)}; ${describeFlags(m)}.`,
        `• Email: ${quote(m.email)} (their username is sent there); mobile: ${spacedMobile(m.mobile)} (their temporary password is texted to it).`,
        `• The site will then have ${plan.details.accountsAtSite + 1} accounts.`,
      ];
    }
    case 'ownerChange':
      return [
        `An owner handover for ${siteName(c)}:`,
        `• ${person(plan.details.to)} becomes the shared mailbox owner, in your place.`,
        `• You ${plan.details.outgoingKeepsAccess ? 'keep access to the shared mailbox as a member' : 'no longer have access to the shared mailbox'}.`,
        `• I will tell ${quote(plan.details.to.name)} about it, in their own Teams chat with me or by email.`,
      ];
    case 'nameChange':
      return [
        `A name change at ${siteName(c)}:`,
        `• ${person(plan.details.account)} becomes ${quote(`${plan.details.newName.firstName} ${plan.details.newName.lastName}`)}. Their NHSmail address may change to match.`,
      ];
    case 'siteAudit':
      return [
        `A site audit for ${siteName(c)}: NAS checks who has access to the shared mailbox (the ${plan.details.listed.filter((l) => l.access !== 'none').length} people listed above) with you.`,
        plan.details.ownerNote ? `• What you said is wrong: “${quote(plan.details.ownerNote)}”` : '• You said the list looks right.',
      ];
    case 'teamsTeam':
      return [
        `A Microsoft Teams team for ${siteName(c)}, called “${quote(plan.details.teamName)}”:`,
        `• Owners: ${plan.details.owners.map((o) => quote(o.name)).join(', ') || 'none'}.`,
        `• Members: ${plan.details.members.map((m) => quote(m.name)).join(', ') || 'none'}.`,
      ];
  }
}

/** "LVR-7KD9QX2P (leaver report)", with what a conflict means. */
function referenceLines(c: OwnerRequestsContext): string[] {
  const lines: string[] = [];
  for (const r of c.result!.requests) {
    const noun = r.kind === 'joiner' && c.kind !== 'joiner' ? 'joiner request' : KIND_NOUN[c.kind!];
    if (r.outcome === 'conflict' && r.existing) {
      lines.push(
        `A ${noun} like this one is already with NAS: ${bold(r.existing.reference)}, made on ${formatDate(r.existing.createdAt)}. I have kept yours for NAS too, as ${bold(r.reference)}, marked as a duplicate, so nothing you told me is lost.`,
      );
    } else {
      lines.push(`Your ${noun} is with NAS: reference ${bold(r.reference)}.`);
    }
  }
  return lines;
}

export const REVIEW_STEPS = {
  'review.summary': {
    prompt: (c) => ({
      text: [
        `Please check. This is what I will send to NAS (${adminFor(c)}):`,
        ...(c.plan ?? []).flatMap((p) => planLines(c, p)),
        'Say "confirm" to send it, or "back" to change something.',
      ].join('\n'),
      choices: ['Confirm', 'Back'],
    }),
    parse: (text) => (saysConfirm(text) ? answer('confirm', true) : /^(?:change|edit|no|wrong|2)\b/i.test(text.trim()) ? { type: 'BACK' } : undefined),
    hint: 'Say "confirm" to send it to NAS, "back" to change something, or "cancel".',
  },

  'review.submitFailed': {
    prompt: () => ({
      text: 'Sorry, I could not pass this to NAS just now. Please say "try again" in a moment: it is sent once, however many times you try.',
      choices: ['Try again'],
    }),
    parse: (text) => (saysTryAgain(text) ? { type: 'TRY_AGAIN' } : undefined),
    hint: 'Say "try again" to send it to NAS.',
    noBack: 'Say "try again" to send it, or "cancel".',
  },

  'review.submitted': {
    prompt: (c) => {
      const handover = c.result?.newOwnerTold;
      const to = c.kind === 'ownerChange' ? accountAt(c.site, c.handover?.to) : undefined;
      return {
        text: [
          ...referenceLines(c),
          handover && to ? `I have told ${nameOf(to)} ${handover === 'teams' ? 'in their own Teams chat with me' : `by email (${to.address})`}.` : '',
          `NAS works ${NAS_HOURS}. I will tell you here when its status changes; you can also ask "what is the status of my request?" at any time.`,
          'Anything else for the site?',
        ]
          .filter(Boolean)
          .join('\n'),
        choices: ['Report a leaver', 'Account for a new starter', 'No, that is all'],
      };
    },
    parse: (text, c) => {
      const first = c.result?.requests[0]?.reference;
      // "What's the status of that?": the request desk answers a reference (dialogs/routing.ts).
      // "What is the status of my request?" (as the message above suggests) is left to the request
      // desk, which lists this chat's requests (a reference never reaches a flow: dialogs/routing.ts).
      if (first && !/\bmy requests?\b/i.test(text) && /\b(?:status|progress|update|news|where is|where's|how is|how's|done yet|happening|heard)\b/i.test(text)) {
        return { say: `It has only just gone to NAS, so it is received. To hear where it is at any time, say "status of ${first}" (or "what is the status of my request?").` };
      }
      return kindAnswer(text) ?? (saysDone(text) || /^3$/.test(text.trim()) ? answer('next', 'done') : undefined);
    },
    hint: 'Choose another request, or say "that is all".',
    noBack: 'It has been sent to NAS; say "menu" for anything else.',
  },
} satisfies Record<string, Step>;
