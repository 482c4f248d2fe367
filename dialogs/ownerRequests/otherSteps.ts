/**
 * The other owners' requests (SPEC §3): a new starter refused at the site's 11th account, a joiner
 * who already has NHSmail, an owner handover, a name change, a site audit (the directory's list
 * shown at once), a Teams team. The new starter's details are asked by dialogs/memberEntry.
 */
import {
  MAX_ACCOUNTS_PER_SITE,
  accountAt,
  accountsCounted,
  newOwnerCandidates,
  type OwnerRequestsContext,
} from '../../machines/ownerRequests';
import { looksLikeAddress, nhsmailAddress } from '../passwordHelp/read';
import { parseYesNoAnswer } from '../parsing';
import { answer } from '../step';
import { quote } from '../text';
import { kindAnswer, numbered, peopleChoices, personAnswer, type Step } from './common';
import { readNewName, saysDone } from './read';
import { accessWord, adminFor, nameOf, siteName, statusWord, who } from './texts';

const yesNo = (question: string) => (text: string) => {
  const yes = parseYesNoAnswer(text);
  return yes === undefined ? undefined : answer(question, yes);
};
const done = (text: string) => (saysDone(text) ? answer('next', 'done') : undefined);
const handoverCandidates = (c: OwnerRequestsContext) => newOwnerCandidates(c.site!, [c.person!.address]);
const renameCandidates = (c: OwnerRequestsContext) => c.site!.accounts.filter((a) => a.status !== 'leaver');

