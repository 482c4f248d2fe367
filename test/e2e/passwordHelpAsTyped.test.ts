import { FLOWS } from '../../bot/flows';
import { transcript } from '../helpers/transcript';

/**
 * Password help asked for again once it has finished (a request raised, or the help ended): from
 * the menu, by its entry or in the user's own words, it starts afresh where the words say, never
 * back at the finished step.
 */
async function finishedReset() {
  const t = transcript();
  await t.ask('hello');
  await t.ask('i forgot my pasword');
  await t.ask("I can't answer my security questions");
  await t.ask('amy.pearce@nhs.net');
  await t.ask('yes');
  const sms = (await t.assistant.adapters.outbox.latest(5)).find((m) => m.channel === 'sms' && m.recipient === '+447400000033');
  const code = /\b(\d{6})\b/.exec(sms?.body ?? '')![1]!;
  expect(await t.ask(`${code.slice(0, 3)} ${code.slice(3)}`)).toMatch(/That code is right\. Your password reset request is with the National Administration Service: reference \*\*PWD-/);
  return t;
}

describe('password help after it has finished', () => {
  it('the menu offers it afresh, not "Carry on"', async () => {
    const t = await finishedReset();
    const [menu] = await t.say('menu');
    // Its own entry first (not "Carry on: …"), then the other flows in the menu's order.
    const others = FLOWS.filter((f) => f.id !== 'passwordHelp').map((f) => f.dialog.menuLabel);
    expect(menu!.suggestedActions?.actions.map((a) => a.title)).toEqual(['Password and account help', ...others]);
    const again = await t.ask('Password and account help');
    expect(again).toMatch(/^A new password help request\. Password and account help\. I never need your password/);
    expect(again).toContain('What is happening with your NHSmail account?');
  });

  it('"locked out!!" at the menu starts the locked-out help, not the finished request again', async () => {
    const t = await finishedReset();
    await t.ask('menu');
    const locked = await t.ask('locked out!!');
    expect(locked).not.toMatch(/Carrying on where you left off|That code is right/);
    expect(locked).toMatch(/Which NHSmail address is locked\?/);
  });

  it('a flow not yet finished is still carried on from the menu', async () => {
    const t = transcript();
    await t.ask('hello');
    await t.ask('i forgot my password');
    await t.ask("I can't answer my security questions");
    const [menu] = await t.say('menu');
    expect(menu!.suggestedActions?.actions.map((a) => a.title)).toContain('Carry on: Password and account help');
    expect(await t.ask('i forgot my password')).toMatch(/Carrying on where you left off\.[\s\S]*Which NHSmail address is it for\?/);
  });
});

