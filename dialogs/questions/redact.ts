/**
 * Personal data out of text before it is kept for a hand-over to a person (SPEC §4: the question
 * and the recent turns go to NAS with personal data removed). Removed: anything that looks like a
 * password (as the engine drops it), email addresses, phone numbers, passcodes and other codes,
 * postcodes, and names — a name said as one ("my name is…", "Jane has left") and capitalised
 * words inside a sentence that are not words of the service ("ask Jane Smith" → "ask [name]").
 * Kept: NAS references, ODS codes and CQC location IDs (they name an organisation, not a person),
 * so NAS can look things up. A name typed in small letters inside a question cannot be told from
 * an ordinary word and stays; answers to a flow's fields are never kept as typed at all
 * (dialogs/questions/memory.ts keeps only which field was answered).
 */
import { scrubPassword } from '../passwordSafety';
import { knowledge } from '../knowledge';
import { extractSlots } from '../knowledge/slots';

// Starts only where an address can start, so a long run without an @ is read once.
const EMAIL = /(?<![A-Z0-9._%+'-])[A-Z0-9._%+'-]+@[A-Z0-9-]+(?:\.[A-Z0-9-]+)+/gi;
// International or national numbers of 10 or more digits, with the usual separators.
const PHONE = /(?:\+|\b00|\b0)\d(?:[\s().-]*\d){8,13}\b/g;
/** Any other run of 6 or more digits (an account number, a date of birth written 01021980…). */
const DIGITS = /\b\d(?:[\s-]?\d){5,}\b/g;
const REFERENCE = /\b(?:REG|PWD|LVR|JNR|NST|OWN|NAM|AUD|TMS|QST)-[A-HJ-NP-Z2-9]{8}\b/gi;
const LOCATION = /\b1-\d{9,11}\b/g;
const CONTACT_ID = /\bCON1[\s-]?\d{6,12}\b/gi;
// 8 characters of the passcode alphabet, possibly split 4-4, containing a digit and a letter.
const PASSCODE = /\b(?=[A-Z2-9\s-]{8,9}\b)(?=[A-Z\s-]*[2-9])(?=[2-9\s-]*[A-Z])[A-HJ-NP-Z2-9]{4}[\s-]?[A-HJ-NP-Z2-9]{4}\b/gi;
const POSTCODE = /\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b/gi;

/** Capitalised words that are words of the service, not names. */
const SERVICE_WORDS = new Set(
  (
    'I NHS NHSmail Mail Outlook Teams Microsoft Office Windows Android iPhone iPad Apple Google Gmail Hotmail Yahoo Chrome Edge Safari ' +
    'CQC ODS DSPT NAS AUP IG Toolkit Directory England Wales Scotland UK English British GP CSU CCG ICB Trust Care Quality Commission ' +
    'Data Security Protection Standards Approaching Met Exceeded National Administration Service Helpdesk Primary Local Administrator ' +
    'Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May June July August September October November December ' +
    'Christmas Easter Boxing Day New Year Bank Holiday OK Ok Yes No Hi Hello Please Thanks Sorry Registered Manager Deputy Owner Shared Mailbox ' +
    'Step Registration Register Password Passcode Login Dental Dentist Practice Home Homes Provider Hospice Nursing Residential Domiciliary'
  ).split(' '),
);

let vocabulary: Set<string> | undefined;
/** Words the knowledge base writes in small letters: a capitalised one of these is an ordinary word, not a name. */
function ordinaryWords(): Set<string> {
  if (vocabulary) return vocabulary;
  const texts = knowledge().data.entries.flatMap((e) => [e.title, ...e.questions, ...(typeof e.answer === 'string' ? [e.answer] : Object.values(e.answer))]);
  // Addresses in examples ("jane.smith@nhs.net") are not words.
  vocabulary = new Set(texts.join(' ').replace(/\S+@\S+/g, ' ').match(/\b[a-z][a-z'’-]*\b/g) ?? []);
  return vocabulary;
}

/** A capitalised word (or run of them) that does not start a sentence and is not a word of the service. */
const CAPITALISED_RUN = /(^|[^.!?\n]\s+)((?:[A-Z][a-z'’-]+)(?:\s+[A-Z][a-z'’-]+)*)/g;

function namesOut(text: string): string {
  let t = text;
  const said = extractSlots(text).personName;
  if (said) for (const part of said.split(/\s+/)) t = t.replace(new RegExp(`\\b${escapeRegExp(part)}\\b`, 'gi'), '[name]');
  t = t.replace(/\b(my name is|i am called|i'm called|this is|it's|it is|called|named)\s+([A-Za-z][A-Za-z'’-]+(?:\s+[A-Z][A-Za-z'’-]+)?)/gi, (whole, lead: string, name: string) =>
    SERVICE_WORDS.has(name.split(/\s+/)[0]!) || /^(?:a|an|the|my|our|your|not|about|for|from|in|on|at|to)$/i.test(name.split(/\s+/)[0]!) ? whole : `${lead} [name]`,
  );
  t = t.replace(CAPITALISED_RUN, (whole, before: string, run: string, offset: number) => {
    const parts = run.split(/(\s+)/);
    // The first word of the text starts a sentence: capitalised for that alone.
    const startsText = offset === 0 && before === '';
    return before + parts.map((w, i) => (i % 2 === 1 || (startsText && i === 0) || isOrdinary(w) ? w : '[name]')).join('');
  });
  return t.replace(/\[name\](?:\s+\[name\])+/g, '[name]');
}

function isOrdinary(word: string): boolean {
  const bare = word.replace(/['’].*$/, '');
  return SERVICE_WORDS.has(bare) || ordinaryWords().has(bare.toLowerCase());
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `text` without personal data, cut to `max` characters. */
export function redact(text: string, max = 500): string {
  const kept: string[] = [];
  const keep = (m: string) => {
    kept.push(m.toUpperCase());
    return `\u0000${kept.length - 1}\u0000`;
  };
  let t = scrubPassword(text.normalize('NFKC'));
  t = t.replace(EMAIL, '[email]');
  t = t.replace(REFERENCE, keep).replace(LOCATION, keep);
  t = t.replace(CONTACT_ID, '[code]').replace(PHONE, '[phone]').replace(POSTCODE, '[postcode]').replace(PASSCODE, '[code]').replace(DIGITS, '[number]');
  t = namesOut(t);
  t = t.replace(/\u0000(\d+)\u0000/g, (_m, i: string) => kept[Number(i)]!);
  t = t.replace(/\s+/g, ' ').trim();
  const chars = [...t];
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : t;
}