export const OTHER_STEPS = {
  'newStarter.full': {
    prompt: (c) => ({
      text: [
        `${siteName(c)} already has ${accountsCounted(c.site!)} NHSmail accounts${c.site!.pendingNewStarters ? ` (new starters already asked for included)` : ''}, and a site can have at most ${MAX_ACCOUNTS_PER_SITE}. So I cannot ask for another one.`,
        'If someone has left, report them as a leaver first: their account then no longer counts. For more accounts than that, contact NAS (' + adminFor(c) + ').',
      ].join('\n'),
      choices: ['Report a leaver', 'Menu'],
    }),
    parse: (text) => kindAnswer(text) ?? (/^1$/.test(text.trim()) ? answer('kind', 'leaver') : done(text)),
    hint: 'Say "report a leaver", or "menu".',
    noBack: 'Say "menu" for anything else.',
  },

  'joiner.address': {
    prompt: (c) => ({
      text: `What is the joiner's NHSmail address? They keep it: NAS moves their account to ${siteName(c)}.`,
    }),
    parse: (text) => {
      const typed = nhsmailAddress(text);
      if (typed.ok) return answer('joinerAddress', typed.value);
      return looksLikeAddress(text) ? { invalid: typed.error } : undefined;
    },
    hint: 'Please type their NHSmail address, ending @nhs.net.',
    field: {
      name: 'the joiner’s NHSmail address',
      why: 'Someone who already has NHSmail keeps their account when they change jobs: NAS moves it to your organisation, so I need to find it.',
      whereToFind: 'Ask them: it is the address they log in to NHSmail with, ending @nhs.net. Someone without one needs a new starter account instead.',
    },
    previous: (c) => c.joiner?.account?.address,
  },

  'joiner.access': {
    prompt: (c) => {
      const a = c.joiner!.account!;
      return {
        text: [
          `Found: ${who(a)}, now at ${quote(a.organisation.name)} (${a.organisation.odsCode})${a.status === 'leaver' ? ', marked as a leaver there' : ''}.`,
          a.hostedLocally ? `Their account is looked after by ${quote(a.hostedLocally.name)}: NAS will work with them to move it.` : '',
          `Should ${nameOf(a)} have access to the shared mailbox of ${siteName(c)}?`,
        ]
          .filter(Boolean)
          .join('\n'),
        choices: ['Yes', 'No'],
      };
    },
    parse: yesNo('sharedMailboxAccess'),
    hint: 'Please answer yes or no.',
    field: {
      name: 'shared mailbox access',
      why: 'People in the shared mailbox can read and send its email from their own account.',
      whereToFind: 'Say yes for people who need to read the organisation’s shared email.',
    },
  },

  'handover.newOwner': {
    prompt: (c) => ({
      text: [
        `You are handing over the shared mailbox ownership of ${siteName(c)}. Who should be the new owner? Choose from the people with an active account there:`,
        numbered(handoverCandidates(c)),
      ].join('\n'),
      choices: peopleChoices(handoverCandidates(c)),
    }),
    parse: (text, c) => personAnswer('handoverTo', text, handoverCandidates(c)),
    hint: 'Please choose the new owner by name or number.',
    field: {
      name: 'the new owner',
      why: 'The owner decides who has access to the shared mailbox and reports leavers and new starters.',
      whereToFind: 'Choose someone at the site with an NHSmail account who will look after it: usually the manager or deputy.',
    },
  },

  'handover.keepAccess': {
    prompt: (c) => ({
      text: `Once ${nameOf(accountAt(c.site, c.handover!.to)!)} is the owner, should you keep access to the shared mailbox as a member?`,
      choices: ['Yes, keep access', 'No'],
    }),
    parse: (text) => (/\bkeep\b/i.test(text) && !/\bnot?\b|don'?t/i.test(text) ? answer('keepAccess', true) : yesNo('keepAccess')(text)),
    hint: 'Please answer yes or no.',
  },

  'handover.noOne': {
    prompt: (c) => ({
      text: `Nobody else at ${siteName(c)} has an active NHSmail account to hand over to. Ask for an account for a new starter first (they can be made the owner), or contact NAS (${adminFor(c)}).`,
      choices: ['Account for a new starter', 'Menu'],
    }),
    parse: (text) => kindAnswer(text) ?? (/^1$/.test(text.trim()) ? answer('kind', 'newStarter') : done(text)),
    hint: 'Say "account for a new starter", or "menu".',
  },

  'rename.who': {
    prompt: (c) => ({
      text: [`Whose name has changed? Choose from the accounts at ${siteName(c)}:`, numbered(renameCandidates(c))].join('\n'),
      choices: peopleChoices(renameCandidates(c)),
    }),
    parse: (text, c) => personAnswer('renameWho', text, renameCandidates(c)),
    hint: 'Please choose the person by name or number.',
  },

  'rename.newName': {
    prompt: (c) => ({ text: `What is ${nameOf(accountAt(c.site, c.rename!.address)!)}'s new name? Type the first name and last name, for example "Jane Smith".` }),
    parse: (text) => {
      const name = readNewName(text);
      if (!name) return undefined;
      return name.ok ? answer('newName', name.value) : { invalid: name.error };
    },
    hint: 'Please type the new first name and last name.',
    field: {
      name: 'the new name',
      why: 'NAS changes the name on the account and in the NHS Directory. Their NHSmail address may change to match; the old one keeps working for a while.',
      whereToFind: 'The name the person now uses at work, as on their ID.',
    },
  },

  'rename.local': {
    prompt: (c) => {
      const a = accountAt(c.site, c.rename!.address)!;
      return {
        text: `${nameOf(a)}'s account is looked after by ${quote(a.hostedLocally!.name)}, not by NAS, so the name is changed there: ${quote(a.hostedLocally!.helpdesk.name)}, ${a.hostedLocally!.helpdesk.phone}, ${a.hostedLocally!.helpdesk.email}.`,
        choices: ['Menu'],
      };
    },
    parse: (text) => kindAnswer(text) ?? done(text),
    hint: 'Say "back" to choose someone else, or "menu".',
  },

  'audit.list': {
    prompt: (c) => {
      const withAccess = c.site!.accounts.filter((a) => a.access !== 'none');
      const without = c.site!.accounts.filter((a) => a.access === 'none');
      return {
        text: [
          `This is who the NHSmail directory says has access to the shared mailbox of ${siteName(c)}${c.site!.site.sharedMailboxAddress ? ` (${c.site!.site.sharedMailboxAddress})` : ''}:`,
          ...withAccess.map((a) => `• ${who(a)} · ${accessWord(a)}${statusWord(a)}`),
          ...(without.length ? ['Accounts at the site without access:', ...without.map((a) => `• ${who(a)}${statusWord(a)}`)] : []),
          'I will ask NAS to check it with you. Is anything wrong with it? Tell me what, or say "looks right".',
        ].join('\n'),
        choices: ['Looks right'],
      };
    },
    parse: (text) => {
      const t = text.trim();
      if (/^(?:looks? (?:right|good|fine|ok(?:ay)?|correct)|all (?:correct|good|fine|ok)|(?:that'?s )?(?:right|correct|fine)|no(?:thing)?(?: wrong)?|none|1|ok(?:ay)?|yes)\.?$/i.test(t)) return answer('auditNote', null);
      if (t.length < 3) return undefined;
      if (t.length > 1000) return { invalid: 'Please keep it short (under 1,000 characters): NAS will check the details with you.' };
      return answer('auditNote', t);
    },
    hint: 'Say "looks right", or tell me what is wrong with the list.',
  },

  'team.name': {
    prompt: (c) => ({
      text: `What should the Microsoft Teams team for ${siteName(c)} be called?`,
      choices: [`${c.site!.site.name} team`],
    }),
    parse: (text, c) => {
      // "yes", "that's fine": the name offered.
      if (/^(?:that'?s fine|that one|fine|yes|yep|ok(?:ay)?|sure|sounds good)\.?$/i.test(text.trim())) return answer('teamName', `${c.site!.site.name} team`);
      const name = text.trim().replace(/^["“']|["”']$/g, '').replace(/^(?:call it|it should be called|name it)\s+/i, '');
      if (name.length < 3) return undefined;
      if (name.length > 64) return { invalid: 'A team name can be at most 64 characters. Please type a shorter one.' };
      if (/[<>#%&*{}\\/:?+|"]/.test(name)) return { invalid: 'A team name cannot contain any of < > # % & * { } \\ / : ? + | ". Please type it again without them.' };
      return answer('teamName', name);
    },
    hint: 'Please type a name for the team, for example "Larkspur House team".',
  },

  'team.who': {
    prompt: (c) => ({
      text: `Who should be in the team "${quote(c.team!.name!)}"? The shared mailbox owners will be its owners.`,
      choices: ['Everyone with an account', 'Only people with shared mailbox access'],
    }),
    parse: (text) => {
      const t = text.toLowerCase();
      if (/^1$|\beveryone\b|\ball\b|\bwhole\b/.test(t)) return answer('teamMembers', 'everyone');
      if (/^2$|\bonly\b|\bshared mailbox\b|\baccess\b/.test(t)) return answer('teamMembers', 'sharedMailbox');
      return undefined;
    },
    hint: 'Please choose: everyone with an account, or only people with shared mailbox access.',
  },
} satisfies Record<string, Step>;

export function otherProblem(c: OwnerRequestsContext): string | undefined {
  switch (c.problem) {
    case 'noSuchAccount':
      return `I cannot find an NHSmail account at ${c.joiner?.account?.address ? quote(c.joiner.account.address) : 'that address'}. Please check it. Someone without NHSmail needs an account for a new starter instead.`;
    case 'alreadyAtSite':
      return `${c.joiner?.account?.address ? quote(c.joiner.account.address) : 'That account'} is already an account of ${siteName(c)}: there is nothing to move.`;
    default:
      return undefined;
  }
}
