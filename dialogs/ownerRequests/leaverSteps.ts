/**
 * Reporting a leaver (SPEC §3): who (addresses, or names matched and confirmed; several at once),
 * each one's last working day and where they go, and a new owner when an owner leaves.
 */
import {
  LAST_DAY_MAX_DAYS_AGO,
  accountAt,
  earliestLastDay,
  newOwnerCandidates,
  ownersLeaving,
  ownersStaying,
  type OwnerRequestsContext,
  type SiteAccount,
} from '../../machines/ownerRequests';
import { parseYesNoAnswer } from '../parsing';
import { answer } from '../step';
import { listOf, quote } from '../text';
import { kindAnswer, numbered, peopleChoices, personAnswer, type Step } from './common';
import { DATE_EXAMPLE, longDate, readDate } from './dates';
import { readLeaving, readPeople, readProvider } from './read';
import { adminFor, nameOf, siteName, who } from './texts';

const entry = (c: OwnerRequestsContext) => c.leaver.entries[c.leaver.current];
const accountOf = (c: OwnerRequestsContext, address?: string) => accountAt(c.site, address ?? entry(c)?.address) as SiteAccount | undefined;
const isSelf = (c: OwnerRequestsContext) => entry(c)?.address === c.person?.address;
/** "Tom Okafor's" or "your". */
const whose = (c: OwnerRequestsContext) => (isSelf(c) ? 'your' : `${nameOf(accountOf(c)!)}'s`);
const theyAre = (c: OwnerRequestsContext) => (isSelf(c) ? 'you are' : `${nameOf(accountOf(c)!)} is`);

const leaversAnswer = (text: string) => {
  const people = readPeople(text);
  return people.length ? answer('leavers', people) : undefined;
};

const LEAVING_CHOICES = ['Leaving this organisation only', 'Leaving social care altogether', 'Moving to another provider'];

function providerAfter(text: string) {
  const named = /\b(?:to|at|with|joining)\s+(.{2,})$/i.exec(text)?.[1];
  // "moving to another provider" names none.
  if (!named || /^(?:an?|another|a new|new|different|some|other)\b/i.test(named.trim())) return undefined;
  const provider = readProvider(named);
  return provider && !('invalid' in provider) ? provider : undefined;
}

