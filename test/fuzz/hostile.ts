import fc from 'fast-check';
import type { Said } from './world';

/**
 * Hostile input, generated with fast-check from a seed (the same seed gives the same inputs):
 * what a careless, unlucky or malicious user or client sends instead of an answer. Text for every
 * channel; card submissions (`activity.value`) of the wrong shape for Teams and the web chat.
 *
 * Inputs that put markup around a marker (`{{M}}`, replaced by a token unique to the input) let the
 * campaign check that wherever the assistant shows the user's text back, the markup is escaped.
 */

export const MARKER = '{{M}}';

export interface Hostile {
  /** What kind of input it is, for the report. */
  kind: string;
  said: Said;
}

/** Markup that Teams and Web Chat would render if quoted back as it is. */
const MARKUP = [
  `**${MARKER}**`,
  `__${MARKER}__`,
  `_${MARKER}_`,
  `*${MARKER}*`,
  `~~${MARKER}~~`,
  `[${MARKER}](https://evil.example/${MARKER})`,
  `![${MARKER}](https://evil.example/pixel.png)`,
  `<img src=x onerror="alert('${MARKER}')">`,
  `<script>${MARKER}</script>`,
  `<at>${MARKER}</at>`,
  `\`${MARKER}\``,
  `|${MARKER}|x|`,
  `<b>${MARKER}</b>`,
  `\\*${MARKER}\\*`,
];

/** Answers that nearly fit some question (the fixtures people use), to mutate. */
const NEAR = [
  'LS6 1BN',
  'CPODS2',
  '1-1002733005',
  'CON1-123456789',
  'manager@amazingcarehomes.co.uk',
  'Leeds',
  'Alex',
  'Morgan',
  'alex.morgan@example.co.uk',
  '07400 050001',
  'Registered Manager',
  'amy.pearce@nhs.net',
  '246810',
  'ABCD2345',
  'vouch ABCD-2345-EFGH',
  'yes',
  'no',
  '1',
  'back',
  'menu',
  'help',
  'done',
  'start again',
  'Care provider',
  'confirm and finish',
];

/** Characters that break naive text handling: NUL and other controls, invisible and direction marks, a lone surrogate, a BOM. */
const AWKWARD = ['\u0000', '\u0001', '\u0007', '\u0008', '\u001b', '\u007f', '\u0085', '\u00a0', '\u200b', '\u200d', '\u202e', '\u2066', '\u2028', '\ufeff', '\ufffd', '\ud800', '\udfff', '\r', '\n', '\t', '\u0301'];

const awkward = fc.constantFrom(...AWKWARD);
const near = fc.constantFrom(...NEAR);
const markup = fc.constantFrom(...MARKUP);

/** Text about 100 KB long: one piece repeated. */
const huge = fc
  .oneof(
    fc.constantFrom('a', '1', ' ', '😀', '<b>', '*', '@.', 'a@', '1-', 'CON1-', '07400 ', 'LS6 1BN ', '\u0000', '\u200b', 'ﷺ', 'Ḁ̴̡͇', '\\', '[', '{"a":'),
    fc.string({ unit: 'binary', minLength: 1, maxLength: 16 }),
  )
  .chain((piece) => fc.tuple(fc.constant(piece), fc.integer({ min: 90_000, max: 110_000 }), fc.constantFrom('', '!', '@', MARKER, '\u0000')))
  .map(([piece, length, end]) => piece.repeat(Math.ceil(length / piece.length)).slice(0, length) + end);

