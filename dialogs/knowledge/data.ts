/**
 * The knowledge base's data files, bundled with the code (JSON imports: no file reads at run time)
 * and checked once, at start-up. `loadKnowledgeData` throws a KnowledgeDataError listing every
 * problem, each naming the file, the entry and the field.
 */
import type { z } from 'zod';
import { plain } from './analysis';
import {
  describeIssues,
  entrySchema,
  fieldSchema,
  IntentSchema,
  KnowledgeDataError,
  LanguageSchema,
  SourcesSchema,
  type Entry,
  type FieldHelp,
  type IntentDefinition,
  type Language,
  type Sources,
} from './schema';
import sources from './sources.json';
import language from './language.json';
import intents from './intents.json';
import fields from './fields.json';
import registration from './registration.json';
import accounts from './accounts.json';
import mailbox from './mailbox.json';
import email from './email.json';
import people from './people.json';
import contacts from './contacts.json';
import glossary from './glossary.json';

/** The raw files, by name: tests pass altered copies to check that bad data is refused. */
export interface RawKnowledge {
  sources: unknown;
  language: unknown;
  intents: unknown;
  fields: unknown;
  /** Entry files by file name, each an array of entries. */
  entries: Record<string, unknown>;
}

export const BUNDLED: RawKnowledge = {
  sources,
  language,
  intents,
  fields,
  entries: {
    'registration.json': registration,
    'accounts.json': accounts,
    'mailbox.json': mailbox,
    'email.json': email,
    'people.json': people,
    'contacts.json': contacts,
    'glossary.json': glossary,
  },
};

export interface KnowledgeData {
  sources: Sources;
  language: Language;
  entries: Entry[];
  intents: IntentDefinition[];
  fields: Record<string, FieldHelp>;
}

export function loadKnowledgeData(raw: RawKnowledge = BUNDLED): KnowledgeData {
  const problems: string[] = [];
  function check<S extends z.ZodType>(file: string, schema: S, value: unknown, label?: string): z.output<S> | undefined {
    const result = schema.safeParse(value);
    if (result.success) return result.data;
    problems.push(...describeIssues(file, result.error, label));
    return undefined;
  }

  const checkedSources = check('sources.json', SourcesSchema, raw.sources) ?? {};
  const checkedLanguage = check('language.json', LanguageSchema, raw.language);

  const entries: Entry[] = [];
  const fileOf = new Map<string, string>();
  for (const [file, list] of Object.entries(raw.entries)) {
    if (!Array.isArray(list)) {
      problems.push(`${file}: must be a list of entries`);
      continue;
    }
    const schema = entrySchema(checkedSources);
    list.forEach((item, index) => {
      const id = typeof (item as { id?: unknown })?.id === 'string' ? (item as { id: string }).id : undefined;
      const label = `entry ${index + 1}${id ? ` (${id})` : ''}`;
      const entry = check(file, schema, item, label);
      if (!entry) return;
      const earlier = fileOf.get(entry.id);
      if (earlier) problems.push(`${file}, ${label}: the id "${entry.id}" is already used in ${earlier}`);
      fileOf.set(entry.id, file);
      entries.push(entry);
    });
  }

  const intentList = Array.isArray(raw.intents) ? raw.intents : [];
  if (!Array.isArray(raw.intents)) problems.push('intents.json: must be a list of intents');
  const checkedIntents: IntentDefinition[] = [];
  intentList.forEach((item, index) => {
    const id = typeof (item as { id?: unknown })?.id === 'string' ? (item as { id: string }).id : undefined;
    const intent = check('intents.json', IntentSchema, item, `intent ${index + 1}${id ? ` (${id})` : ''}`);
    if (!intent) return;
    if (checkedIntents.some((i) => i.id === intent.id)) problems.push(`intents.json, intent ${index + 1}: the id "${intent.id}" is used twice`);
    checkedIntents.push(intent);
  });

  for (const e of entries) {
    if (e.intent && !checkedIntents.some((i) => i.id === e.intent)) {
      problems.push(`${fileOf.get(e.id)}, entry ${e.id}: intent "${e.intent}" is not in intents.json`);
    }
  }

  const checkedFields: Record<string, FieldHelp> = {};
  if (typeof raw.fields !== 'object' || raw.fields === null || Array.isArray(raw.fields)) {
    problems.push('fields.json: must be an object of fields');
  } else {
    const schema = fieldSchema(checkedSources);
    for (const [name, value] of Object.entries(raw.fields)) {
      const field = check('fields.json', schema, value, `field "${name}"`);
      if (field) checkedFields[name] = field;
    }
  }

  // The same words in two places would make the ranking between them a coin toss.
  const owner = new Map<string, string>();
  const claim = (text: string, who: string) => {
    const key = plain(text);
    const other = owner.get(key);
    if (other && other !== who) problems.push(`the phrasing "${text}" is in both ${other} and ${who}`);
    else owner.set(key, who);
  };
  for (const e of entries) for (const q of e.questions) claim(q, `entry ${e.id}`);
  for (const i of checkedIntents) for (const p of i.phrasings) claim(p, `intent ${i.id}`);

  if (problems.length > 0 || !checkedLanguage) throw new KnowledgeDataError(problems);
  return { sources: checkedSources, language: checkedLanguage, entries, intents: checkedIntents, fields: checkedFields };
}
