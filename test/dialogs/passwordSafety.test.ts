import fc from 'fast-check';
import { findPasswords, looksLikePassword, PASSWORD_PLACEHOLDER, scrubPassword } from '../../dialogs/passwordSafety';
import { characterKinds, meetsPasswordRules, passwordRulesBroken, PASSWORD_RULES } from '../../machines/passwordHelp/rules';
import { ACCOUNT_FIXTURES } from '../../scripts/accountFixtures';
import { FIXTURES } from '../../scripts/generateDirectory';
import { CARE_ROLES, DENTAL_ROLES } from '../../dialogs/validators';

describe('the NHSmail password rules (machines/passwordHelp/rules.ts)', () => {
  it.each([
    ['Summer2024', []],
    ['summer2024!', []],
    ['SUMMER2024!', []],
    ['Summer!!', []],
    ['Summer1', ['tooShort']],
    ['summer2024', ['tooFewKinds']],
    ['SUMMERTIME', ['tooFewKinds']],
    ['Summer 2024', ['spaceOrComma']],
    ['Summer,2024', ['spaceOrComma']],
    ['abc', ['tooShort', 'tooFewKinds']],
    ['Ünïcode99', []],
  ] as const)('%j breaks %j', (candidate, broken) => {
    expect(passwordRulesBroken(candidate)).toEqual(broken);
    expect(meetsPasswordRules(candidate)).toBe(broken.length === 0);
  });

  it('refuses a password containing the username, in any case', () => {
    expect(passwordRulesBroken('Amy.Pearce2024', 'amy.pearce@nhs.net')).toEqual(['containsUsername']);
    expect(passwordRulesBroken('Summer2024!', 'amy.pearce@nhs.net')).toEqual([]);
  });

  it('counts the four kinds of character', () => {
    expect([...characterKinds('aB3£')].sort()).toEqual(['digit', 'lower', 'symbol', 'upper']);
    expect([...characterKinds('😀😀😀')]).toEqual([]);
    expect(PASSWORD_RULES).toMatchObject({ minLength: 8, characterKindsNeeded: 3, characterKinds: 4 });
  });
});

describe('looksLikePassword: messages that hold a password', () => {
  it.each([
    // stated
    ['my password is Summer2024!', 'my password is [password]'],
    ['My password is sunshine', 'My password is [password]'],
    ['MY PASSWORD IS BLUEBELL', 'MY PASSWORD IS [password]'],
    ['pw: hunter2', 'pw: [password]'],
    ['pwd=letmein', 'pwd=[password]'],
    // a word that meets the rules is taken whole, cue and all
    ['password=Tr0ub4dor&3', '[password]'],
    ['password:Welcome1', '[password]'],
    ['password: Welcome1', 'password: [password]'],
    ['Password - Kitten99', 'Password - [password]'],
    ['pass: Rover2020', 'pass: [password]'],
    ["my password's Dragon77", "my password's [password]"],
    ['my password’s dragon', 'my password’s [password]'],
    ['temporary password: Ab12Cd34', 'temporary password: [password]'],
    ['The password I used is mittens', 'The password I used is [password]'],
    ['the password was "tiger"', 'the password was [password]'],
    ['password: 1234', 'password: [password]'],
    ['Summer24 is my password', '[password] is my password'],
    ['I tried bluebell as my password', 'I tried [password] as my password'],
    ['rover was my old password', '[password] was my old password'],
    ['my old password was Monday123 and the new one is Tuesday456', 'my old password was [password] and the new one is [password]'],
    // meets the rules
    ['Summer2024!', '[password]'],
    ['Passw0rd!', '[password]'],
    ['p@ssW0rd', '[password]'],
    ['Welcome1', '[password]'],
    ['Jan2025!!', '[password]'],
    ['it was Liverpool#1 last time', 'it was [password] last time'],
    ['I think it is Summer2024! but it will not take it', 'I think it is [password] but it will not take it'],
    ['“Summer2024!”', '[password]'],
    ['(Summer2024)', '[password]'],
    ['P4ssword,please reset it', '[password],please reset it'],
    ['the one I was given is Xy7kq2Lp', 'the one I was given is [password]'],
    ['Hn4kPq7R', '[password]'],
    ['hello my name is Amy and its Bluebell99', 'hello my name is Amy and its [password]'],
    ['PaSSword!', '[password]'],
    ['correct-Horse-battery-7', '[password]'],
    ['summer_2024', '[password]'],
  ])('%j', (text, scrubbed) => {
    expect(looksLikePassword(text)).toBe(true);
    expect(scrubPassword(text)).toBe(scrubbed);
  });

  it('says which sign it saw, and where', () => {
    expect(findPasswords('my password is Summer2024!')).toEqual([{ start: 15, end: 26, reason: 'stated' }]);
    expect(findPasswords('hi Summer2024!')).toEqual([{ start: 3, end: 14, reason: 'meetsPasswordRules' }]);
  });

  it('leaves nothing of the password in the scrubbed text', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[A-Z][a-z]{4,8}[0-9]{2,4}[!£$%^&*]$/),
        fc.constantFrom('', 'my password is ', 'hi, ', 'I think it was ', 'pw: '),
        fc.constantFrom('', ' thanks', ', can you reset it?', '!!'),
        (password, before, after) => {
          const text = `${before}${password}${after}`;
          expect(looksLikePassword(text)).toBe(true);
          expect(scrubPassword(text)).not.toContain(password.slice(0, -1));
          expect(scrubPassword(text)).toContain(PASSWORD_PLACEHOLDER);
        },
      ),
      { numRuns: 400, seed: 8 },
    );
  });
});

