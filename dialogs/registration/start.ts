import type { RegistrationStart } from '../../machines/registration';
import { normalise } from '../parsing';
import * as validate from '../validators';

/**
 * What a message that asks to register says already ("I need to register Oakhaven Court, CM1
 * 8FS", "register our dental practice in LS6"): the start input of the registration, so that
 * what is given is not asked again. Undefined when it gives nothing more than the wish to register.
 */

const CARE = /\b(care homes?|nursing homes?|residential homes?|home care|domiciliary|care providers?|carehome)\b/;
const DENTAL = /\b(dental|dentists?|dentistry)\b/;
const HOSPICE = /\bhospices?\b/;
const POSTCODE = /\b([A-Z]{1,2}\d[A-Z\d]?)\s*(\d[A-Z]{2})\b|\b([A-Z]{1,2}\d[A-Z\d]?)\b/gi;
/** Words around the name that are not part of it. */
const NOT_NAME = /^(?:our|my|the|a|an|us|we|for|nhsmail|nhs mail|it|this|that|here|please|now|today|organisation|organization|home|practice|site|one|another|new)$/i;

export function registrationStart(text: string): RegistrationStart | undefined {
  const t = normalise(text);
  const start: RegistrationStart = {};
  if (HOSPICE.test(t)) start.kind = 'hospice';
  else if (DENTAL.test(t)) start.kind = 'dental';
  else if (CARE.test(t)) start.kind = 'care';

  // A full postcode anywhere; otherwise an outward code after "in", "at" or "postcode".
  const full = [...text.matchAll(POSTCODE)].map((m) => (m[1] ? validate.postcode(`${m[1]} ${m[2]}`) : undefined)).filter((r) => r?.ok);
  if (full.length === 1 && full[0]!.ok) start.postcode = full[0]!.value.postcode;
  else {
    const outward = /\b(?:in|at|postcode|post code)\s+([A-Z]{1,2}\d[A-Z\d]?)\b/i.exec(text);
    const place = outward ? validate.postcode(outward[1]!) : undefined;
    if (place?.ok) start.postcode = place.value.postcode;
  }

  // The name: after "register", up to a comma, "at/in", the postcode or the end.
  const after = /\bregister(?:ing)?\s+(.+)$/i.exec(text)?.[1];
  if (after) {
    const cut = after.split(/,|;|\s(?:at|in|for|postcode|post code|which|that|please)\s|\s[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b/i)[0] ?? '';
    const words = cut.replace(/[.!?]+$/, '').trim().split(/\s+/);
    while (words.length && NOT_NAME.test(words[0]!)) words.shift();
    const name = words.join(' ');
    const isKindOnly = /^(?:care homes?|nursing homes?|dental practices?|dental surgery|dentists?|practices?|homes?|care providers?|hospices?|organisations?|organizations?|sites?|it)$/i.test(name);
    if (name.length >= 3 && name.length <= 80 && !isKindOnly && /[A-Za-z]/.test(name) && !/\d[A-Z]{2}$/i.test(name)) start.organisationName = name;
  }
  return Object.keys(start).length ? start : undefined;
}
