import type { Step } from './explore';

/**
 * Routes the exploration walks before branching out (test/fuzz/explore.ts): ways through the
 * flows that need knowledge a tester has and a button does not give, such as which fixture
 * organisation takes which route, or a second person acting on a message sent to them. They only
 * help the exploration reach further; a flow without a route here is still explored from the menu,
 * and a route that no longer fits (its wording or a fixture changed) stops where it no longer fits.
 */
export interface Route {
  name: string;
  steps: Step[];
}

const say = (...texts: string[]): Step[] => texts.map((text) => ({ say: text }));
/** Steps done in another conversation of the path (someone else's). */
const sayIn = (conversation: number, ...texts: string[]): Step[] => texts.map((text) => ({ say: text, in: conversation }));
/** The newest code in the outbox (the passcode, a reset code). */
const code: Step = { code: 0 };
const DAY = 24 * 60 * 60 * 1000;

const OWNER = ['Mrs', 'Alex', 'Morgan', 'alex.morgan@example.co.uk', '07400 050001', 'Registered Manager'];
const SECOND = ['add another', 'Mr', 'Sam', 'Jones', 'sam.jones@example.com', '07400 050002', 'Nurse', 'yes', 'yes', 'no'];
const CHECKS_CONTACT_ID = ['register', 'care provider', 'no', 'yes', 'no', 'yes', 'continue'];
const CHECKS_BY_EMAIL = ['register', 'care provider', 'no', 'yes', 'no', 'no', 'email', 'continue'];
const AMAZING = [...CHECKS_CONTACT_ID, 'LS6 1BN', 'CPODS2', '1-1002733005', 'CON1-123456789', 'Leeds', 'leeds', 'continue', ...OWNER, ...SECOND];
const HOME_CARE_BY_EMAIL = [...CHECKS_BY_EMAIL, 'LS6 1BN', 'VAHC1', 'office@amazinghomecare.co.uk', '1-1002733013'];
const DENTAL_BY_EMAIL = ['register', 'dental', 'no', 'yes', 'no', 'no', 'email', 'continue', 'BS1 5TY', 'DODSA1', 'reception@riversidedentalbristol.co.uk', '1-1002733021'];
const RESET = ['I forgot my password', "I can't answer my security questions"];

/**
 * An owner's request started with `asked` at the menu, the owner verified by the code emailed to
 * `owner`. `later`: minutes after the conversations that start at once (a new code goes only 2
 * minutes after the last to the same address).
 */
const ownerAsks = (asked: string, owner: string, later: number, ...then: string[]): Step[] => [
  { say: asked, ...(later ? { after: later * 60 * 1000 } : {}) },
  { say: owner },
  code,
  ...say(...then),
];