describe('"my account is locked" cannot be used to find out who has an account', () => {
  const lockedAdvice = async (address: string) => {
    const t = transcript();
    await t.ask('hello');
    await t.ask('my account is locked');
    return t.ask(address);
  };
  // What is left of the advice once the NAS team's address is taken out.
  const shape = (text: string) => text.replace(/(careadmin|dentistadmin)@nhs\.net/g, 'TEAM@nhs.net');

  it('an address that is not an account gets the advice of an account NAS made, word for word', async () => {
    const known = await lockedAdvice('amy.pearce@nhs.net');
    expect(known).toMatch(/^That account was made through NHSmail's registration \(or a bulk upload\), so the National Administration Service unlocks it, at careadmin@nhs\.net\./);
    for (const address of ['no.such.person@nhs.net', 'nobody.here@nhs.net', 'x.y.z@nhs.net']) {
      expect(shape(await lockedAdvice(address))).toBe(shape(known));
    }
  });
});

describe('waiting for a shared mailbox owner, and the owner answering, as people type', () => {
  async function waitingJoseph() {
    const joseph = transcript();
    await joseph.ask('hello');
    await joseph.ask('i forgot my password');
    await joseph.ask("I can't answer my security questions");
    await joseph.ask('joseph.achebe@nhs.net');
    await joseph.ask('no mobile on it i think');
    expect(await joseph.ask('+44 7400 123 456')).toMatch(/I have asked your organisation's shared mailbox owners to confirm it is you and that 07400 123456 is your mobile/);
    const email = (await joseph.assistant.adapters.outbox.latest(10)).find((m) => m.channel === 'email' && m.recipient === 'priya.raman@nhs.net');
    const code = /vouch ([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})/.exec(email?.body ?? '')![1]!;
    return { joseph, code };
  }

  it('the requester: "still locked out!!" asks for news; a question about something else is answered', async () => {
    const { joseph } = await waitingJoseph();
    expect(await joseph.ask('still locked out!!')).toMatch(/^No answer from a shared mailbox owner yet\./);
    expect(await joseph.ask('never got my temporary password')).toMatch(/^No answer from a shared mailbox owner yet\./);
    // Answered (from the guides), and the wait is said again after it.
    expect(await joseph.ask('what are the pasword rules')).toMatch(/at least 8 characters[\s\S]*No answer from a shared mailbox owner yet\./);
  });

  it('the owner, in the middle of other password help, types the code from the email in a sentence, in small letters with spaces', async () => {
    const { joseph, code } = await waitingJoseph();
    const priya = transcript('test', joseph);
    await priya.ask('hello');
    await priya.ask('my account is locked');
    const typed = code.toLowerCase().replace(/-/g, ' ');
    const asked = await priya.ask(`hi i got an email to vouch for joseph, code ${typed}`);
    expect(asked).toMatch(/Do you vouch that it is really Joseph Achebe/);
    expect(await priya.ask('yes')).toMatch(/The password reset request \*\*PWD-[A-Z0-9]{8}\*\* is now verified and with NAS, and Joseph Achebe has been told/);
  });
});

describe('"any news?" once the owner has answered', () => {
  it('shows the outcome as it stands, without "not understood"', async () => {
    const joseph = transcript();
    await joseph.ask('hello');
    await joseph.ask('i forgot my password');
    await joseph.ask("I can't answer my security questions");
    await joseph.ask('joseph.achebe@nhs.net');
    await joseph.ask("No, I don't have that phone");
    await joseph.ask('07400 123456');
    const email = (await joseph.assistant.adapters.outbox.latest(10)).find((m) => m.channel === 'email' && m.recipient === 'gareth.lloyd@nhs.net');
    const code = /vouch ([A-Z0-9-]{14})/.exec(email?.body ?? '')![1]!;
    const gareth = transcript('test', joseph);
    await gareth.ask(`vouch ${code}`);
    await gareth.ask('yes');
    // The answer moved Joseph's conversation on (told in his chat); he presses "Any news?" anyway, twice.
    for (const asked of ['Any news?', 'any news??']) {
      const said = await joseph.ask(asked);
      expect(said).not.toMatch(/Sorry, I did not understand/);
      expect(said).toMatch(/^That is the latest I have:\s+Your shared mailbox owner has vouched for you/);
    }
  });
});

describe('saying what is wrong, not asking', () => {
  it.each(['cant answer my security questions', "can't answer my security questions", 'i cant answer my security questions', 'dont know the answers to my security questions'])(
    'at the self-service step, %j raises a reset request (not an answer from the guides)',
    async (text) => {
      const t = transcript();
      await t.ask('hello');
      await t.ask('i forgot my pasword');
      const said = await t.ask(text);
      expect(said).toMatch(/Which NHSmail address is it for\?/);
      expect(said).not.toMatch(/Was this helpful/);
    },
  );

  it.each(['cant answer my security questions', 'dont have a mobile', 'wont let me log in', "doesn't work"])('%j is not a plain question', async (text) => {
    const { isClearQuestion } = await import('../../dialogs/questions/read');
    expect(isClearQuestion(text)).toBe(false);
    expect(isClearQuestion(`${text}?`)).toBe(true);
  });
});
