import { transcript, type Transcript } from '../helpers/transcript';

/**
 * The owners' requests through the bot (botbuilder-testing), as a new user types: free text at the
 * menu, the code read from the outbox, the review, the reference, and "where is my request?".
 */
async function codeFor(t: Transcript, address: string) {
  const [mail] = (await t.assistant.adapters.outbox.latest(20)).filter((m) => m.recipient === address && m.tags?.kind === 'ownerVerificationCode');
  return /\b(\d{6})\b/.exec(mail?.body ?? '')?.[1] ?? '';
}

describe('owners’ requests as a user meets them', () => {
  it('"Tom has left" at the menu: verified by the emailed code, the consequences said, a reference, and its status', async () => {
    const t = transcript();
    await t.say('hi');
    expect(await t.ask('Tom has left')).toMatch(/Staff changes for your shared mailbox\.[\s\S]*What is your NHSmail address\? I will email a 6-digit code to it\./);
    expect(await t.ask('its sarah.hollis@nhs.net')).toMatch(/A 6-digit code has been emailed to sarah\.hollis@nhs\.net; it works until/);
    expect(await t.ask('why do you need that?')).toMatch(/The code proves that you can read the NHSmail address you gave/);
    const found = await t.ask(await codeFor(t, 'sarah.hollis@nhs.net'));
    expect(found).toMatch(/Thank you: that code is right, so you are sarah\.hollis@nhs\.net, a shared mailbox owner of Hollybank Care Home \(VHB01\)\. That holds in this chat for 8 hours\./);
    expect(found).toMatch(/I found Tom Okafor \(tom\.okafor@nhs\.net\) at Hollybank Care Home \(VHB01\)\. Is that the person who is leaving\?/);
    await t.say('yes');
    expect(await t.ask('hello')).toMatch(/Hello again\. Here is where we are:[\s\S]*last working day\?/);
    await t.say('last friday');
    const review = await t.ask('he is leaving care altogether');
    expect(review).toMatch(/last working day Friday 20 November 2026; leaving social care altogether/);
    expect(review).toMatch(/the account is deleted 30 days after it is marked a leaver/);
    expect(review).toMatch(/⚠ Warning: after this, only 1 person \(Sarah Hollis\) would have access to the shared mailbox/);
    const sent = await t.ask('confirm');
    const reference = /\*\*(LVR-[A-Z0-9]{8})\*\*/.exec(sent)?.[1];
    expect(reference).toBeDefined();
    expect(await t.ask('confirm')).toMatch(/Choose another request, or say "that is all"/);
    expect(await t.ask('what is the status of my request?')).toMatch(new RegExp(`We have your leaver request \\(${reference}\\)\\. Its status is received`));
    expect((await t.assistant.adapters.requests.forConversation((await t.assistant.adapters.requests.get(reference!))!.requester.conversationKey)).length).toBe(1);
    expect(await t.ask('that is all')).toMatch(/What would you like to do\?/);
  });

  it('"cancel" in the middle asks first, and nothing is sent', async () => {
    const t = transcript();
    await t.say('hello');
    await t.say('I need to report a leaver');
    await t.say('tom.okafor@nhs.net');
    expect(await t.ask(await codeFor(t, 'tom.okafor@nhs.net'))).toMatch(/Only a shared mailbox owner can ask for that/);
    await t.say('I am leaving');
    await t.say('today');
    await t.say('leaving the home only');
    expect(await t.ask('cancel')).toMatch(/Cancel this request\? You would lose the report of your own leaving you have started \(nothing has been sent to NAS\)/);
    expect(await t.ask('yes')).toMatch(/Cancelled\. Nothing was sent/);
    expect(await t.assistant.adapters.requests.list({ odsCode: 'VHB01' })).toMatchObject({ requests: [] });
  });

  it('a question shown again after an answer not understood does not repeat what was said on arriving there', async () => {
    const t = transcript();
    await t.say('hi');
    await t.say('Zed has left');
    await t.say('sarah.hollis@nhs.net');
    const arrived = await t.ask(await codeFor(t, 'sarah.hollis@nhs.net'));
    expect(arrived).toMatch(/that code is right/);
    expect(arrived).toMatch(/I could not find “Zed” among the accounts of Hollybank Care Home/);
    const again = await t.ask('???');
    expect(again).toMatch(/Sorry, I did not understand that\./);
    expect(again).toMatch(/Who has left Hollybank Care Home \(VHB01\), or is leaving\?/);
    expect(again).not.toMatch(/code is right|could not find/);
    expect(await t.ask('help')).not.toMatch(/code is right|could not find/);
  });

  it('at the stop for an account looked after locally, a number is not a request and "start again" has nothing to lose', async () => {
    const t = transcript();
    await t.say('hello');
    await t.say('I am leaving');
    await t.say('ruth.barnes@nhs.net');
    expect(await t.ask(await codeFor(t, 'ruth.barnes@nhs.net'))).toMatch(/Your account is looked after by .*, not by NAS/);
    const two = await t.ask('2');
    expect(two).toMatch(/Sorry, I did not understand that\. Say "menu" for anything else\./);
    expect(two).not.toMatch(/Only a shared mailbox owner can ask/);
    const restart = await t.ask('start again');
    expect(restart).not.toMatch(/You would lose/);
  });
});
