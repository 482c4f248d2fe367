/** Choosing the request, and what is said to someone who may not make it (SPEC §3: who may ask). */
import type { OwnerRequestsContext } from '../../machines/ownerRequests';
import { ADMIN_EMAIL } from '../contacts';
import { parseChoice } from '../parsing';
import { answer } from '../step';
import { listOf, quote } from '../text';
import { kindAnswer, type Step } from './common';
import { saysDone, saysTryAgain } from './read';
import { KIND_CHOICES } from './texts';

const done = (text: string) => (saysDone(text) ? answer('next', 'done') : undefined);
/** A request named in words; a bare number picks from the buttons this step shows, not from the list of requests. */
const kindInWords = (text: string) => (/^\s*#?\d{1,2}\s*[.)]?\s*$/.test(text) ? undefined : kindAnswer(text));
const OWN = KIND_CHOICES.find((k) => k.kind === 'ownLeaving')!;

function ownersSentence(c: OwnerRequestsContext): string {
  const owners = c.person?.organisationOwners ?? [];
  const org = quote(c.person?.organisation.name ?? 'your organisation');
  if (!owners.length) return `The NHSmail directory has no shared mailbox owner for ${org}: please contact NAS (${ADMIN_EMAIL.care} for care providers, ${ADMIN_EMAIL.dental} for dental practices).`;
  return owners.length === 1
    ? `The shared mailbox owner of ${org} is ${quote(owners[0]!)}: please ask them.`
    : `The shared mailbox owners of ${org} are ${listOf(owners.map(quote), 'and')}: please ask one of them.`;
}

export const CHOOSE_STEPS = {
  choose: {
    prompt: () => ({
      text: [
        'Which of these is it? Each one goes to the National Administration Service (NAS) as a request, and only a shared mailbox owner can ask for them.',
        'Anyone can report their own leaving or move.',
      ].join('\n'),
      choices: KIND_CHOICES.map((k) => k.label),
    }),
    parse: (text) => kindAnswer(text) ?? done(text),
    hint: 'Please choose one of the requests by its name or its number, for example "report a leaver".',
    help: () =>
      'A leaver is someone who has left or is leaving; a new starter needs a new NHSmail account; a joiner already has NHSmail from another job. The owner can also hand ownership to someone else, ask for a name change, check who has access to the shared mailbox (a site audit), or ask for a Microsoft Teams team.',
  },

  notOwner: {
    prompt: (c) => ({
      text: [
        `Thank you, ${quote(c.person!.firstName)}: you are signed in as ${c.person!.address}. Only a shared mailbox owner can ask for that, and you are not one${c.person!.organisation ? ` for ${quote(c.person!.organisation.name)}` : ''}.`,
        ownersSentence(c),
        'What you can do yourself: tell NAS about your own leaving, or your move to another care provider or dental practice.',
      ].join('\n'),
      choices: [OWN.label, 'Menu'],
    }),
    parse: (text) => kindAnswer(text, [OWN]) ?? (/\bown\b|\bmyself\b|\bme\b|^1$/i.test(text) ? answer('kind', 'ownLeaving') : done(text)),
    hint: 'Say "I am leaving" to report your own leaving or move, or "menu" for anything else.',
    noBack: 'Say "menu" for anything else.',
  },

  ownLocal: {
    prompt: (c) => {
      const host = c.person!.host.kind === 'local' ? c.person!.host : undefined;
      return {
        text: [
          `Your account is looked after by ${quote(host?.name ?? 'a local organisation')}, not by NAS, so please tell them about your leaving or your move: ${host ? `${quote(host.helpdesk.name)}, ${host.helpdesk.phone}, ${host.helpdesk.email}` : 'your local IT helpdesk'}.`,
          'Your shared mailbox owner takes you out of the shared mailbox.',
        ].join('\n'),
        choices: ['Menu'],
      };
    },
    parse: (text) => kindInWords(text) ?? done(text),
    hint: 'Say "menu" for anything else.',
    noBack: 'Say "menu" for anything else.',
  },

  ownAlreadyLeaver: {
    prompt: () => ({
      text: [
        'Your account is already marked as a leaver, so there is nothing more to report.',
        'If you have moved to another care provider or dental practice, its shared mailbox owner can ask NAS to move your account there (a joiner request).',
      ].join('\n'),
      choices: ['Menu'],
    }),
    parse: done,
    hint: 'Say "menu" for anything else.',
    noBack: 'Say "menu" for anything else.',
  },

  chooseSite: {
    prompt: (c) => ({
      text: `You are the shared mailbox owner of more than one site. Which one is this about?`,
      choices: c.person!.ownerOf.map((s) => `${s.name} (${s.odsCode})`),
    }),
    parse: (text, c) => {
      const sites = c.person!.ownerOf;
      const picked = parseChoice(text, sites.map((s) => ({ value: s.odsCode, label: `${s.name} (${s.odsCode})`, synonyms: [s.odsCode.toLowerCase(), s.name.toLowerCase()] })));
      const byCode = sites.find((s) => text.toUpperCase().includes(s.odsCode));
      const site = picked ?? byCode?.odsCode;
      return site ? answer('site', site) : undefined;
    },
    hint: 'Please choose the site by its name, its ODS code or its number.',
  },

  siteUnavailable: {
    prompt: () => ({ text: 'Sorry, I could not read the site’s accounts from the NHSmail directory just now. Please say "try again" in a moment.', choices: ['Try again'] }),
    parse: (text) => (saysTryAgain(text) ? { type: 'TRY_AGAIN' } : undefined),
    hint: 'Say "try again".',
  },
} satisfies Record<string, Step>;