/** A near answer, spoiled: awkward characters inside, lookalike letters, full-width digits, repeated, wrapped in markup. */
const spoiled = fc.oneof(
  fc.tuple(near, awkward, fc.nat()).map(([text, c, at]) => text.slice(0, at % (text.length + 1)) + c + text.slice(at % (text.length + 1))),
  near.map((text) => text.replace(/[A-Za-z0-9]/g, (ch) => String.fromCodePoint(ch.codePointAt(0)! + 0xfee0))),
  near.map((text) => text.replace(/[aeoAEO]/g, (ch) => ({ a: 'а', e: 'е', o: 'о', A: 'А', E: 'Е', O: 'О' })[ch]!)),
  fc.tuple(near, fc.integer({ min: 2, max: 2_000 })).map(([text, n]) => Array.from({ length: n }, () => text).join(' ')),
  fc.tuple(near, markup).map(([text, wrap]) => `${text} ${wrap}`),
  fc.tuple(near, markup).map(([text, wrap]) => wrap.replace(MARKER, `${text} ${MARKER}`)),
  // Markup run into the answer, so that whatever reads the answer out of the text takes it along.
  fc.tuple(near, markup, fc.boolean()).map(([text, wrap, before]) => (before ? `${wrap}${text}` : `${text}${wrap}`)),
  fc.tuple(near, fc.constantFrom('**', '_', '~~', '`', '<b>', '[')).map(([text, mark]) => `${mark}${MARKER}${mark === '[' ? '](https://evil.example)' : mark}${text.replace(/^[^@]*/, '')}`),
  fc.tuple(near, fc.integer({ min: 1, max: 5_000 })).map(([text, n]) => `${' '.repeat(n)}${text}${'\t'.repeat(n)}`),
  near.map((text) => text.toUpperCase()),
);

/**
 * Markup inside an answer that is otherwise well formed (an email address may hold * _ ~ ` |), so
 * that it is accepted, or refused with the answer quoted back.
 */
const markupInAnswer = fc
  .tuple(
    fc.constantFrom('**{M}**', '_{M}_', '~~{M}~~', '`{M}`', '*{M}*', '|{M}|', '<b>{M}</b>', '[{M}](https://evil.example)'),
    fc.constantFrom('{X}@nhs.net', '{X}@example.co.uk', 'jane.{X}@nhs.net', '{X}', 'LS6 {X}', 'Alex {X}', '{X} Morgan', 'CON1-{X}', '1-{X}'),
  )
  .map(([mark, answer]) => answer.replace('{X}', mark.replace('{M}', MARKER)));

const json = fc.oneof(
  fc.json({ maxDepth: 4 }),
  fc.constantFrom(
    '{"__proto__":{"polluted":"{{M}}"},"constructor":{"prototype":{"polluted":true}}}',
    '{"type":"ANSWER","answer":{"question":"passcode","value":"ABCD2345"}}',
    '{"type":"TO_FLOW","event":{"type":"SUBMIT"}}',
    '{"action":"confirm","value":"**{{M}}**"}',
    'null',
    '[]',
    '{}',
    '"\\u0000"',
    '{"a":'.repeat(500),
  ),
);

const numbers = fc.constantFrom('1e309', '-1', '0', '00', '99999999999999999999999', 'NaN', 'Infinity', '-0', '0x1F', '1.5', '٣', '⑤', '１', '1/0', '2^53', '9007199254740993', '1,000', '½');

/** Pathological input for regular expressions: long runs of what a pattern repeats, ending where it fails. */
const patterns = fc
  .tuple(fc.constantFrom('a', 'a@', '1-', 'CON1-', '07400 ', ' ', 'a.', '\t', 'LS6', '-', '1 ', 'aa-', '+44 '), fc.integer({ min: 1_000, max: 60_000 }), fc.constantFrom('!', '@', '', '\u0000', '.'))
  .map(([piece, n, end]) => piece.repeat(n) + end);

const commands = fc
  .tuple(fc.constantFrom('menu', 'back', 'start again', 'cancel', 'help', 'carry on', 'yes', 'no', 'done', '1', '2'), awkward, fc.boolean())
  .map(([command, c, before]) => (before ? c + command : command + c));

const passwords = fc.constantFrom('my password is Hunter2!Hunter2!', 'pw: Tr0ub4dor&3xx', 'Password1!Password1!', 'S3cure#Passw0rd');

