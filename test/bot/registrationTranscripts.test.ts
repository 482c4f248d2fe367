import type { NasRequestOf } from '../../adapters/nasRequests';
import { Transcript, buttons, transcript } from '../helpers/transcript';

/** The fixtures of the embedded directory (adapters/embeddedOrganisationDirectory.ts). */
const AMAZING = { postcode: 'LS6 1BN', ods: 'CPODS2', location: '1-1002733005', contactId: 'CON1-123456789', email: 'manager@amazingcarehomes.co.uk' };
const DAY = 24 * 60 * 60 * 1000;

async function answerAll(t: Transcript, answers: string[]): Promise<string> {
  let last = '';
  for (const answer of answers) last = await t.ask(answer);
  return last;
}

async function latestPasscode(t: Transcript): Promise<string> {
  const [message] = await t.assistant.adapters.outbox.latest(1);
  const code = /is: ([A-Z2-9]{8})/.exec(message?.body ?? '')?.[1];
  if (!code) throw new Error('no passcode in the outbox');
  return code;
}

const CHECKS_CONTACT_ID = ['register', 'care provider', 'no', 'yes', 'no', 'yes'];
const CHECKS_BY_EMAIL = ['register', 'care provider', 'no', 'yes', 'no', 'no', 'email'];
const OWNER = ['Mrs', 'Jane', 'Smith', 'jane@example.co.uk', '07400 123456', 'Registered Manager'];
const SECOND = ['add another', 'no title', 'Sam', 'Lee', 'sam@example.com', '07400 654321', 'Nurse', 'no', 'yes', 'no'];

