import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ADMIN_EMAIL, NATIONAL_HELPDESK, ODS_HELPDESK_EMAIL } from '../../dialogs/contacts';
import { BUNDLED, loadKnowledgeData, type RawKnowledge } from '../../dialogs/knowledge/data';
import { KnowledgeDataError } from '../../dialogs/knowledge/schema';
import { renderText } from '../../dialogs/knowledge/text';

const data = loadKnowledgeData();
const KINDS = ['care', 'dental', undefined] as const;

/** A deep copy of the bundled data with one entry file changed. */
function withEntries(file: string, change: (entries: Record<string, unknown>[]) => void): RawKnowledge {
  const copy = JSON.parse(JSON.stringify(BUNDLED)) as RawKnowledge;
  change(copy.entries[file] as Record<string, unknown>[]);
  return copy;
}

function problemsOf(raw: RawKnowledge): string[] {
  try {
    loadKnowledgeData(raw);
  } catch (e) {
    expect(e).toBeInstanceOf(KnowledgeDataError);
    return [...(e as KnowledgeDataError).problems];
  }
  throw new Error('the data was accepted');
}

/** The addresses and phone numbers SPEC.md names (read from ../shared/SPEC.md beside the repository). */
function specContacts(): { emails: Set<string>; phones: Set<string> } {
  let dir = join(__dirname, '..', '..');
  for (let i = 0; i < 4; i++, dir = dirname(dir)) {
    const file = join(dir, 'shared', 'SPEC.md');
    if (existsSync(file)) {
      const spec = readFileSync(file, 'utf8');
      return {
        emails: new Set([...spec.matchAll(/[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g)].map((m) => m[0].toLowerCase())),
        phones: new Set([...spec.matchAll(/\b0\d{3} \d{3} \d{4}\b/g)].map((m) => m[0])),
      };
    }
  }
  // Without the shared folder (a bare clone), the contacts module is what the SPEC was copied into.
  return {
    emails: new Set([ADMIN_EMAIL.care, ADMIN_EMAIL.dental, NATIONAL_HELPDESK.email, ODS_HELPDESK_EMAIL]),
    phones: new Set([NATIONAL_HELPDESK.phone]),
  };
}

describe('the knowledge base as data', () => {
  it('has at least 60 entries, each with a source, several phrasings, an answer and the kinds it applies to', () => {
    expect(data.entries.length).toBeGreaterThanOrEqual(60);
    for (const e of data.entries) {
      expect(e.source.length).toBeGreaterThan(0);
      expect(e.questions.length).toBeGreaterThanOrEqual(2);
      expect(e.kinds.length).toBeGreaterThan(0);
      expect(renderText(e.answer).length).toBeGreaterThan(20);
    }
  });

  it('draws on the FAQ, the starter guide, the care provider guide and both registration guides', () => {
    const guides = new Set(data.entries.flatMap((e) => e.source.map((s) => s.guide)));
    for (const guide of ['care-faq', 'care-starter-guide', 'care-provider-guide', 'care-registration-portal-guide', 'dentistry-registration-portal-guide']) {
      expect(guides).toContain(guide);
    }
  });

  it.each([
    ['activation', 'activation'],
    ['shared mailbox access', 'shared-mailbox-get-access'],
    ['hiding the mobile', 'hide-mobile'],
    ['inactivity and deletion', 'inactivity'],
    ['response times', 'response-times'],
    ['name changes', 'name-change'],
    ['out-of-office', 'out-of-office'],
    ['signatures', 'signature'],
    ['the NHS Directory', 'nhs-directory'],
    ['who to contact', 'who-to-contact'],
    ['ODS', 'glossary-ods'],
    ['DSPT', 'glossary-dspt'],
    ['IG Toolkit', 'glossary-ig-toolkit'],
    ['shared mailbox', 'glossary-shared-mailbox'],
    ['shared mailbox owner', 'glossary-shared-mailbox-owner'],
    ['local administrator', 'glossary-local-administrator'],
    ['AUP', 'glossary-aup'],
    ['NAS', 'glossary-nas'],
    ['CQC', 'glossary-cqc'],
    ['CQC location ID', 'glossary-cqc-location-id'],
    ['CQC contact ID', 'glossary-cqc-contact-id'],
  ])('covers %s (%s)', (_topic, id) => {
    expect(data.entries.map((e) => e.id)).toContain(id);
  });

  it('names no contact address or phone number that SPEC.md does not', () => {
    const { emails, phones } = specContacts();
    const texts = [
      ...data.entries.flatMap((e) => KINDS.map((k) => [`entry ${e.id}`, renderText(e.answer, k)] as const)),
      ...Object.entries(data.fields).flatMap(([name, f]) =>
        KINDS.flatMap((k) => [[`field ${name}`, renderText(f.why, k)] as const, [`field ${name}`, renderText(f.whereToFind, k)] as const]),
      ),
    ];
    const unknown: string[] = [];
    for (const [where, text] of texts) {
      for (const [address] of text.matchAll(/[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g)) {
        // Example addresses show a format, they are not contacts.
        if (!emails.has(address.toLowerCase()) && !/^(care|nhsdental)\.|^john\.smith@/.test(address)) unknown.push(`${where}: ${address}`);
      }
      for (const [phone] of text.matchAll(/(?:\+44|\b0)[\d ]{9,13}\d/g)) {
        if (!phones.has(phone.trim())) unknown.push(`${where}: ${phone}`);
      }
    }
    expect(unknown).toEqual([]);
  });

  it('says dentistadmin to a dental practice, careadmin to a care provider, and both (saying which) when the kind is unknown', () => {
    const admin = data.entries.filter((e) => JSON.stringify(e.answer).includes('{admin}'));
    expect(admin.length).toBeGreaterThan(10);
    for (const e of admin) {
      expect(renderText(e.answer, 'dental')).toContain('dentistadmin@nhs.net');
      expect(renderText(e.answer, 'dental')).not.toContain('careadmin@nhs.net');
      expect(renderText(e.answer, 'care')).toContain('careadmin@nhs.net');
      expect(renderText(e.answer, 'care')).not.toContain('dentistadmin@nhs.net');
      expect(renderText(e.answer)).toContain('careadmin@nhs.net (for care providers) or dentistadmin@nhs.net (for dental practices)');
    }
  });

  it('says passcodes last 21 days for care providers and 14 for dental practices', () => {
    const expiry = data.entries.find((e) => e.id === 'passcode-expiry')!;
    expect(renderText(expiry.answer, 'care')).toContain('21 days');
    expect(renderText(expiry.answer, 'dental')).toContain('14 days');
    expect(renderText(expiry.answer)).toMatch(/21 days for a care provider and 14 days for a dental practice/);
  });

  it('leaves no placeholder unfilled, for any kind', () => {
    for (const e of data.entries) for (const k of KINDS) expect(renderText(e.answer, k)).not.toMatch(/[{}]/);
  });
});

describe('bad knowledge data stops start-up with a message naming the file, entry and field', () => {
  it('an entry with no source', () => {
    const problems = problemsOf(withEntries('glossary.json', (list) => (list[0]!.source = [])));
    expect(problems).toEqual([expect.stringMatching(/^glossary\.json, entry 1 \(glossary-ods\), source: needs at least one source/)]);
  });

  it('an entry with no phrasing, or an empty one', () => {
    expect(problemsOf(withEntries('email.json', (list) => (list[1]!.questions = [])))).toEqual([
      expect.stringMatching(/^email\.json, entry 2 \(out-of-office\), questions: needs at least 2 phrasings/),
    ]);
    expect(problemsOf(withEntries('email.json', (list) => ((list[1]!.questions as string[])[1] = '  ')))).toEqual([
      expect.stringMatching(/^email\.json, entry 2 \(out-of-office\), questions\[1\]: must not be empty/),
    ]);
  });

  it('a source naming a guide or a section that does not exist', () => {
    const problems = problemsOf(
      withEntries('people.json', (list) => {
        list[0]!.source = [{ guide: 'care-handbook', section: 'Leavers' }];
        list[1]!.source = [{ guide: 'care-faq', section: 'Leavers' }];
      }),
    );
    expect(problems).toEqual([
      expect.stringMatching(/^people\.json, entry 1 \(leaving-organisation\), source\[0\]\.guide: unknown guide "care-handbook"/),
      expect.stringMatching(/^people\.json, entry 2 \(leaving-social-care\), source\[0\]\.section: "Leavers" is not a section of care-faq/),
    ]);
  });

  it('an unknown placeholder, a missing field, an unknown kind', () => {
    const problems = problemsOf(
      withEntries('contacts.json', (list) => {
        list[0]!.answer = 'Write to {nasEmail}.';
        delete list[1]!.title;
        list[2]!.kinds = ['hospice'];
      }),
    );
    expect(problems).toEqual([
      expect.stringMatching(/^contacts\.json, entry 1 \(who-to-contact\), answer: unknown placeholder \{nasEmail\}/),
      expect.stringMatching(/^contacts\.json, entry 2 \(response-times\), title: /),
      expect.stringMatching(/^contacts\.json, entry 3 \(out-of-hours\), kinds\[0\]: /),
    ]);
  });

  it('an id used twice, and one phrasing in two entries', () => {
    const problems = problemsOf(
      withEntries('mailbox.json', (list) => {
        list[1]!.id = 'shared-mailbox-open';
        (list[2]!.questions as string[]).push('How do I open the shared mailbox?');
      }),
    );
    expect(problems).toContain('mailbox.json, entry 2 (shared-mailbox-open): the id "shared-mailbox-open" is already used in mailbox.json');
    expect(problems).toContainEqual(expect.stringMatching(/the phrasing "How do I open the shared mailbox\?" is in both entry shared-mailbox-open and entry shared-mailbox-get-access/));
  });

  it('an entry pointing at an intent with no phrasings, and a file that is not a list', () => {
    const raw = withEntries('accounts.json', (list) => (list[0]!.intent = 'leaver'));
    raw.intents = (raw.intents as { id: string }[]).filter((i) => i.id !== 'leaver');
    raw.entries['extra.json'] = { id: 'not-a-list' };
    const problems = problemsOf(raw);
    expect(problems).toContain('accounts.json, entry activation: intent "leaver" is not in intents.json');
    expect(problems).toContain('extra.json: must be a list of entries');
  });
});