export const ROUTES: readonly Route[] = [
  {
    name: 'a care home registers with its CQC contact ID and two members; someone else registers it first',
    steps: [...say(...AMAZING, 'remove 2', 'no', 'done'), ...sayIn(1, ...AMAZING, 'done', 'confirm and finish'), ...say('confirm and finish')],
  },
  {
    name: 'a passcode by email, typed when it arrives',
    steps: [...say(...HOME_CARE_BY_EMAIL, "I've got my code"), code],
  },
  {
    name: 'a passcode by email that has expired by the time it is typed',
    steps: [...say(...DENTAL_BY_EMAIL), { code: 0, after: 22 * DAY }, ...say('no')],
  },
  {
    name: 'a long town: Stockton-on-Tees needs an abbreviation',
    steps: say(...CHECKS_CONTACT_ID, 'TS18 2BG', 'VST01', '1-1002733071', 'CON1-423456790', 'Stockton-on-Tees', 'stockton on tees'),
  },
  {
    name: 'a dental practice on Route B: the passcode by post, then its CQC details refused',
    steps: [...say('register', 'dental', 'no', 'yes', 'no', 'yes', 'continue', 'B16 9LA', 'DODSB1', '1-1002733039', 'it has arrived'), code, ...say('no')],
  },
  {
    name: 'five wrong verifications lock the organisation',
    steps: say('register', 'dental', 'no', 'yes', 'no', 'yes', 'continue', 'BS1 5TY', 'DODSA1', ...Array.from({ length: 5 }, () => ['1-1002733021', 'CON1-999999999']).flat()),
  },
  {
    name: 'a password reset with a code texted to the mobile on record; asked again the same day',
    steps: [
      ...say(...RESET, 'amy.pearce@nhs.net', 'yes text me a code'),
      code,
      { say: RESET[0]!, in: 1, after: 60 * 60 * 1000 },
      ...sayIn(1, ...RESET.slice(1), 'amy.pearce@nhs.net', 'yes text me a code'),
      { code: 0, in: 1 },
    ],
  },
  {
    name: 'five wrong reset codes',
    steps: say(...RESET, 'tom.okafor@nhs.net', 'yes text me a code', '111111', '222222', '333333', '444444', '555555'),
  },
  {
    name: 'a password reset for a leaver',
    steps: [...say(...RESET, 'kwame.oyelaran@nhs.net', 'yes text me a code'), code],
  },
  {
    name: 'a password reset for an account hosted locally',
    steps: [...say(...RESET, 'david.price@nhs.net', 'yes text me a code'), code],
  },
  {
    name: 'no mobile on the account: an owner is asked to vouch, says no in their own conversation, and another owner comes too late',
    steps: [
      ...say(...RESET, 'joseph.achebe@nhs.net', 'no, there is no mobile on my account', '07400 123456'),
      { code: 0, line: true, in: 1 },
      ...sayIn(1, 'no'),
      { code: 0, line: true, in: 2 },
      ...say('Any news?'),
    ],
  },
  { name: 'an owner reports a leaver by name', steps: ownerAsks('Tom has left', 'sarah.hollis@nhs.net', 0, 'yes', 'last friday', 'he is moving to another provider') },
  { name: 'an owner reports a leaver', steps: ownerAsks('I need to report a leaver', 'priya.raman@nhs.net', 0, 'amy', 'yes', 'today', 'leaving care altogether', 'confirm') },
  { name: 'the only owner leaves', steps: ownerAsks("I'm leaving at the end of the month", 'sarah.hollis@nhs.net', 3, 'today', 'leaving the home only') },
  { name: 'a new starter', steps: ownerAsks('we have a new starter', 'gareth.lloyd@nhs.net', 0, 'Mr', 'Sam', 'Jones', 'sam.jones@example.com', '07400 050002', 'Care Assistant', 'no', 'yes', 'no') },
  { name: 'a new starter at a site with 10 accounts', steps: ownerAsks('we have a new starter', 'marcus.ashworth@nhs.net', 0) },
  { name: 'a joiner', steps: ownerAsks('add a joiner to our shared mailbox', 'nia.pryce@nhs.net', 0, 'amy.pearce@nhs.net') },
  { name: 'ownership handed over', steps: ownerAsks('hand over ownership', 'oliver.quayle@nhs.net', 0, 'leah.doyle@nhs.net') },
  { name: 'a name change', steps: ownerAsks('change a name', 'priya.raman@nhs.net', 3, 'amy.pearce@nhs.net', 'Amy Pearce-Smith') },
  { name: 'a name change for an account a CCG looks after', steps: ownerAsks('change a name', 'gareth.lloyd@nhs.net', 3, 'ruth.barnes@nhs.net') },
  { name: 'a site audit', steps: ownerAsks('site audit', 'nia.pryce@nhs.net', 3, 'it is all correct') },
  { name: 'a Teams team', steps: ownerAsks('we would like a Teams team', 'marcus.ashworth@nhs.net', 3, 'Fernlea Lodge team') },
  { name: 'someone who is not an owner reports their own leaving', steps: ownerAsks('I need to report a leaver', 'tom.okafor@nhs.net', 0, 'I am leaving', 'today', 'leaving the home only') },
  { name: 'someone whose account a CCG looks after', steps: ownerAsks("I'm leaving", 'ruth.barnes@nhs.net', 0) },
  { name: 'a care home that has a shared mailbox already', steps: say(...CHECKS_CONTACT_ID, 'NR2 2PA', 'VHB01') },
  { name: 'five wrong owner codes', steps: [{ say: 'Tom has left', after: 3 * 60 * 1000 }, ...say('oliver.quayle@nhs.net', '111111', '222222', '333333', '444444', '555555')] },
];