/** Every kind of hostile text, with its name and weight. */
const TEXT: [string, number, fc.Arbitrary<string>][] = [
  ['unicode', 14, fc.string({ unit: 'binary', maxLength: 300 })],
  ['graphemes', 6, fc.string({ unit: 'grapheme', maxLength: 100 })],
  ['ascii', 6, fc.string({ maxLength: 300 })],
  ['controls', 8, fc.string({ unit: awkward, minLength: 1, maxLength: 60 })],
  ['markup', 10, fc.tuple(markup, fc.option(near, { nil: undefined })).map(([m, n]) => (n ? `${n} ${m}` : m))],
  ['markup in an answer', 8, markupInAnswer],
  ['spoiled answer', 16, spoiled],
  ['json', 8, json],
  ['number', 4, numbers],
  ['regex pattern', 4, patterns],
  ['100 KB', 4, huge],
  ['command', 6, commands],
  ['password', 2, passwords],
  ['empty', 2, fc.constantFrom('', ' ', '\n', '\u200b', '\u0000')],
];

const pollutedKeys = () =>
  JSON.parse('{"__proto__":{"polluted":"yes","action":"confirm"},"constructor":{"prototype":{"polluted":"yes"}},"prototype":{"x":1}}') as Record<string, unknown>;

/** A value of any shape, never deeper than a few levels. */
const anything = fc.oneof(
  fc.constantFrom(null, 0, -1, 1e308, Number.MAX_SAFE_INTEGER + 2, true, false, '', 'x', [], {}),
  fc.jsonValue({ maxDepth: 3 }),
  fc.string({ unit: 'binary', maxLength: 50 }),
  huge,
  markup,
  fc.array(fc.string(), { maxLength: 20 }),
);

/** Deeply nested arrays or objects (what a JSON parser accepts but code rarely expects). */
const deep = fc.tuple(fc.integer({ min: 50, max: 2_000 }), fc.boolean()).map(([depth, arrays]) => {
  let value: unknown = 'bottom';
  for (let i = 0; i < depth; i++) value = arrays ? [value] : { a: value };
  return value;
});

/**
 * Card submissions of the wrong shape. `shapes` are the data of the buttons and the ids of the
 * inputs the card on show has (so that mutated real submissions are tried as well as nonsense).
 */
export function cardValues(shapes: { data: Record<string, unknown>[]; inputs: string[] }): fc.Arbitrary<[string, unknown]> {
  const known = shapes.data.length > 0 ? fc.constantFrom(...shapes.data) : fc.constant<Record<string, unknown>>({ action: 'submit' });
  const inputs = shapes.inputs.length > 0 ? fc.constantFrom(...shapes.inputs) : fc.constantFrom('value', 'answer', 'text');
  return fc.oneof(
    fc.tuple(fc.constant('card: not an object'), fc.constantFrom(null, 0, 42, -1, 'confirm', true, [], ['a', 1, null], 1e308) as fc.Arbitrary<unknown>),
    fc.tuple(fc.constant('card: deep'), deep as fc.Arbitrary<unknown>),
    fc.tuple(fc.constant('card: __proto__ keys'), known.map((data) => ({ ...data, ...pollutedKeys() }))),
    fc.tuple(fc.constant('card: __proto__ only'), fc.constant(null).map(() => pollutedKeys())),
    fc.tuple(
      fc.constant('card: a field of the wrong type'),
      fc.tuple(known, fc.nat(), anything).map(([data, i, value]) => {
        const keys = Object.keys(data);
        return keys.length ? { ...data, [keys[i % keys.length]!]: value } : { action: value };
      }),
    ),
    fc.tuple(fc.constant('card: inputs hostile'), fc.tuple(known, fc.array(fc.tuple(inputs, anything), { minLength: 1, maxLength: 8 })).map(([data, fields]) => ({ ...data, ...Object.fromEntries(fields) }))),
    fc.tuple(fc.constant('card: inputs as text'), fc.tuple(known, fc.array(fc.tuple(inputs, fc.oneof(spoiled, markup, fc.string({ unit: 'binary' }))), { minLength: 1, maxLength: 8 })).map(([data, fields]) => ({ ...data, ...Object.fromEntries(fields) }))),
    fc.tuple(fc.constant('card: a field missing'), fc.tuple(known, fc.nat()).map(([data, i]) => Object.fromEntries(Object.entries(data).filter((_e, j) => j !== i % Math.max(1, Object.keys(data).length))))),
    fc.tuple(fc.constant('card: many keys'), fc.integer({ min: 100, max: 5_000 }).map((n) => Object.fromEntries(Array.from({ length: n }, (_v, i) => [`k${i}`, i])))),
    fc.tuple(fc.constant('card: random object'), fc.dictionary(fc.string({ maxLength: 20 }), anything, { maxKeys: 10 }) as fc.Arbitrary<unknown>),
  );
}

