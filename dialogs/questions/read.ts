/**
 * Reading free text for questions: whether a message is plainly a question (so it may interrupt a
 * flow's question), whether it asks about the field being asked for ("why do you need that?",
 * "what is that?", "I don't know it"), and the words of "was this helpful?". Pure.
 *
 * The rule everywhere: an answer to a field stays an answer. A postcode, a name, "yes", "Leeds" or
 * "registered manager" is never read as a question; only text shaped like a question is.
 */
import { extractSlots } from '../knowledge/slots';
import { normalise } from '../parsing';

/** Words a question starts with ("how do I…", "can I…", "is there…"). */
// A negative start without a question mark is how people say what is wrong ("cant answer my
// security questions", "dont have a mobile", "wont let me in"), not a question.
const QUESTION_START =
  /^(?:(?:hi|hello|hey|ok|okay|so|and|but|also|sorry|please|quick question)[, ]+)*(?:what|whats|what's|wat|why|how|hows|how's|when|whens|where|wheres|where's|who|whos|who's|which|whose|can|could|do|does|did|is|are|should|shall|will|would|may|might|must|have|has|am)\b(?!'t|t\b)/;

/** A question after a few words of context. */
const EMBEDDED_QUESTION = /\b(?:how (?:do|does|can|should|would|long|many|much|often)|what (?:is|are|does|do|happens|should|if)|why (?:do|does|is|are|can)|when (?:do|does|will|can|should)|where (?:do|does|is|are|can)|who (?:do|does|is|can|should)|(?:do|does|can|should|will|must) (?:i|we|you|they|he|she|it|my|our)|is (?:it|there|that) )\b/;

/** Text that carries a value a flow asks for (a postcode, an address, a code): an answer, however it is worded. */
function carriesValue(text: string): boolean {
  const slots = extractSlots(text);
  if (slots.postcode || slots.email || slots.nhsmailAddress || slots.cqcLocationId || slots.reference || slots.odsCode) return true;
  // Phone numbers and codes: a run of 6 or more digits, or CON1-…
  return /\d[\d\s-]{5,}\d/.test(text) || /\bcon\s?1\b/i.test(text);
}

const words = (text: string) => normalise(text).split(' ').filter(Boolean);

/**
 * Plainly a question: it ends with (or holds) a question mark, or starts with a question word,
 * and has at least three words ("Will Smith" is a name, "what is DSPT" a question). Text holding a
 * postcode, an address, a phone number or a code is an answer ("is it LS6 1BN?").
 */
export function isClearQuestion(text: string): boolean {
  const n = words(text).length;
  if (n < 2 || carriesValue(text)) return false;
  if (/\?/.test(text)) return true;
  const t = normalise(text);
  // "i got married how do i change my name", "we already have nhs mail do we need to register".
  return n >= 3 && (QUESTION_START.test(t) || EMBEDDED_QUESTION.test(t));
}

export type FieldAsk = 'why' | 'what' | 'whereToFind';

const WHY = [
  /^(?:but |and |ok |okay |so |sorry )?why\??$/,
  /^(?:but |and |ok |okay |so |sorry |just wondering |can i ask )?why (?:do|would|does|did|are|is) (?:you|u|ya|it|this|that|they)(?: (?:need|want|ask(?: for| about)?|require|asking(?: for)?|needed|required|matter|important))?(?: (?:that|this|it|one|them|these|those|to know(?: that| this)?|for (?:that|this|it)|my [a-z' ]{1,30}|the [a-z' ]{1,30}|our [a-z' ]{1,30}))?(?: for)?(?: please)?$/,
  /^(?:but |and |ok |so )?why (?:is|are) (?:that|this|it|they|these) (?:needed|required|asked for|necessary|important)$/,
  /^(?:what (?:is|s) (?:that|this|it) for|what for|whats (?:that|this|it) for|what do you need (?:that|this|it|them|my [a-z' ]{1,30}) for|what does it matter)$/,
  /^(?:do|why do) (?:you|i) (?:really )?(?:need|have to (?:give|tell)(?: you)?) (?:that|this|it|to)$/,
];

const WHAT = [
  /^(?:what|wat) (?:is|s|does|do) (?:that|this|it|they)(?: mean)?$/,
  /^(?:whats|what's) (?:that|this|it)$/,
  /^(?:what do you mean(?: by that)?|meaning|what does that mean|i don'?t understand(?: the question)?|i do not understand(?: the question)?|dont understand|not sure what (?:that|this|you) means?|what are you asking(?: for)?|what do you want)$/,
];

const WHERE = [
  /^(?:i |we )?(?:don'?t|do not|dont|dunno|can'?t|cannot|can not|cant)(?: really)? (?:know|remember|find|have|recall|see)(?: (?:it|that|this|one|them|where(?: it is| to find it| to look)?|what (?:it|that) is|(?:my|our|the) [a-z' ]{1,30}))?$/,
  /^(?:i'?m |i am |we'?re |we are )?(?:not sure|unsure|no idea|no clue|clueless)(?: (?:what|where|of|about) (?:it|that|this|it is|that is|to find it))?$/,
  /^(?:dunno|idk|no idea|not sure|unsure|pass|no clue)$/,
  /^(?:where|how) (?:do|can|would|could|should) (?:i|we) (?:find|get|look(?: for| up)?|see|check)(?: (?:it|that|this|one|them|(?:my|our|the) [a-z' ]{1,30}))?$/,
  /^(?:where(?:'s| is| are| would i find| will i find)|wheres) (?:it|that|this|they|mine|ours|(?:my|our|the) [a-z' ]{1,30})$/,
  /^(?:i |we )?(?:haven'?t|have not|havent) (?:got )?(?:it|one|that|a clue)$/,
];

/**
 * A question about the field being asked for, as a whole message: why it is needed, what it is,
 * or where to find it (including "I don't know" and "not sure"). Only these exact shapes count,
 * so an answer that happens to hold one of these words is left to the flow.
 */
export function fieldAsk(text: string): FieldAsk | undefined {
  const t = normalise(text).replace(/\s*\?+$/, '').replace(/\s+please$/, '');
  if (!t) return undefined;
  if (WHY.some((p) => p.test(t))) return 'why';
  if (WHAT.some((p) => p.test(t))) return 'what';
  if (WHERE.some((p) => p.test(t))) return 'whereToFind';
  return undefined;
}

export type Feedback = 'helpful' | 'notHelpful';

const HELPFUL = /^(?:(?:yes|yeah|yep|yup|ok|great|perfect|lovely|brilliant|cheers|thanks|thank you)[,! ]*)*(?:(?:that|it|this)(?: was| is|'s|s)? ?(?:very |really |so )?(?:helpful|useful|helped|great|perfect|it|answered it|answers it|what i needed)|(?:very |really )?(?:helpful|useful)|it did|that did|it helped|that helped|helped)(?:[,! ]+(?:thanks|thank you|cheers|ta))?$/;
const NOT_HELPFUL = /^(?:(?:no|nope|nah|not really|sorry)[,! ]*)*(?:(?:that|it|this)(?: was| is|'s|s)? ?(?:not|n'?t|wasn'?t|isn'?t|didn'?t|did not|does not|doesn'?t)(?: really)? (?:helpful|useful|help|answer it|answer my question|what i (?:needed|asked|meant))|not (?:helpful|useful|really|what i (?:needed|asked|meant))|unhelpful|(?:it |that )?didn'?t help|(?:it |that )?did not help|no help|useless|wrong answer|not it|not that)$/;

/**
 * An answer to "was this helpful?". Right after an answer at the menu a plain "yes" or "no" is one
 * (`plainYesNo`); in the middle of a flow only words no question of a flow takes ("helpful", "not
 * helpful", "that didn't help") count, since a plain "yes" answers the flow's question.
 */
export function feedbackOf(text: string, plainYesNo: boolean): Feedback | undefined {
  const t = normalise(text).replace(/[!.]+$/, '');
  if (!t) return undefined;
  if (NOT_HELPFUL.test(t)) return 'notHelpful';
  if (HELPFUL.test(t)) return 'helpful';
  if (plainYesNo) {
    if (/^(?:yes|y|yeah|yep|yup|yes thanks|yes thank you|yes please|thanks|thank you|cheers|ta)$/.test(t)) return 'helpful';
    if (/^(?:no|n|nope|nah|no thanks|not really|no it didn'?t|no it did not)$/.test(t)) return 'notHelpful';
  }
  return undefined;
}

/** The "did you mean" button that says none of them fits. */
export const NONE_OF_THESE = 'None of these';
/** A "did you mean" button (or the answer to "not helpful") that asks for a person. */
export const TALK_TO_A_PERSON = 'Talk to a person';

export function isNoneOfThese(text: string): boolean {
  return /^(?:none of (?:these|them|those)|none|neither|no(?:ne)? of them|something else|not (?:these|those|them|any of (?:these|them|those))|other)$/.test(normalise(text));
}
