import type { Activity } from 'botbuilder';
import { Transcript, buttons, cardElements, cardOf, transcript } from '../helpers/transcript';
import {
  AMAZING,
  BIRCHFIELD,
  CHECKS_BY_EMAIL,
  CHECKS_BY_POST,
  CHECKS_CONTACT_ID,
  DENTAL_BY_EMAIL,
  DENTAL_CONTACT_ID,
  OWNER,
  SECOND,
  answerAll,
  latestPasscode,
  referenceIn,
  twoMembers,
  verifiedCare,
} from '../helpers/registrationAnswers';

/**
 * What a trial of the registration as a new user found (the terminal chat, the web page at phone
 * width, Teams cards), through the bot, each as the user met it.
 */

const allText = (replies: Activity[]) => replies.map((a) => [a.text ?? '', JSON.stringify(a.attachments ?? [])].join('\n')).join('\n');

/** At the first member's title question. */
async function atFirstMember(t: Transcript) {
  await verifiedCare(t);
  return answerAll(t, ['Leeds', 'continue']);
}

describe('words around the answers are understood', () => {
  it('"nope dont have one" is no, and "go" carries on', async () => {
    const t = transcript();
    await answerAll(t, ['register', 'care provider']);
    expect(await t.ask('nope dont have one')).toMatch(/check 3 of 6/);
    await answerAll(t, ['yes', 'no', 'yes']);
    expect(await t.ask('go')).toMatch(/Step 1 of 4 · Organisation details\nWhat is your organisation's postcode\?/);
  });

  it('"the first one" at the organisation list picks the first', async () => {
    const t = transcript();
    await answerAll(t, [...CHECKS_CONTACT_ID, AMAZING.postcode]);
    expect(await t.ask('the first one')).toMatch(/What is your CQC location ID\?/);
  });

  it('"its 07400 123456" at the mobile', async () => {
    const t = transcript();
    await atFirstMember(t);
    await answerAll(t, ['Mrs', 'Jane', 'Smith', 'jane@example.co.uk']);
    expect(await t.ask('its 07400 123456')).toMatch(/What is Jane Smith's role\?/);
  });

  it('"mrs sarah jones" at the title is the title and the whole name', async () => {
    const t = transcript();
    await atFirstMember(t);
    const reply = await t.ask('mrs sarah jones');
    expect(reply).toMatch(/title Mrs, first name Sarah and last name Jones/);
    expect(reply).toMatch(/What is Sarah Jones's business or personal email address\?/);
  });

  it('several answers in one message are all taken, and what was taken is said', async () => {
    const t = transcript();
    await atFirstMember(t);
    await t.say('Mrs');
    const reply = await t.ask('Sarah Jones, sarah@x.co.uk, 07400 123456');
    expect(reply).toMatch(/first name Sarah, last name Jones, email sarah@x\.co\.uk and mobile 07400 123456/);
    expect(reply).toMatch(/What is Sarah Jones's role\?/);
    expect(await t.ask('Registered Manager')).toMatch(/1\. Mrs Sarah Jones — Registered Manager; .*sarah@x\.co\.uk; 07400 123456/);
  });

  it('an email and a mobile at the email question; a mobile already given to another member is asked for again', async () => {
    const t = transcript();
    await atFirstMember(t);
    await answerAll(t, OWNER);
    await answerAll(t, ['add another', 'no title', 'Sam', 'Lee']);
    const reply = await t.ask('sam@example.com 07400 123456');
    expect(reply).toMatch(/already has that mobile number/);
    expect(reply).toMatch(/What is Sam Lee's UK mobile number\?/);
  });
});

describe('misspellings', () => {
  it('"registr" at the menu starts the registration', async () => {
    const t = transcript();
    await t.say('hello');
    expect(await t.ask('registr')).toMatch(/What kind of organisation are you registering\?/);
  });

  it('"managr" as a role asks which manager', async () => {
    const t = transcript();
    await atFirstMember(t);
    await answerAll(t, ['Mrs', 'Jane', 'Smith', 'jane@example.co.uk', '07400 123456']);
    const reply = await t.ask('managr');
    expect(reply).toMatch(/could be Registered Manager or Deputy Manager/);
    expect(await t.ask('deputy')).toMatch(/1\. Mrs Jane Smith — Deputy Manager/);
  });

  it('"1 1002733039" (a space for the dash) is the CQC location ID', async () => {
    const t = transcript();
    await answerAll(t, [...DENTAL_CONTACT_ID, BIRCHFIELD.postcode, BIRCHFIELD.ods]);
    const reply = await t.ask('1 1002733039');
    expect(reply).not.toMatch(/missing the “1-”/);
    expect(reply).toMatch(/passcode/);
  });
});

describe('the town', () => {
  it('the town in our records, tapped (or typed), is taken without typing it again', async () => {
    const t = transcript();
    const town = await verifiedCare(t);
    expect(town).toMatch(/Our records give Leeds/);
    const tapped = await t.ask('Leeds');
    expect(tapped).toMatch(/Your shared mailbox address will be:\n`care\.leeds\.amazingcarehomescpods2@nhs\.net`/);
    expect(tapped).not.toMatch(/type the town again/);
    // Typed again anyway: said kindly, nothing changes.
    expect(await t.ask('leeds')).toMatch(/Leeds is already taken as your town[\s\S]*Your shared mailbox address will be/);
  });

  it('another town is still typed twice, to catch a slip', async () => {
    const t = transcript();
    await verifiedCare(t);
    expect(await t.ask('Headingley')).toMatch(/Please type the town again, to confirm it\./);
    expect(await t.ask('Headingley')).toMatch(/care\.headingley\.amazingcarehomescpods2@nhs\.net/);
  });
});