export const LEAVER_STEPS = {
  'leaver.who': {
    prompt: (c) => {
      const kept = c.leaver.people.map((p) => accountOf(c, p)!);
      if (kept.length || c.leaver.matching.length) {
        const so = [...kept.map(who), ...c.leaver.matching.map((m) => `“${quote(m.typed)}”`)];
        return {
          text: `So far: ${listOf(so, 'and')}. Who else has left, or is leaving? Type their name or NHSmail address, or say "no one else" to go on.`,
          choices: ['No one else'],
        };
      }
      return { text: `Who has left ${siteName(c)}, or is leaving? Type their NHSmail address or their name. Several at once is fine, for example "Jane Smith and Tom Okafor".` };
    },
    parse: (text, c) => {
      const kept = c.leaver.people.length > 0 || c.leaver.matching.length > 0;
      if (kept && /^(?:no(?:one| one| body)? else|nobody else|no more|(?:that'?s|that is) (?:all|it|everyone)|only (?:them|those)|just (?:them|those|him|her)|none|no|nope|1|done|go on|carry on|continue)\b/i.test(text.trim())) {
        return answer('noOneElse', true);
      }
      if (kept && /^(?:just|only)\s+\S/i.test(text.trim())) return answer('noOneElse', true);
      return leaversAnswer(text);
    },
    hint: 'Please type the leaver’s NHSmail address (ending @nhs.net) or their name.',
    help: (c) => `The people with accounts at ${siteName(c)} are: ${c.site!.accounts.filter((a) => a.status !== 'leaver').map(nameOf).join(', ')}.`,
    field: {
      name: 'who is leaving',
      why: 'NAS marks their account as a leaver and takes them out of the shared mailbox, so I need to know exactly which account it is.',
      whereToFind: 'Their NHSmail address is in the NHS Directory, or in any email they sent from NHSmail. Their name is enough: I will find the account and check it with you.',
    },
  },

  'leaver.pick': {
    prompt: (c) => {
      const { typed, options } = c.leaver.matching[0]!;
      const people = options.map((o) => accountOf(c, o)!);
      return { text: `More than one person at ${siteName(c)} fits “${quote(typed)}”:\n${numbered(people)}\nWhich one is leaving?`, choices: peopleChoices(people) };
    },
    parse: (text, c) => personAnswer('pick', text, c.leaver.matching[0]!.options.map((o) => accountOf(c, o)!)),
    hint: 'Please choose one of them by their number or their full name.',
  },

  'leaver.confirm': {
    prompt: (c) => {
      const people = c.leaver.people.map((p) => accountOf(c, p)!);
      return {
        text:
          people.length === 1
            ? `I found ${who(people[0]!)} at ${siteName(c)}. Is that the person who is leaving?`
            : `I found these people at ${siteName(c)}:\n${people.map((p) => `• ${who(p)}`).join('\n')}\nAre these the people who are leaving?`,
        choices: ['Yes', 'No'],
      };
    },
    parse: (text) => {
      const yes = parseYesNoAnswer(text);
      if (yes !== undefined) return answer('confirmPeople', yes);
      return leaversAnswer(text);
    },
    hint: 'Please say yes, or no to type the names again.',
  },

  'leaver.lastDay': {
    where: (c) => (c.leaver.entries.length > 1 ? ` (${c.leaver.current + 1} of ${c.leaver.entries.length})` : ''),
    prompt: (c) => {
      const first = c.leaver.entries[0];
      const same = c.leaver.current > 0 && first?.lastWorkingDay ? `Same as ${accountOf(c, first.address)!.firstName}: ${longDate(first.lastWorkingDay)}` : undefined;
      return {
        text: `What ${isSelf(c) ? 'is your' : `is (or was) ${whose(c)}`} last working day? For example 27/11/2026, "27 November" or "last Friday".`,
        ...(same ? { choices: [same] } : { choices: ['Today', 'Yesterday'] }),
      };
    },
    parse: (text, c) => {
      const first = c.leaver.entries[0];
      if (c.leaver.current > 0 && first?.lastWorkingDay && /\bsame\b|^1$/i.test(text.trim())) return answer('lastDay', first.lastWorkingDay);
      const day = readDate(text, c.now);
      if (!day) return undefined;
      return day.ok ? answer('lastDay', day.value) : { invalid: day.error };
    },
    hint: `Please type the date, ${DATE_EXAMPLE}.`,
    field: {
      name: 'the last working day',
      why: `NAS marks the account as a leaver from that day. It can be a day still to come, or up to ${LAST_DAY_MAX_DAYS_AGO} days ago.`,
      whereToFind: 'It is the last day they work for you, as in their notice or their contract.',
    },
    previous: (c) => (entry(c)?.lastWorkingDay ? longDate(entry(c)!.lastWorkingDay!) : undefined),
  },

  'leaver.leaving': {
    where: (c) => (c.leaver.entries.length > 1 ? ` (${c.leaver.current + 1} of ${c.leaver.entries.length})` : ''),
    prompt: (c) => ({
      text: `${isSelf(c) ? 'Are you' : `Is ${nameOf(accountOf(c)!)}`} leaving ${siteName(c)} only, leaving social care altogether, or moving to another care provider or dental practice?`,
      choices: LEAVING_CHOICES,
    }),
    parse: (text) => {
      const leaving = readLeaving(text);
      if (leaving === 'provider') {
        const provider = providerAfter(text);
        return provider ? answer('provider', provider) : answer('leaving', 'provider');
      }
      return leaving ? answer('leaving', leaving) : undefined;
    },
    hint: 'Please choose: leaving this organisation only, leaving social care altogether, or moving to another provider.',
    help: () =>
      'Leaving social care altogether means the account is no longer needed: it is deleted 30 days after being marked a leaver. Someone moving to another care provider or dental practice keeps their account: it moves there (a joiner request). Otherwise the account is kept for them, out of your shared mailbox.',
  },

  'leaver.provider': {
    prompt: (c) => ({
      text: `Which provider ${theyAre(c)} moving to? Type its name, or its ODS code if you know it (care sites' codes usually begin with V).`,
    }),
    parse: (text) => {
      const provider = readProvider(text);
      if (!provider) return undefined;
      return 'invalid' in provider ? provider : answer('provider', provider);
    },
    hint: 'Please type the name of the care provider or dental practice, or its ODS code.',
    field: {
      name: 'the provider they move to',
      why: 'NAS moves their NHSmail account to that organisation and adds them to its shared mailbox, so they keep their address and email.',
      whereToFind: 'The name of the care home, home care provider or dental practice is enough. Its ODS code is on its CQC or NHS records, if you know it.',
    },
  },

  'leaver.newOwner': {
    prompt: (c) => {
      const leavingOwners = ownersLeaving(c.site!, c.leaver).map(nameOf);
      const staying = ownersStaying(c.site!, c.leaver);
      const candidates = newOwnerCandidates(c.site!, c.leaver.entries.map((e) => e.address));
      return {
        text: [
          `${listOf(leavingOwners, 'and')} ${leavingOwners.length === 1 ? 'is a' : 'are'} shared mailbox owner${leavingOwners.length === 1 ? '' : 's'}.`,
          staying.length
            ? `${listOf(staying.map(nameOf), 'and')} ${staying.length === 1 ? 'stays an owner' : 'stay owners'}. Should someone else become an owner too?`
            : 'A shared mailbox must always have an owner, so before this can be reported a new owner must be named, from the people who stay. Who should it be?',
          numbered(candidates),
        ].join('\n'),
        choices: [...peopleChoices(candidates), ...(staying.length ? ['No new owner needed'] : [])],
      };
    },
    parse: (text, c) => {
      const staying = ownersStaying(c.site!, c.leaver);
      const candidates = newOwnerCandidates(c.site!, c.leaver.entries.map((e) => e.address));
      if (/\bno (?:new )?owner\b|\bnot needed\b|\bno one\b|\bnobody\b|\bnone\b|^no\b/i.test(text.trim()) || (staying.length && text.trim() === String(candidates.length + 1))) {
        return answer('newOwner', null);
      }
      return personAnswer('newOwner', text, candidates);
    },
    hint: (c) => (ownersStaying(c.site!, c.leaver).length ? 'Please choose the new owner by name or number, or say "no new owner needed".' : 'Please choose the new owner by name or number.'),
    field: {
      name: 'the new shared mailbox owner',
      why: 'The owner decides who has access to the shared mailbox and reports leavers and new starters. Without one, nobody could.',
      whereToFind: 'Choose someone who stays, with an NHSmail account at the site: usually the manager or deputy.',
    },
  },

  'leaver.noOneLeft': {
    prompt: (c) => {
      const owners = ownersLeaving(c.site!, c.leaver).map(nameOf);
      return {
        text: [
          `${listOf(owners, 'and')} ${owners.length === 1 ? 'is the only shared mailbox owner' : 'are the shared mailbox owners'} of ${siteName(c)}, and nobody who stays has an active account to take over. A shared mailbox must always have an owner, so this cannot be reported yet.`,
          `First ask for an account for a new starter (they can be made an owner), then report this leaver. Or contact NAS: ${adminFor(c)}.`,
        ].join('\n'),
        choices: ['Account for a new starter', 'Menu'],
      };
    },
    parse: (text) => kindAnswer(text) ?? (/^1$/.test(text.trim()) ? answer('kind', 'newStarter') : undefined),
    hint: 'Say "account for a new starter", or "menu".',
  },
} satisfies Record<string, Step>;

/** Why a leaver step is asked again, in words. */
export function leaverProblem(c: OwnerRequestsContext): string | undefined {
  const detail = c.problemDetail ?? [];
  const names = listOf(detail.map((d) => `“${quote(d)}”`), 'and');
  switch (c.problem) {
    case 'notFound': {
      const there = c.site!.accounts.filter((a) => a.status !== 'leaver').map(nameOf);
      return `I could not find ${names} among the accounts of ${siteName(c)}. The people with accounts there are: ${there.join(', ')}.`;
    }
    case 'alreadyLeaver':
      return `${listOf(detail.map(quote), 'and')} ${detail.length === 1 ? 'is' : 'are'} already marked as a leaver, so there is nothing to report: I have left ${detail.length === 1 ? 'them' : 'them'} out.`;
    case 'alreadyReported':
      return `${listOf(detail.map(quote), 'and')} ${detail.length === 1 ? 'has' : 'have'} already been reported as a leaver, in a request NAS is still working on: I have left ${detail.length === 1 ? 'them' : 'them'} out.`;
    case 'lastDayTooLongAgo':
      return `${detail[0] ? longDate(detail[0]) : 'That day'} is more than ${LAST_DAY_MAX_DAYS_AGO} days ago. A leaver can be reported here up to ${LAST_DAY_MAX_DAYS_AGO} days after their last working day (from ${longDate(earliestLastDay(c.now))}); for an earlier one, please contact NAS (${adminFor(c)}).`;
    case 'lastDayTooFarAhead':
      return `${detail[0] ? longDate(detail[0]) : 'That day'} is more than a year away: please check the date.`;
    case 'providerNotFound':
      return 'I cannot find an organisation with that ODS code. Please check it, or type the provider’s name instead.';
    case 'newOwnerNeeded':
      return 'A new owner must be named: nobody else would own the shared mailbox.';
    default:
      return undefined;
  }
}