describe('transcripts: registering an organisation', () => {
  it('a care provider with a CQC contact ID registers from greeting to reference', async () => {
    const t = transcript();
    await answerAll(t, ['hello', ...CHECKS_CONTACT_ID]);
    expect(await t.ask('continue')).toMatch(/Step 1 of 4 · Organisation details[\s\S]*postcode/);
    const list = await t.say(AMAZING.postcode);
    expect(buttons(list.at(-1))).toEqual(['Amazing Carehomes – CPODS2', 'Amazing Home Care Ltd – VAHC1', 'None of these']);
    expect(await t.ask('1')).toMatch(/Step 2 of 4 · Verification[\s\S]*CQC location ID/);
    expect(await t.ask(AMAZING.location)).toMatch(/CQC contact ID/);
    expect(await t.ask(AMAZING.contactId.toLowerCase())).toMatch(/Step 3 of 4[\s\S]*Amazing Carehomes is verified[\s\S]*postcode town/);
    await t.say('Leeds');
    expect(await t.ask('leeds')).toMatch(/care\.leeds\.amazingcarehomescpods2@nhs\.net/);
    expect(await t.ask('continue')).toMatch(/Members \(1 of 10\)[\s\S]*shared mailbox owner/);
    const listed = await answerAll(t, OWNER);
    expect(listed).toMatch(/1\. Mrs Jane Smith — Registered Manager; shared mailbox owner, in the shared mailbox, mailbox admin/);
    expect(await t.ask('done')).toMatch(/at least 2 people/);
    await answerAll(t, SECOND);
    const review = await t.ask('done');
    expect(review).toMatch(/Step 4 of 4 · Review[\s\S]*CPODS2[\s\S]*1-1002733005[\s\S]*Town: Leeds[\s\S]*2\. Sam Lee — Nurse/);
    const done = await t.ask('confirm and finish');
    const reference = /REG-[A-Z2-9]{8}/.exec(done)?.[0];
    expect(reference).toBeDefined();
    expect(done).toMatch(/welcome email[\s\S]*temporary password by text[\s\S]*www\.nhs\.net[\s\S]*no activation and no password/);
    expect(await t.ask('confirm and finish')).toMatch(new RegExp(`already submitted \\(reference ${reference}\\)`));
    const request = (await t.assistant.adapters.requests.get(reference!)) as NasRequestOf<'registration'> | undefined;
    expect(request?.details).toMatchObject({ sharedMailboxAddress: 'care.leeds.amazingcarehomescpods2@nhs.net', verifiedBy: 'cqc-contact-id' });
    expect(request?.details.members.map((m) => m.mobile)).toEqual(['+447400123456', '+447400654321']);
  });

  it('a care provider asks for a passcode by email, comes back two days later, and carries on', async () => {
    const t = transcript();
    await answerAll(t, [...CHECKS_BY_EMAIL, 'continue', AMAZING.postcode, 'CPODS2']);
    expect(await t.ask('Manager@AmazingCarehomes.co.uk')).toMatch(/CQC location ID\?/);
    expect(await t.ask(AMAZING.location)).toMatch(/sent a one-time passcode by email to m\*\*\*@amazingcarehomes\.co\.uk[\s\S]*valid for 21 days, until 14 December 2026/);
    const code = await latestPasscode(t);
    t.clock.now += 2 * DAY;
    const back = await t.ask("I've got my code");
    expect(back).toMatch(/Welcome back[\s\S]*Done: [^\n]*organisation details \(Amazing Carehomes\)[\s\S]*one-time passcode\?/);
    expect(await t.ask(`${code.slice(0, 4).toLowerCase()} ${code.slice(4)}`)).toMatch(/Amazing Carehomes is verified/);
  });

  it('an expired passcode is explained with its expiry date, and a new one can be sent', async () => {
    const t = transcript();
    await answerAll(t, [...CHECKS_BY_EMAIL, 'continue', AMAZING.postcode, 'CPODS2', AMAZING.email, AMAZING.location]);
    const code = await latestPasscode(t);
    t.clock.now += 22 * DAY;
    const expired = await t.say(code);
    expect(expired.at(-1)!.text).toMatch(/expired on 14 December 2026[\s\S]*new one/);
    expect(buttons(expired.at(-1))).toEqual(['By email', 'By post', 'No']);
    expect(await t.ask('by email')).toMatch(/a new passcode was sent by email/);
    const fresh = await latestPasscode(t);
    expect(fresh).not.toBe(code);
    expect(await t.ask('I have my passcode')).toMatch(/one-time passcode\?/);
    expect(await t.ask(fresh)).toMatch(/is verified/);
  });

  it('after 5 failed verifications the organisation is locked, with the admin contact', async () => {
    const t = transcript();
    await answerAll(t, [...CHECKS_CONTACT_ID, 'continue', AMAZING.postcode, 'CPODS2']);
    const attemptsLeft: string[] = [];
    for (let i = 0; i < 4; i++) {
      await t.say(AMAZING.location);
      attemptsLeft.push(/You have (\d) attempts? left/.exec(await t.ask('CON1-999999999'))?.[1] ?? '?');
    }
    expect(attemptsLeft).toEqual(['4', '3', '2', '1']);
    await t.say(AMAZING.location);
    const locked = await t.ask('CON1-999999999');
    expect(locked).toMatch(/after 5 attempts[\s\S]*locked until 24 November 2026[\s\S]*careadmin@nhs\.net/);
    // Even the right details are refused while locked, in another conversation too.
    const other = transcript('test', t);
    await answerAll(other, [...CHECKS_CONTACT_ID, 'continue', AMAZING.postcode, 'CPODS2', AMAZING.location]);
    expect(await other.ask(AMAZING.contactId)).toMatch(/after 5 attempts/);
    // The lock lifts once the 24 hours have passed.
    t.clock.now += DAY + 60_000;
    await other.say('start again');
    await answerAll(other, [...CHECKS_CONTACT_ID.slice(1), 'continue', AMAZING.postcode, 'CPODS2', AMAZING.location]);
    expect(await other.ask(AMAZING.contactId)).toMatch(/is verified/);
  });

  it('failures never say which detail was wrong', async () => {
    const t = transcript();
    await answerAll(t, [...CHECKS_CONTACT_ID, 'continue', AMAZING.postcode, 'CPODS2']);
    await t.say('1-1002733013');
    const wrongLocation = await t.ask(AMAZING.contactId);
    await t.say(AMAZING.location);
    const wrongContact = await t.ask('CON1-111111111');
    const strip = (s: string) => s.replace(/\d attempts? left/, '');
    expect(strip(wrongLocation)).toEqual(strip(wrongContact));
    expect(wrongLocation).toMatch(/could not be verified/);
  });

  it('a dental practice the directory does not fully hold follows Route B: passcode by post, then confirm the CQC details', async () => {
    const t = transcript();
    await answerAll(t, ['register', 'dental', 'no', 'yes', 'no', 'yes', 'continue', 'B16 9LA', 'DODSB1']);
    expect(await t.ask('1-1002733039')).toMatch(/by post to your CQC-registered address[\s\S]*14 days/);
    const [letter] = await t.assistant.adapters.outbox.latest(1);
    expect(letter).toMatchObject({ channel: 'letter' });
    expect(letter!.recipient).toMatch(/Birchfield Dental Surgery.*B16 9LA/);
    const code = await latestPasscode(t);
    await t.say('it has arrived');
    const details = await t.say(code);
    expect(details.at(-1)!.text).toMatch(/Are these your CQC registration details\?[\s\S]*1-1002733039[\s\S]*Birchfield Dental Surgery[\s\S]*B16 9LA/);
    expect(await t.ask('no')).toMatch(/check the CQC location ID and passcode[\s\S]*dentistadmin@nhs\.net/);
    await t.say('back');
    expect(await t.ask('yes')).toMatch(/Birchfield Dental Surgery is verified/);
  });

  it('organisations that cannot register again are told why, and a care provider does not see dental practices', async () => {
    const t = transcript();
    await answerAll(t, [...CHECKS_CONTACT_ID, 'continue']);
    expect(buttons((await t.say('NR2 2PA')).at(-1))).toContain('Hollybank Care Home – VHB01');
    expect(await t.ask('1')).toMatch(/already has an NHSmail shared mailbox[\s\S]*shared mailbox owner/);
    await t.say('back');
    expect(await t.ask('DODSA1')).toMatch(/not a care provider/);
    await t.say('TR1 1LH');
    expect(await t.ask('VGA01')).toMatch(/already being processed/);
    await t.say('back');
    expect(await t.ask('ZE1 0AA')).toMatch(/could not find any care providers registered at ZE1 0AA[\s\S]*careadmin@nhs\.net/);
  });

  it('each bad answer is re-asked with what is wrong, and never advances', async () => {
    const t = transcript();
    await answerAll(t, [...CHECKS_CONTACT_ID, 'continue']);
    expect(await t.ask('12345')).toMatch(/not a UK postcode[\s\S]*postcode\?/);
    await answerAll(t, [AMAZING.postcode, '1']);
    expect(await t.ask('1002733005')).toMatch(/1-[\s\S]*CQC location ID\?/);
    await t.say(AMAZING.location);
    expect(await t.ask('hello')).toMatch(/CQC contact ID/);
    await answerAll(t, [AMAZING.contactId, 'Headingley']);
    expect(await t.ask('Bradford')).toMatch(/did not match[\s\S]*postcode town/);
    await answerAll(t, ['Leeds', 'Leeds', 'continue', 'Mrs']);
    expect(await t.ask('J4ne')).toMatch(/first name/);
    await answerAll(t, ['Jane', 'Smith']);
    expect(await t.ask('jane.smith@nhs.net')).toMatch(/already has an NHSmail account[\s\S]*email address\?/);
    await t.say('jane@example.co.uk');
    expect(await t.ask('07400 12345')).toMatch(/07400 12345 is too short for a UK mobile number/);
    expect(await t.ask('0113 496 0000')).toMatch(/landline/);
    expect(await t.ask('+33 6 12 34 56 78')).toMatch(/mobile number\?/);
    await t.say('07400123456');
    expect(await t.ask('astronaut')).toMatch(/role/i);
    await answerAll(t, ['Registered Manager', 'add another', 'Mr', 'Sam', 'Lee', 'sam@example.com']);
    expect(await t.ask('+44 7400 123456')).toMatch(/already has that mobile number/);
    await answerAll(t, ['07400 654321', 'Other', 'no', 'no']);
    expect(await t.ask('remove 1')).toMatch(/shared mailbox owner: they stay/);
    expect(await t.ask('edit 1 owner')).toMatch(/shared mailbox owner: they stay/);
    expect(await t.ask('edit 2')).toMatch(/Which detail of Sam should change/);
    expect(await t.ask('edit 2 surname')).toMatch(/changing a detail[\s\S]*last name/);
    expect(await t.ask('Lee-Smith')).toMatch(/2\. Mr Sam Lee-Smith — Other; not in the shared mailbox/);
    expect(await t.ask('remove 2')).toMatch(/Remove Sam Lee-Smith from the registration\?/);
    expect(await t.ask('yes')).toMatch(/Sam Lee-Smith has been removed[\s\S]*Please add at least 1 more/);
  });
});