const weighted = <T>(items: [string, number, fc.Arbitrary<T>][]) =>
  fc.oneof(...items.map(([kind, weight, arbitrary]) => ({ weight, arbitrary: arbitrary.map((value) => [kind, value] as [string, T]) })));

/** Hostile text. */
export const hostileText: fc.Arbitrary<[string, string]> = weighted(TEXT);

/**
 * `count` hostile inputs for one conversation, from `seed`. On a channel with cards, about half
 * are card submissions (some with hostile text beside them), built around the card on show.
 */
export function hostileInputs(seed: number, count: number, cards?: { data: Record<string, unknown>[]; inputs: string[] }): Hostile[] {
  const text = hostileText.map(([kind, t]): Hostile => ({ kind, said: { text: t } }));
  const arbitrary = cards
    ? fc.oneof(
        text,
        cardValues(cards).map(([kind, value]): Hostile => ({ kind, said: { value } })),
        fc.tuple(cardValues(cards), hostileText).map(([[kind, value], [textKind, t]]): Hostile => ({ kind: `${kind} + ${textKind}`, said: { value, text: t } })),
      )
    : text;
  return fc.sample(arbitrary, { seed, numRuns: count });
}

/** Puts a marker unique to the input where its markup holds one. */
export function marked(input: Hostile, marker: string): Hostile {
  const swap = (value: unknown): unknown => {
    if (typeof value === 'string') return value.split(MARKER).join(marker);
    if (Array.isArray(value)) return value.map(swap);
    if (value && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(value)) Object.defineProperty(out, key, { value: swap((value as Record<string, unknown>)[key]), enumerable: true, writable: true, configurable: true });
      return out;
    }
    return value;
  };
  return { kind: input.kind, said: { ...input.said, ...(input.said.text !== undefined ? { text: swap(input.said.text) as string } : {}), ...(input.said.value !== undefined ? { value: swap(input.said.value) } : {}) } };
}

/**
 * Where markup around `marker` is shown as it is in markdown text: a markup character next to the
 * marker with no backslash before it. Returns the offending pieces (none when all is escaped).
 */
export function unescapedAround(text: string, marker: string): string[] {
  const found: string[] = [];
  const special = /[*_[\]~<>|`]/;
  for (let at = text.indexOf(marker); at >= 0; at = text.indexOf(marker, at + marker.length)) {
    const after = text[at + marker.length];
    if (after !== undefined && special.test(after)) found.push(text.slice(Math.max(0, at - 10), at + marker.length + 10));
    // Before the marker: the nearest markup character on the same line must be escaped.
    for (let i = at - 1; i >= 0 && text[i] !== '\n' && i >= at - 60; i--) {
      if (!special.test(text[i]!)) continue;
      if (text[i - 1] !== '\\') found.push(text.slice(Math.max(0, i - 10), at + marker.length));
      break;
    }
  }
  return found;
}