describe('looksLikePassword: ordinary answers and messages are left alone', () => {
  it.each([
    // about passwords, without one
    'my password is not working',
    'My password has expired',
    'my password is locked',
    'my password is wrong apparently',
    'my password is expired!',
    'password reset please',
    'I forgot my password',
    "I can't remember my password!!!",
    'what are the password rules?',
    'my password is 90 days old',
    'the password must be 8 characters',
    'my password is case sensitive right?',
    'password is expiring tomorrow',
    'my password was reset yesterday',
    'the password is what exactly?',
    'my passcode is 7KD9QX2P',
    'passcode: 7KD9-QX2P',
    'I never got my temporary password',
    'my temporary password never arrived',
    'password?',
    // registration answers
    'LS6 1BN', 'ls61bn', 'SW1A 1AA', 'TS18 2BG',
    'VHB01', 'vhb01', 'CPODS2', 'V04821',
    '1-1002733005', 'CON1-123456789', 'con1-123456789', 'Con1-123456789', '1-1002733005X', 'CON1-12345678O', '1-10027330a5',
    '7KD9QX2P', '7kd9qx2p', '7KD9-QX2P', '7kd9 qx2p', 'Kd9qx2p7', 'KD9QX2P7',
    'Jane.Smith1@nhs.net', 'manager@amazingcarehomes.co.uk', "O'Brien-Smith@Care-Home.co.uk", 'mailto:Jane.Smith@example.co.uk',
    '07400 123456', '+44 (0)7400 123456', '+447400123456', '0044-7400-123456',
    'Anne-Marie', "O'Brien-Smith", 'Jean-Luc Picard', "McDonald's", "D'Souza-Fernandes", 'Zoë Café-Smith', 'MacLeod-Jones', 'Mary-Kate',
    'Stockton-on-Tees', 'Weston-super-Mare', 'Barrow-in-Furness', 'Newcastle upon Tyne', 'Stoke-on-Trent', "King's Lynn",
    'Administration & Clerical', 'Senior Care Worker', 'Dental Hygienist',
    // references and codes
    'REG-7KD9QX2P', 'reg-7kd9qx2p', 'PWD-ABCD2345.', 'my reference is LVR-7KD9QX2P', 'INC-0012345', 'the code is 482913', '123456',
    // ordinary writing
    "Couldn't log in!!", 'Hello!!!', 'Thanks!!!!', 'ok.Thanks', 'Yes.Please', "Wouldn't", "Shouldn't've", 'Hi,there',
    '9am-5pm', '10am-12pm', '9.30am', '1st-3rd', '21st/22nd', 'Mon-Fri', '£25.50', '24/7', '6-digit', '0333 200 1133',
    'Covid-19', 'COVID-19', 'Windows10', 'iPhone15', 'Office365', 'e-mail', 'Wi-Fi', 'T-Mobile',
    'https://portal.nhs.net/Help', 'www.nhs.net', 'Step 3 of 4 · Members (3 of 10)', '**[LS6](http://evil.example)**', '[Help](https://portal.nhs.net/Help)',
    'hi I need help with my account', 'Jane has left and Tom is a new starter', 'yes', 'No thanks', 'menu', 'start again',
    "I can't get into NHSmail.", 'help with NHSmail!', 'the (NHSmail) portal', 'NHSnet?', 'ICBs.',
    // a shared mailbox owner's vouching code, and numbers joined to words
    'vouch 7KD9-QX2P-M4TN', '7kd9-qx2p-m4tn', 'reference **PWD-7KD9QX2P**.', '_REG-7KD9QX2P_',
    '**[LS6](http://evil.example)**', '(see https://portal.nhs.net/Help)', 'the 12-character code', 'a 24-hour lock', '90-day rule',
  ])('%j', (text) => {
    expect(findPasswords(text)).toEqual([]);
    expect(scrubPassword(text)).toBe(text);
  });

  it('leaves alone every fixture name, address, mobile, ODS code and CQC ID, and every role', () => {
    const answers = [
      ...ACCOUNT_FIXTURES.flatMap((a) => [a.address, a.firstName, a.lastName, `${a.firstName} ${a.lastName}`, a.mobile ?? '']),
      ...FIXTURES.flatMap((o) => [o.name, o.odsCode, o.cqcLocationId, o.cqcContactId, o.registeredManagerEmail, o.address.postcode, o.address.town, ...o.address.lines]),
      ...CARE_ROLES,
      ...DENTAL_ROLES,
    ].filter(Boolean);
    expect(answers.filter((a) => looksLikePassword(a))).toEqual([]);
  });

  it('leaves alone every registration passcode, typed as people type them', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-HJ-NP-Z2-9]{8}$/), (code) => {
        const phoneTyped = code.charAt(0) + code.slice(1).toLowerCase();
        for (const typed of [code, code.toLowerCase(), `${code.slice(0, 4)}-${code.slice(4)}`, `${code.slice(0, 4)} ${code.slice(4).toLowerCase()}`]) {
          expect(looksLikePassword(typed)).toBe(false);
        }
        // Capitalised by a phone: left alone unless it reads as a word and then a number ("Summer22")…
        if (!/^[A-Z]+[2-9]+$/.test(code)) expect(looksLikePassword(phoneTyped)).toBe(false);
        // …and always while a passcode is awaited, whatever the case.
        for (const typed of [phoneTyped, code.slice(0, 4) + code.slice(4).toLowerCase()]) {
          expect(looksLikePassword(typed, { expecting: 'passcode' })).toBe(false);
        }
        expect(looksLikePassword(`REG-${code}`)).toBe(false);
      }),
      { numRuns: 300, seed: 2 },
    );
  });

  it('takes a word and then a number in passcode letters for a password, unless a passcode is awaited', () => {
    expect(scrubPassword('Summer22')).toBe('[password]');
    expect(scrubPassword('Summer22!')).toBe('[password]');
    expect(looksLikePassword('Summer22', { expecting: 'passcode' })).toBe(false);
    // A password that is no passcode is dropped even then.
    expect(looksLikePassword('Summer2024!', { expecting: 'passcode' })).toBe(true);
    expect(looksLikePassword('my password is rover', { expecting: 'passcode' })).toBe(true);
  });
});
