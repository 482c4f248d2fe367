import { buttons, transcript } from '../helpers/transcript';

const START = 'Register my organisation for NHSmail';
const PASSWORD_HELP = 'Password and account help';
const OWNERS = 'Leavers, new starters and owners';

describe('transcripts: the questionnaire as a user meets it', () => {
  it('greets, offers the menu, and takes a care provider with a CQC contact ID to the summary', async () => {
    const t = transcript();
    const hello = await t.say('hello');
    expect(hello[0]!.text).toMatch(/NHSmail care assistant/);
    expect(buttons(hello.at(-1))).toEqual([START, PASSWORD_HELP, OWNERS]);

    expect(await t.ask('1')).toMatch(/check 1 of 6[\s\S]*What kind of organisation/);
    expect(await t.ask('care home')).toMatch(/check 2 of 6[\s\S]*NHSmail account of your own/);
    expect(await t.ask('nope')).toMatch(/check 3 of 6[\s\S]*Data Security and Protection Toolkit/);
    expect(await t.ask('Y')).toMatch(/check 4 of 6[\s\S]*21 days/);
    expect(await t.ask('no')).toMatch(/check 5 of 6[\s\S]*CQC contact ID/);
    const summary = await t.say('yes!');
    expect(summary.at(-1)!.text).toMatch(/all checks done/);
    expect(summary.at(-1)!.text).toMatch(/verify with your CQC contact ID/);
    expect(summary.at(-1)!.text).toMatch(/DSPT published: yes/);
  });

  it('a dental practice that wants its passcode by email is told where it goes and for how long it lasts', async () => {
    const t = transcript();
    await t.say('register');
    await t.say('dental practice');
    await t.say('no');
    expect(await t.ask('yes')).toMatch(/check 4 of 6[\s\S]*Dental passcodes last 14 days/);
    await t.say('no');
    expect(await t.ask('no')).toMatch(/check 6 of 6[\s\S]*by email[\s\S]*by post/);
    const summary = await t.ask('Email');
    expect(summary).toMatch(/IG Toolkit or DSPT submitted: yes/);
    expect(summary).toMatch(/email a one-time passcode to the registered manager's email address[\s\S]*valid for 14 days/);
  });

  it('a care provider with a passcode in hand verifies with it', async () => {
    const t = transcript();
    for (const answer of ['register', 'care', 'no', 'yes', 'yes']) await t.say(answer);
    const summary = await t.ask('no');
    expect(summary).toMatch(/verify with the one-time passcode you have received \(it is valid for 21 days/);
    expect(summary).not.toMatch(/Passcode to be sent by/);
  });

  it('asks for a post passcode and says it can be continued when the letter comes', async () => {
    const t = transcript();
    for (const answer of ['register', 'care', 'no', 'yes', 'no', 'no']) await t.say(answer);
    expect(await t.ask('by post')).toMatch(/post a one-time passcode to your CQC-registered address[\s\S]*come back to this chat/);
  });

  describe('every stop is explained', () => {
    it('a hospice is sent to the third-party process', async () => {
      const t = transcript();
      await t.say('register');
      const stop = await t.say('3');
      expect(stop.at(-1)!.text).toMatch(/Hospices cannot join[\s\S]*third-party joining process[\s\S]*0333 200 1133/);
      expect(buttons(stop.at(-1))).toEqual(['Back', 'Start again', 'Menu']);
    });

    it('someone with an NHSmail account is told not to make a duplicate, and who links them later', async () => {
      const t = transcript();
      await t.say('register');
      await t.say('dental');
      const stop = await t.ask('yes');
      expect(stop).toMatch(/duplicate[\s\S]*shared mailbox owner can give your existing account access[\s\S]*dentistadmin@nhs\.net/);
    });

    it('a care provider without a published DSPT is told what to do and who helps', async () => {
      const t = transcript();
      for (const answer of ['register', 'care', 'no']) await t.say(answer);
      expect(await t.ask('no')).toMatch(/Approaching Standards[\s\S]*exeter\.helpdesk@nhs\.net[\s\S]*careadmin@nhs\.net/);
    });

    it('a dental practice without a toolkit return is told about the IG Toolkit and DSPT', async () => {
      const t = transcript();
      for (const answer of ['register', 'dental', 'no']) await t.say(answer);
      expect(await t.ask('n')).toMatch(/IG Toolkit return \(version 14\.1, level 2\) or a DSPT[\s\S]*dentistadmin@nhs\.net/);
    });
  });

  describe('anywhere in the conversation', () => {
    it('an answer that is not understood is re-asked with a hint and never advances', async () => {
      const t = transcript();
      await t.say('register');
      await t.say('care');
      const reply = await t.ask('perhaps');
      expect(reply).toMatch(/did not understand[\s\S]*answer yes or no[\s\S]*check 2 of 6/);
      expect(await t.ask('12')).toMatch(/check 2 of 6/);
      expect(await t.ask('no')).toMatch(/check 3 of 6/);
    });

    it('"back" returns to the previous question and shows the old answer', async () => {
      const t = transcript();
      for (const answer of ['register', 'dental', 'no']) await t.say(answer);
      expect(await t.ask('back')).toMatch(/Last time you answered: no\.[\s\S]*check 2 of 6/);
      expect(await t.ask('Go back')).toMatch(/Last time you answered: Dental practice\.[\s\S]*check 1 of 6/);
      expect(await t.ask('back')).toMatch(/first question[\s\S]*check 1 of 6/);
      // Changing the answer changes what follows.
      await t.say('care');
      await t.say('no');
      expect(await t.ask('no')).toMatch(/careadmin@nhs\.net/);
    });

    it('"help" explains the current question without moving on', async () => {
      const t = transcript();
      for (const answer of ['register', 'care', 'no', 'yes', 'no']) await t.say(answer);
      expect(await t.ask('help')).toMatch(/registered manager's ID[\s\S]*CON1-123456789[\s\S]*check 5 of 6/);
    });

    it('"menu" keeps the progress and "carry on" resumes at the same question', async () => {
      const t = transcript();
      for (const answer of ['register', 'care']) await t.say(answer);
      const menu = await t.say('menu');
      expect(buttons(menu.at(-1))).toEqual([`Carry on: ${START}`, PASSWORD_HELP, OWNERS]);
      expect(await t.ask('carry on')).toMatch(/Carrying on[\s\S]*check 2 of 6/);
    });

    it('"start again" goes back to the first question with nothing kept', async () => {
      const t = transcript();
      for (const answer of ['register', 'care', 'no']) await t.say(answer);
      expect(await t.ask('start again')).toMatch(/Starting again[\s\S]*check 1 of 6/);
      expect(await t.ask('back')).toMatch(/first question/);
    });

    it('"cancel" leaves the registration and shows the menu', async () => {
      const t = transcript();
      for (const answer of ['register', 'care']) await t.say(answer);
      const reply = await t.say('cancel');
      expect(reply[0]!.text).toMatch(/Cancelled\. Nothing was sent/);
      expect(buttons(reply.at(-1))).toEqual([START, PASSWORD_HELP, OWNERS]);
      expect(await t.ask('register')).toMatch(/check 1 of 6/);
    });

    it('commands at the menu are harmless', async () => {
      const t = transcript();
      await t.say('hi');
      for (const command of ['back', 'cancel', 'start again', 'menu']) {
        const reply = await t.say(command);
        expect(buttons(reply.at(-1))).toEqual([START, PASSWORD_HELP, OWNERS]);
      }
      expect(await t.ask('what is the weather')).toMatch(/did not understand[\s\S]*menu/);
      expect(await t.ask('help')).toMatch(/helpdesk@nhs\.net/);
    });
  });

  it('a user who comes back hours later is told what is done and what is left', async () => {
    const t = transcript();
    for (const answer of ['register', 'care', 'no']) await t.say(answer);
    t.clock.now += 3 * 60 * 60 * 1000;
    const reply = await t.ask('yes');
    expect(reply).toMatch(/Welcome back[\s\S]*Done: kind of organisation: Care provider; existing NHSmail account: no[\s\S]*Still to do:/);
    expect(reply).toMatch(/check 4 of 6/);
  });
});
