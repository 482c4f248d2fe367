/**
 * The shapes of the knowledge base's data files, checked with zod when the assistant starts: a bad
 * entry stops start-up with a message naming the file, the entry and the field, so a mistake in
 * the data never reaches a user as a half-rendered answer.
 */
import { z } from 'zod';
import { PLACEHOLDERS } from './text';

export const ORGANISATION_KINDS = ['care', 'dental'] as const;
export type OrganisationKind = (typeof ORGANISATION_KINDS)[number];

/** What free text can ask for besides a plain answer ("question"): each is served by a flow. */
export const FLOW_INTENTS = ['register', 'password', 'leaver', 'joiner', 'newStarter', 'requestStatus', 'human'] as const;
export type FlowIntent = (typeof FLOW_INTENTS)[number];

/** Where a text may say "{admin}" and the like; anything else in braces is a mistake in the data. */
function placeholdersKnown(text: string, ctx: z.RefinementCtx): void {
  for (const [, name] of text.matchAll(/\{([^{}]*)\}/g)) {
    if (!(PLACEHOLDERS as readonly string[]).includes(name!)) {
      ctx.addIssue({ code: 'custom', message: `unknown placeholder {${name}} (known: ${PLACEHOLDERS.map((p) => `{${p}}`).join(', ')})` });
    }
  }
  if (/[{}]/.test(text.replace(/\{[^{}]*\}/g, ''))) ctx.addIssue({ code: 'custom', message: 'a brace without its partner' });
}

const Text = z.string().trim().min(1, 'must not be empty').superRefine(placeholdersKnown);

/** One text for everyone, or a text for any kind with optional wording for care providers and dental practices. */
export const KindText = z.union([
  Text,
  z.strictObject({ any: Text, care: Text.optional(), dental: Text.optional() }),
]);
export type KindText = z.output<typeof KindText>;

export const SourcesSchema = z.record(
  z.string().regex(/^[a-z0-9-]+$/),
  z.strictObject({ title: z.string().min(1), sections: z.array(z.string().min(1)).min(1) }),
);
export type Sources = z.output<typeof SourcesSchema>;

/** A guide and one of its sections, checked against sources.json. */
function sourceSchema(sources: Sources) {
  return z
    .strictObject({ guide: z.string().min(1), section: z.string().min(1) })
    .superRefine((s, ctx) => {
      const guide = sources[s.guide];
      if (!guide) {
        ctx.addIssue({ code: 'custom', path: ['guide'], message: `unknown guide "${s.guide}" (known: ${Object.keys(sources).join(', ')})` });
      } else if (!guide.sections.includes(s.section)) {
        ctx.addIssue({ code: 'custom', path: ['section'], message: `"${s.section}" is not a section of ${s.guide}` });
      }
    });
}
export type Source = { guide: string; section: string };

export function entrySchema(sources: Sources) {
  return z.strictObject({
    id: z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be lower-case words joined by hyphens'),
    title: Text,
    questions: z.array(Text).min(2, 'needs at least 2 phrasings of the question'),
    answer: KindText,
    source: z.array(sourceSchema(sources)).min(1, 'needs at least one source (guide and section)'),
    tags: z.array(z.string().trim().min(1)).default([]),
    kinds: z.array(z.enum(ORGANISATION_KINDS)).min(1, 'must apply to at least one organisation kind'),
    /** A message closest to this entry asks for that flow (a problem the flow solves), not just for the answer. */
    intent: z.enum(FLOW_INTENTS).optional(),
  });
}
export type Entry = z.output<ReturnType<typeof entrySchema>>;

export const IntentSchema = z.strictObject({
  id: z.enum(FLOW_INTENTS),
  flow: z.string().min(1),
  description: z.string().min(1),
  phrasings: z.array(Text).min(3, 'needs at least 3 phrasings'),
});
export type IntentDefinition = z.output<typeof IntentSchema>;

export const LanguageSchema = z.strictObject({
  contractions: z.record(z.string().min(1), z.string().min(1)),
  stopWords: z.array(z.string().min(1)),
  synonyms: z.array(z.strictObject({ canonical: z.string().min(1), variants: z.array(z.string().min(1)).min(1) })),
});
export type Language = z.output<typeof LanguageSchema>;

export function fieldSchema(sources: Sources) {
  return z.strictObject({
    label: z.string().min(1),
    /** The registration machine's states that ask for this field (a hint for wiring). */
    states: z.array(z.string().min(1)).default([]),
    why: KindText,
    whereToFind: KindText,
    source: z.array(sourceSchema(sources)).min(1, 'needs at least one source (guide and section)'),
  });
}
export type FieldHelp = z.output<ReturnType<typeof fieldSchema>>;

/** Every problem found in the data, one line each, so they can all be fixed at once. */
export class KnowledgeDataError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`The knowledge base has ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'KnowledgeDataError';
  }
}

/** "registration.json, entry 3 (passcode-what), questions[1]: must not be empty" */
export function describeIssues(file: string, error: z.ZodError, label?: string): string[] {
  return error.issues.map((issue) => {
    const field = issue.path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i ? '.' : ''}${String(p)}`)).join('');
    return [file, label, field].filter(Boolean).join(', ') + `: ${issue.message}`;
  });
}
