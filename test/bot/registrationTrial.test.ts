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

describe('Route B, where it switches', () => {
  it.each([
    ['your CQC contact ID', DENTAL_CONTACT_ID],
    ['a passcode by email', DENTAL_BY_EMAIL],
  ])('a practice that chose %s is told why, what happens, how long, and who to ask', async (chose, checks) => {
    const t = transcript();
    await answerAll(t, [...checks, BIRCHFIELD.postcode]);
    const next = await t.ask(BIRCHFIELD.ods);
    const switched = /CQC location ID\?/.test(next) ? next : await t.ask(BIRCHFIELD.location);
    expect(switched).toContain(`cannot verify with ${chose}`);
    expect(switched).toMatch(/We do not yet hold all of the practice's details/);
    expect(switched).toMatch(/posted to the practice's CQC-registered address: .*B16 9LA/);
    expect(switched).toMatch(/Letters take a few working days; the passcode is valid for 14 days/);
    expect(switched).toMatch(/come back to this chat \(your answers are kept\)/);
    expect(switched).toMatch(/confirm them/);
    expect(switched).toMatch(/dentistadmin@nhs\.net/);
    // Once the letter is on its way, a short reminder, not the whole explanation again.
    const waiting = /CQC location ID\?/.test(switched) ? await t.ask(BIRCHFIELD.location) : switched;
    expect(waiting).toMatch(/We have sent a one-time passcode by post/);
    expect(waiting).toMatch(/registers by Route B: the passcode comes by post/);
    expect(waiting).not.toMatch(/What happens:/);
  });
});

describe('"send it again" for a letter', () => {
  it('speaks of letters, not emails', async () => {
    const t = transcript();
    await answerAll(t, [...CHECKS_BY_POST, AMAZING.postcode, AMAZING.ods, AMAZING.location]);
    const again = await t.ask('send it again');
    expect(again).toMatch(/No new letter was sent: one was posted on 23 November 2026 at 09:00, and a letter can be sent once a day, so the next can go from 24 November 2026 at 09:00/);
    expect(again).not.toMatch(/[Ee]mails? can take|junk/);
    expect(await t.ask('help')).toMatch(/^The letter goes to your CQC-registered address and takes a few working days/);
  });
});

describe('after a submission', () => {
  it('"register another one" starts a new registration', async () => {
    const t = transcript();
    await twoMembers(t);
    await answerAll(t, ['done', 'confirm']);
    expect(await t.ask('register another one')).toMatch(/A new registration\.[\s\S]*What kind of organisation are you registering\?/);
  });

  it('a confirm tapped twice says briefly that it is submitted, with the reference, and nothing more', async () => {
    const t = transcript('msteams');
    await twoMembers(t);
    await t.say('done');
    const first = referenceIn(allText(await t.submit({ action: 'confirm' })))!;
    const twice = await t.submit({ action: 'confirm' });
    expect(twice).toHaveLength(1);
    expect(twice[0]!.text).toBe(`Your registration is already submitted (reference ${first}); nothing more is needed. To register another organisation, say "register another organisation".`);
    expect(buttons(twice[0])).toEqual(['Register another organisation', 'Menu']);
  });
});

describe('members', () => {
  it('the owner question says what an owner is, beside an admin and a member', async () => {
    const t = transcript();
    await atFirstMember(t);
    await answerAll(t, OWNER);
    const asked = await answerAll(t, SECOND.slice(0, 7));
    expect(asked).toMatch(/Should Sam Lee also be a shared mailbox owner\?/);
    expect(asked).toMatch(/An owner is responsible for the shared mailbox: they decide who can open it/);
    expect(asked).toMatch(/An admin .* can look after the mailbox's settings but not who has access/);
    expect(await t.ask("what's the difference?")).toMatch(/An owner decides who has access; an admin only looks after its settings/);
  });

  it('on a card, what the mobile is for is said on the first member\'s form only', async () => {
    const t = transcript('msteams');
    await verifiedCare(t);
    await t.say('Leeds');
    const first = JSON.stringify(cardOf((await t.say('continue')).at(-1)));
    expect(first).toMatch(/text their temporary password/);
    await t.submit({ action: 'saveMember', title: 'Mrs', firstName: 'Jane', lastName: 'Smith', email: 'jane@example.co.uk', mobile: '07400 123456', role: 'Registered Manager' });
    const second = JSON.stringify(cardOf((await t.submit({ action: 'addMember' })).at(-1)));
    expect(second).toMatch(/UK mobile number/);
    expect(second).not.toMatch(/text their temporary password/);
  });

  it('a card with admin ticked but not the shared mailbox names the boxes to tick', async () => {
    const t = transcript('msteams');
    await verifiedCare(t);
    await answerAll(t, ['Leeds', 'continue']);
    await t.submit({ action: 'saveMember', title: 'Mrs', firstName: 'Jane', lastName: 'Smith', email: 'jane@example.co.uk', mobile: '07400 123456', role: 'Registered Manager' });
    await t.submit({ action: 'addMember' });
    const refused = allText(
      await t.submit({ action: 'saveMember', title: 'none', firstName: 'Sam', lastName: 'Lee', email: 'sam@example.com', mobile: '07400 654321', role: 'Nurse', owner: 'false', sharedMailboxAccess: 'false', mailboxAdmin: 'true' }),
    );
    expect(refused).toMatch(/tick “Add to the shared mailbox” as well, or untick “Mailbox admin”/);
    expect(refused).not.toMatch(/answer yes to both/);
  });
});

describe('contact hours in brackets', () => {
  const nested = (text: string) => /\([^()]*\(/.test(text);
  it('are never brackets inside brackets', async () => {
    const said: string[] = [];
    const t = transcript();
    await answerAll(t, [...CHECKS_CONTACT_ID, AMAZING.postcode, AMAZING.ods]);
    said.push(await t.ask('none of these'), await t.ask(AMAZING.ods));
    for (let i = 0; i < 5; i++) said.push(await t.ask(AMAZING.location), await t.ask(`CON1-99999999${i}`));
    said.push(await t.ask('help'), await t.ask('speak to a person'), await t.ask('Jane has left'));
    const flagged = said.filter(nested);
    expect(flagged).toEqual([]);
    expect(said.join('\n')).toMatch(/9am to 5pm, Monday to Friday, not on bank holidays in England/);
  });
});

describe('a lock-out is not a dead end', () => {
  it('says what to check, when it unlocks, who to contact; "try again" before then says it is still locked, after it asks again', async () => {
    const t = transcript();
    await answerAll(t, [...CHECKS_CONTACT_ID, AMAZING.postcode, AMAZING.ods]);
    let locked = '';
    for (let i = 0; i < 5; i++) locked = (await t.ask(AMAZING.location), await t.ask(`CON1-99999999${i}`));
    expect(locked).toMatch(/locked until 24 November 2026 at 09:00/);
    expect(locked).toMatch(/Nothing you have entered is lost/);
    expect(locked).toMatch(/Check the CQC location ID/);
    expect(locked).toMatch(/come back to this chat and say "try again"/);
    expect(locked).toMatch(/careadmin@nhs\.net .*quoting the ODS code CPODS2/);
    const early = await t.say('try again');
    expect(early[0]!.text).toMatch(/^Verification is still locked, until 24 November 2026 at 09:00\. Please try again after that\./);
    expect(buttons(early.at(-1))).toEqual(['Try again', 'Menu']);
    t.clock.now += 24 * 60 * 60 * 1000 + 60_000;
    expect(await t.ask('try again')).toMatch(/What is your CQC location ID\?/);
    await t.say(AMAZING.location);
    expect(await t.ask(AMAZING.contactId)).toMatch(/Amazing Carehomes is verified/);
  });
});

describe('a registration already pending for the organisation', () => {
  it('made earlier in the same chat is called the user\'s own, not someone else\'s', async () => {
    const t = transcript('msteams');
    await twoMembers(t);
    const first = referenceIn(await answerAll(t, ['done', 'confirm and finish']))!;
    await t.say('register another organisation');
    await answerAll(t, [...CHECKS_CONTACT_ID.slice(1), AMAZING.postcode]);
    const stop = await t.ask(AMAZING.ods);
    expect(stop).toMatch(/You have already registered Amazing Carehomes in this chat \(reference REG-/);
    expect(stop).toContain(`status of ${first}`);
    expect(stop).not.toMatch(/[Ss]omeone else/);
    // From another chat it is still someone else's (and never says who).
    const other = transcript('webchat', t);
    await answerAll(other, [...CHECKS_CONTACT_ID, AMAZING.postcode]);
    const theirs = await other.ask(AMAZING.ods);
    expect(theirs).toMatch(/Someone else at your organisation may have made it/);
    expect(theirs).not.toMatch(/You have already registered/);
  });
});

describe('the organisation card', () => {
  it('has a "None of these" button, which says what to try and who helps', async () => {
    const t = transcript('webchat');
    await answerAll(t, CHECKS_CONTACT_ID);
    const card = cardOf((await t.say(AMAZING.postcode)).at(-1));
    const none = cardElements(card).find((e) => e.type === 'Action.Submit' && e.title === 'None of these');
    expect(none?.associatedInputs).toBe('none');
    const said = allText(await t.submit(none!.data));
    expect(said).toMatch(/If your organisation is not in the list, check the postcode/);
    expect(said).toMatch(/careadmin@nhs\.net/);
    // More than 5 organisations: the choice set has it too.
    await t.say('back');
    const many = cardOf((await t.say('TS18')).at(-1));
    expect(cardElements(many).filter((e) => e.type === 'Action.Submit').map((e) => e.title)).toEqual(['Choose', 'None of these']);
  });
});

describe('changing a detail at the review', () => {
  it('"change 2 email" changes it and comes back to the review; "change town" too', async () => {
    const t = transcript();
    await twoMembers(t);
    const review = await t.say('done');
    expect(buttons(review.at(-1))).toEqual(['Confirm and finish', 'Change a detail', 'Back']);
    expect(await t.ask('change a detail')).toMatch(/What would you like to change\? Say for example "change town"/);
    expect(await t.ask('change 2 email')).toMatch(/What is Sam Lee's business or personal email address\? Their NHSmail username will be sent there\. It is now: sam@example\.com/);
    const back = await t.ask('sam.lee@example.com');
    expect(back).toMatch(/Step 4 of 4 · Review and confirm\nSam Lee's details are changed\./);
    expect(back).toMatch(/2\. Sam Lee — Nurse; .*sam\.lee@example\.com/);
    expect(await t.ask('change town')).toMatch(/What is its postcode town/);
    await t.say('Headingley');
    expect(await t.ask('Headingley')).toMatch(/Say "continue" to go back to the review/);
    const changed = await t.ask('continue');
    expect(changed).toMatch(/Step 4 of 4 · Review and confirm[\s\S]*• Town: Headingley\n• Shared mailbox: `care\.headingley\.amazingcarehomescpods2@nhs\.net`/);
    expect(referenceIn(await t.ask('confirm and finish'))).toBeDefined();
  });

  it('on a card, each member and the town has its Change button', async () => {
    const t = transcript('msteams');
    await twoMembers(t);
    const card = cardOf((await t.say('done')).at(-1));
    const changes = cardElements(card).filter((e) => e.type === 'Action.Submit' && /^Change/.test(e.title));
    expect(changes.map((e) => e.title)).toEqual(['Change the town', 'Change Jane Smith', 'Change Sam Lee']);
    const form = cardOf((await t.submit(changes[2]!.data)).at(-1));
    expect(JSON.stringify(form)).toMatch(/sam@example\.com/);
    const saved = await t.submit({ action: 'saveMember', title: 'none', firstName: 'Sam', lastName: 'Lee', email: 'sam@example.com', mobile: '07400 654329', role: 'Nurse', owner: 'false', sharedMailboxAccess: 'true', mailboxAdmin: 'false' });
    expect(allText(saved)).toMatch(/Review and confirm/);
    expect(allText(saved)).toMatch(/07400 654329/);
  });
});

describe('a returning user is told where they are', () => {
  const HOUR = 60 * 60 * 1000;

  it('"hello" after a long absence names the organisation, what is done (the town, the people) and what is left', async () => {
    const t = transcript();
    await atFirstMember(t);
    await answerAll(t, OWNER);
    t.clock.now += 3 * 24 * HOUR;
    const back = await t.ask('hello');
    expect(back).toMatch(/^Welcome back\. You are registering Amazing Carehomes \(ODS code CPODS2\) for NHSmail\. Here is where you are:/);
    expect(back).toMatch(/Done: .*verification; town \(Leeds\); 1 person added \(Jane Smith\)\./);
    expect(back).toMatch(/Still to do: the members; review and confirm\./);
  });

  it('waiting for a letter, what is left says where the passcode went and when', async () => {
    const t = transcript();
    await answerAll(t, [...CHECKS_BY_POST, AMAZING.postcode, AMAZING.ods, AMAZING.location]);
    t.clock.now += 4 * 24 * HOUR;
    expect(await t.ask('hi')).toMatch(/Still to do: verification: the passcode sent by post on 23 November 2026 \(type it when you have it\); town and members; review and confirm\./);
  });

  it('the web page opened again after a while away is told where it stands; soon after, not again', async () => {
    const t = transcript('webchat');
    await atFirstMember(t);
    const sent: string[] = [];
    const showIfAway = () =>
      t.assistant.engine.deliverNotification({ channelId: t.channelId, conversationId: t.conversationId }, { showPosition: 'ifAway' }, async (replies) => {
        sent.push(...replies.map((r) => r.text));
      });
    await showIfAway();
    expect(sent).toEqual([]);
    t.clock.now += 2 * HOUR;
    await showIfAway();
    expect(sent.join('\n')).toMatch(/^Welcome back\. You are registering Amazing Carehomes \(ODS code CPODS2\)[\s\S]*What is their title\?/);
  });
});
