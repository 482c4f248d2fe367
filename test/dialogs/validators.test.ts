import {
  CARE_ROLES,
  CareMemberSchema,
  cqcContactId,
  cqcLocationId,
  CqcLocationIdSchema,
  DENTAL_ROLES,
  DentalMemberSchema,
  email,
  fromValidator,
  mailboxTown,
  MemberSchema,
  odsCode,
  oneTimePasscode,
  oneTimePasscodeIn,
  OneTimePasscodeSchema,
  personName,
  postcode,
  PostcodeSchema,
  type Result,
  role,
  roleSchema,
  title,
  TITLE_CHOICES,
  TitleSchema,
  townAbbreviation,
  townName,
  ukMobile,
  UkMobileSchema,
} from '../../dialogs/validators';
import { PASSCODE_ALPHABET as OTP_ALPHABET, PASSCODE_LENGTH as OTP_LENGTH } from '../../machines/registration/rules';
import * as adapterPasscodes from '../../adapters/oneTimePasscodes';

function value<T>(result: Result<T>): T {
  if (!result.ok) throw new Error(`expected a value, got the error: ${result.error}`);
  return result.value;
}

function error<T>(result: Result<T>): string {
  if (result.ok) throw new Error(`expected an error, got the value: ${JSON.stringify(result.value)}`);
  return result.error;
}

/** Every error is one sentence: a capital (or the text as typed) at the start, a full stop at the end. */
function expectSentence(message: string): void {
  expect(message).toMatch(/[.]$/);
  expect(message).not.toMatch(/undefined|null|\[object/);
}

// ---------------------------------------------------------------------------------------------

describe('postcode: a full UK postcode or just its outward code', () => {
  it.each([
    ['LL9', 'outward', 'LL9', 'LL9'],
    ['SW19', 'outward', 'SW19', 'SW19'],
    ['sw1a', 'outward', 'SW1A', 'SW1A'],
    ['W1', 'outward', 'W1', 'W1'],
    [' ll11 ', 'outward', 'LL11', 'LL11'],
    ['EC1A 1BB', 'full', 'EC1A 1BB', 'EC1A'],
    ['ll111aa', 'full', 'LL11 1AA', 'LL11'],
    ['  ec1a   1bb ', 'full', 'EC1A 1BB', 'EC1A'],
    // The postcode inside what people type.
    ['LS6 1BN please', 'full', 'LS6 1BN', 'LS6'],
    ["it's ls6 1bn", 'full', 'LS6 1BN', 'LS6'],
    ['Our postcode is LS6 1BN.', 'full', 'LS6 1BN', 'LS6'],
    ['we are at LS6 1BN in Leeds', 'full', 'LS6 1BN', 'LS6'],
    ['LS6 thanks', 'outward', 'LS6', 'LS6'],
    ['m1 1ae', 'full', 'M1 1AE', 'M1'],
    ['B338TH', 'full', 'B33 8TH', 'B33'],
    ['CR2 6XH', 'full', 'CR2 6XH', 'CR2'],
    ['DN55 1PT', 'full', 'DN55 1PT', 'DN55'],
    ['GY1 1AA', 'full', 'GY1 1AA', 'GY1'],
    ['JE2 3AB', 'full', 'JE2 3AB', 'JE2'],
    ['IM1 1AA', 'full', 'IM1 1AA', 'IM1'],
    ['GIR 0AA', 'full', 'GIR 0AA', 'GIR'],
  ])('%j is %s: %j (outward %j)', (text, kind, normalised, outward) => {
    expect(value(postcode(text))).toEqual({ kind, postcode: normalised, outward });
  });

  it.each([
    ['', /postcode is missing/],
    ['   ', /postcode is missing/],
    ['12345', /12345 is not a UK postcode/],
    ['LLL9 9AA', /LLL9 9AA is not a UK postcode/],
    ['LLL9', /LLL9 is not a UK postcode/],
    ['QA1 1AA', /is not a UK postcode/],
    ['LL11 1CA', /is not a UK postcode/],
    ['SW1A 1AAA', /SW1A 1AAA is too long for a UK postcode/],
    ['LL11 1AA LL11 1AA', /too long for a UK postcode/],
    ['SW1A-1AA', /not a UK postcode: postcodes have only letters and digits/],
    ['LL1!1', /only letters and digits/],
    ['A', /A is not a UK postcode/],
    ['1AA', /1AA is not a UK postcode/],
  ])('%j is refused: %s', (text, message) => {
    const e = error(postcode(text));
    expect(e).toMatch(message);
    expect(e).toMatch(/postcode/);
    expectSentence(e);
  });
});

describe('ODS code: 3 to 6 letters and digits, stored upper case', () => {
  it.each([
    ['VX1AB', 'VX1AB'],
    [' vx1ab ', 'VX1AB'],
    ['v12345', 'V12345'],
    ['RX1', 'RX1'],
    ['abc', 'ABC'],
  ])('%j → %j', (text, code) => expect(value(odsCode(text))).toBe(code));

  it.each([
    ['', /ODS code is missing/],
    ['V1', /V1 is too short for an ODS code/],
    ['a', /too short for an ODS code/],
    ['V123456', /V123456 is too long for an ODS code/],
    ['VX1AB-2', /is not an ODS code: it contains “-”/],
    ['V1#2!', /contains “#” and “!”/],
    ['V 123', /has a space in it/],
  ])('%j is refused: %s', (text, message) => {
    const e = error(odsCode(text));
    expect(e).toMatch(message);
    expect(e).toMatch(/3 to 6 letters and digits/);
    expectSentence(e);
  });
});

describe('CQC location ID: 1- followed by 9 to 11 digits', () => {
  it.each([
    ['1-1002733005', '1-1002733005'],
    ['  1-1002733005  ', '1-1002733005'],
    ['1 - 1002733005', '1-1002733005'],
    ['1-100 273 3005', '1-1002733005'],
    ['1–1002733005', '1-1002733005'],
    ['1-123456789', '1-123456789'],
    ['1-12345678901', '1-12345678901'],
    ["It's 1-1002733005.", '1-1002733005'],
    ['my location id is 1-1002733005', '1-1002733005'],
    ['I think it is 1-1002733005 thanks', '1-1002733005'],
    // A space typed for the dash.
    ['1 1002733039', '1-1002733039'],
    ['its 1 1002733039', '1-1002733039'],
  ])('%j → %j', (text, id) => expect(value(cqcLocationId(text))).toBe(id));

  it.each([
    ['', /CQC location ID is missing/],
    ['1-12345678', /too short for a CQC location ID: it has 8 digits/],
    ['1-123456789012', /too long for a CQC location ID: it has 12 digits/],
    ['11002733005', /missing the “1-” at the start/],
    ['1002733005', /missing the “1-” at the start/],
    ['CON1-123456789', /looks like a CQC contact ID/],
    ['2-1002733005', /is not a CQC location ID/],
    ['1-10027A3005', /is not a CQC location ID/],
    ['1_1002733005', /is not a CQC location ID/],
    ['location', /is not a CQC location ID/],
  ])('%j is refused: %s', (text, message) => {
    const e = error(cqcLocationId(text));
    expect(e).toMatch(message);
    expect(e).toMatch(/CQC location ID is 1- followed by 9 to 11 digits/);
    expectSentence(e);
  });
});

describe('CQC contact ID: 1- or CON1- followed by 6 to 12 digits, upper case', () => {
  it.each([
    ['CON1-123456789', 'CON1-123456789'],
    ['con1-123456789', 'CON1-123456789'],
    [' Con1 - 123456789 ', 'CON1-123456789'],
    ['1-123456789', '1-123456789'],
    ['1-123456', '1-123456'],
    ['CON1-123456789012', 'CON1-123456789012'],
    ['CON1 223456789', 'CON1-223456789'],
    ['con1 223456789.', 'CON1-223456789'],
    ["It's CON1-223456789", 'CON1-223456789'],
  ])('%j → %j', (text, id) => expect(value(cqcContactId(text))).toBe(id));

  it.each([
    ['', /CQC contact ID is missing/],
    ['CON1-12345', /too short for a CQC contact ID: it has only 5 digits after the CON1-/],
    ['1-12345', /too short for a CQC contact ID: it has only 5 digits after the 1-/],
    ['CON1-1234567890123', /too long for a CQC contact ID: it has 13 digits/],
    ['CON123456789', /is not a CQC contact ID/],
    ['CON-123456789', /is not a CQC contact ID/],
    ['CON1123456789', /is not a CQC contact ID/],
    ['manager', /is not a CQC contact ID/],
  ])('%j is refused: %s', (text, message) => {
    const e = error(cqcContactId(text));
    expect(e).toMatch(message);
    expect(e).toMatch(/CQC contact ID/);
    expectSentence(e);
  });
});

describe('one-time passcode: 8 characters of the passcode alphabet', () => {
  it('uses the rules’ alphabet and length, which the adapter issues from', () => {
    expect(OTP_LENGTH).toBe(8);
    expect(adapterPasscodes.OTP_ALPHABET).toBe(OTP_ALPHABET);
    expect(adapterPasscodes.OTP_LENGTH).toBe(OTP_LENGTH);
    expect(value(oneTimePasscode(OTP_ALPHABET.slice(0, 8)))).toBe('ABCDEFGH');
    expect(value(oneTimePasscode(OTP_ALPHABET.slice(-8)))).toBe('23456789');
  });

  it.each([
    ['ABCDEFGH', 'ABCDEFGH'],
    ['abcdefgh', 'ABCDEFGH'],
    ['abcd-efgh', 'ABCDEFGH'],
    ['ABCD EFGH', 'ABCDEFGH'],
    [' ab-cd ef-gh ', 'ABCDEFGH'],
    ['ab–cd–ef–gh', 'ABCDEFGH'],
    ['K7M9-P2QZ', 'K7M9P2QZ'],
    ['Q4QN 29MM', 'Q4QN29MM'],
  ])('%j → %j', (text, code) => expect(value(oneTimePasscode(text))).toBe(code));

  it.each([
    ['Q4QN 29MM', 'Q4QN29MM'],
    ['my passcode is Q4QN 29MM', 'Q4QN29MM'],
    ["it's q4qn-29mm thanks", 'Q4QN29MM'],
    ['Q4QN29MM.', 'Q4QN29MM'],
  ])('in a message: %j → %j', (text, code) => expect(value(oneTimePasscodeIn(text))).toBe(code));

  it('alone, a word with more than the passcode is not one (a password is not taken for a passcode)', () => {
    expect(oneTimePasscode('Aaaaa222!').ok).toBe(false);
  });

  it.each([
    ['ABCD0EFG', /cannot contain “0”/],
    ['ABCDOEFG', /cannot contain “O”/],
    ['abcdoefg', /cannot contain “O”/],
    ['ABC1DEFG', /cannot contain “1”/],
    ['ABCDIEFG', /cannot contain “I”/],
    ['abcdiefg', /cannot contain “I”/],
    ['0O1IABCD', /cannot contain “0”, “O”, “1” and “I”/],
    ['ABC0', /cannot contain “0”/],
  ])('%j is refused as a look-alike: %s', (text, message) => {
    const e = error(oneTimePasscode(text));
    expect(e).toMatch(message);
    expect(e).toMatch(/^The passcode /);
    expect(e).toContain('passcodes never contain 0, O, 1 or I — check for a similar-looking character');
    expectSentence(e);
  });

  it.each([
    ['', /passcode is missing/],
    ['ABCDEFG', /has 7 characters, but passcodes have 8 — check that none is missing/],
    ['ABCDEFGHJ', /has 9 characters, but passcodes have 8 — check for an extra one/],
    ['ABCD#EFG', /cannot contain “#”/],
    // Quoted back escaped for markdown, so Teams shows the character itself.
    ['ABCD_EFG', /cannot contain “\\_”/],
  ])('%j is refused: %s', (text, message) => {
    const e = error(oneTimePasscode(text));
    expect(e).toMatch(message);
    expect(e).toMatch(/passcode/i);
    expectSentence(e);
  });
});

describe('first and last names', () => {
  it.each([
    ['Zoë', 'Zoë'],
    ['Siân', 'Siân'],
    ["O'Brien", "O'Brien"],
    ['O’Brien', "O'Brien"],
    ['Anne-Marie', 'Anne-Marie'],
    ['  Mary   Jane ', 'Mary Jane'],
    ['José', 'José'],
    ['Zoe\u0308', 'Zoë'],
    ['Nguyễn', 'Nguyễn'],
    ['Łukasz', 'Łukasz'],
    ['李', '李'],
    ['Ó Súilleabháin', 'Ó Súilleabháin'],
    ['d’Artagnan-Smith', "d'Artagnan-Smith"],
    ['A' + 'a'.repeat(49), 'A' + 'a'.repeat(49)],
    ['X', 'X'],
    // All in small letters or all in capitals: a capital at the start of each part.
    ["bob o'neill", "Bob O'Neill"],
    ['SMITH', 'Smith'],
    ['anne-marie', 'Anne-Marie'],
    ['McDonald', 'McDonald'],
  ])('%j → %j', (text, name) => expect(value(personName(text, 'first name'))).toBe(name));

  it.each([
    ['', 'first name', /The first name is missing/],
    ['   ', 'last name', /The last name is missing/],
    ['a'.repeat(51), 'first name', /The first name can be at most 50 characters long, and this one has 51/],
    ['John2', 'first name', /The first name can contain only letters, spaces, hyphens and apostrophes, so “2” cannot be used/],
    ['Smith!', 'last name', /The last name can contain only letters.*“!”/],
    ['Smith & Jones', 'last name', /“&”/],
    ['J. Smith', 'last name', /“\.”/],
    ['-', 'last name', /The last name must contain at least one letter/],
    ["' -", 'first name', /The first name must contain at least one letter/],
  ])('%j as the %s is refused: %s', (text, field, message) => {
    const e = error(personName(text, field as 'first name' | 'last name'));
    expect(e).toMatch(message);
    expect(e).toContain(field);
    expectSentence(e);
  });
});

describe('email: a valid address that is not NHSmail', () => {
  it.each([
    ['john.smith@example.co.uk', 'john.smith@example.co.uk'],
    ['John.Smith@Example.CO.UK', 'john.smith@example.co.uk'],
    ['  jane+care@sunnydays.org  ', 'jane+care@sunnydays.org'],
    ["o'brien@example.com", "o'brien@example.com"],
    ['<manager@home-care.example>', 'manager@home-care.example'],
    ['mailto:manager@example.com', 'manager@example.com'],
    ['someone@nhs.net.example.com', 'someone@nhs.net.example.com'],
    ['someone@notnhs.net', 'someone@notnhs.net'],
    ['person@nhs.uk', 'person@nhs.uk'],
  ])('%j → %j', (text, address) => expect(value(email(text))).toBe(address));

  it.each([
    ['', /email address is missing/],
    ['john', /john is not a valid email address: it has no @/],
    ['john smith@example.com', /cannot contain spaces/],
    ['john@smith', /the part after the @ should be a domain/],
    ['john@example.c', /the part after the @ should be a domain/],
    ['john@-example.com', /the part after the @ should be a domain/],
    ['john@example..com', /the part after the @ should be a domain/],
    ['a@@example.com', /the part before the @ is not right/],
    ['.john@example.com', /the part before the @ is not right/],
    ['john.@example.com', /the part before the @ is not right/],
    ['@example.com', /the part before the @ is not right/],
    [`${'a'.repeat(65)}@example.com`, /the part before the @ is not right/],
  ])('%j is refused: %s', (text, message) => {
    const e = error(email(text));
    expect(e).toMatch(message);
    expect(e).toMatch(/email address/);
    expectSentence(e);
  });

  it.each(['john.smith@nhs.net', 'John.Smith@NHS.NET', 'someone@mail.nhs.net', 'a@x.y.nhs.net'])(
    '%j is refused: that person already has an NHSmail account',
    (text) => {
      const e = error(email(text));
      expect(e).toMatch(/is an NHSmail address: that person already has an NHSmail account and must not be added/);
      expect(e).toMatch(/owner can give them access/);
      expectSentence(e);
    },
  );

  it('refuses other NHSmail domains when told them', () => {
    const options = { nhsmailDomains: ['nhs.net', 'secure.example.uk'] };
    expect(error(email('a@secure.example.uk', options))).toMatch(/NHSmail account/);
    expect(error(email('a@nhs.net', options))).toMatch(/NHSmail account/);
    expect(value(email('a@example.uk', options))).toBe('a@example.uk');
  });
});

describe('mobile: a UK mobile number, stored as E.164', () => {
  it.each([
    ['07400 123456', '+447400123456'],
    ['07400123456', '+447400123456'],
    ['07400-123-456', '+447400123456'],
    ['(07400) 123 456', '+447400123456'],
    ['07400.123.456', '+447400123456'],
    ['+44 7400 123456', '+447400123456'],
    ['+447400123456', '+447400123456'],
    ['+44 (0)7400 123456', '+447400123456'],
    ['0044 7400 123456', '+447400123456'],
    ['00447400123456', '+447400123456'],
    [' 07400 654321 ', '+447400654321'],
    // Crown dependencies: +44 mobiles of Guernsey, Jersey and the Isle of Man.
    ['07911 123456', '+447911123456'],
    ['07781 123456', '+447781123456'],
    ['07797 123456', '+447797123456'],
    ['07829 123456', '+447829123456'],
    ['07624 123456', '+447624123456'],
    ['+44 7624 456789', '+447624456789'],
  ])('%j → %j', (text, e164) => expect(value(ukMobile(text))).toBe(e164));

  it.each([
    ['07123 456 78', '07123 456 78 is too short for a UK mobile number.'],
    ['07400 12345', '07400 12345 is too short for a UK mobile number.'],
    ['+44 7400 12345', '+44 7400 12345 is too short for a UK mobile number.'],
    ['07', '07 is too short for a UK mobile number.'],
    ['0', '0 is too short for a UK mobile number.'],
    ['07400 1234567', '07400 1234567 is too long for a UK mobile number.'],
    ['07400 123456 7890', '07400 123456 7890 is too long for a UK mobile number.'],
    ['074001234567890123456', '074001234567890123456 is too long for a UK mobile number.'],
  ])('%j is refused by length', (text, message) => expect(error(ukMobile(text))).toBe(message));

  it.each(['020 7946 0000', '0161 496 0000', '+44 20 7946 0000', '01481 712345', '01534 712345', '01624 612345', '01632 960000'])(
    '%j is refused as a landline',
    (text) =>
      expect(error(ukMobile(text))).toBe(
        `${text} is a landline number; please give a mobile number so the temporary password can be texted.`,
      ),
  );

  it.each(['0800 123 4567', '0330 123 4567', '07600 123456', '07000 123456'])('%j is refused as not a mobile', (text) =>
    expect(error(ukMobile(text))).toMatch(/is not a mobile number; please give a mobile number so the temporary password can be texted\.$/),
  );

  it.each(['+33 6 12 34 56 78', '0033 6 12 34 56 78', '+353 85 123 4567', '+1 212 555 0123', '+3531234'])(
    '%j is refused as foreign',
    (text) => {
      const e = error(ukMobile(text));
      expect(e).toBe(
        `${text} is not a UK number; please give a UK mobile number (beginning 07 or +44 7) so the temporary password can be texted.`,
      );
    },
  );

  it.each([
    ['', /^The mobile number is missing; please type a UK mobile number/],
    ['hello', /^hello is not a phone number: it has letters in it/],
    ['074OO 123456', /not a phone number: it has letters in it/],
    ['07400 123456 ext 2', /not a phone number: it has letters in it/],
    ['+', /^\\\+ is not a phone number/], // escaped: a "+" starting a line is a list in markdown
    ['++447400123456', /is not a phone number/],
    ['07400 123456!', /is not a phone number/],
    ['+999 123 456 789', /is not a valid phone number/],
  ])('%j is refused as not a number: %s', (text, message) => {
    const e = error(ukMobile(text));
    expect(e).toMatch(message);
    expect(e).toMatch(/mobile number/);
  });

  it.each(['07700 900123', '07911 654321'])('%j is refused as invalid', (text) =>
    expect(error(ukMobile(text))).toBe(`${text} is not a valid UK mobile number; please check it and type it again.`),
  );
});

describe('title: optional', () => {
  it.each([
    ['Mr', 'Mr'],
    ['mrs', 'Mrs'],
    ['MISS', 'Miss'],
    ['ms.', 'Ms'],
    ['Mx', 'Mx'],
    ['Dr.', 'Dr'],
    ['doctor', 'Dr'],
    ['prof', 'Prof'],
    ['Prof.', 'Prof'],
    ['Professor', 'Prof'],
    ['1', 'Mr'],
    ['7', 'Prof'],
  ])('%j → %j', (text, t) => expect(value(title(text))).toBe(t));

  it.each(['', '  ', 'none', 'None', 'skip', 'no title', 'No title', 'n/a', '8'])('%j → no title', (text) =>
    expect(value(title(text))).toBeUndefined(),
  );

  it('offers the titles and then "No title", in the order numbers are read', () =>
    expect(TITLE_CHOICES).toEqual(['Mr', 'Mrs', 'Miss', 'Ms', 'Mx', 'Dr', 'Prof', 'No title']));

  it.each(['Sir', 'Lord', 'Rev', '9', 'Mr Smith'])('%j is refused', (text) => {
    const e = error(title(text));
    expect(e).toMatch(/is not a title the account can have: choose Mr, Mrs, Miss, Ms, Mx, Dr or Prof, or say “none”/);
  });
});

describe('role, by label, number or a word that names just one', () => {
  it('lists the roles of the SPEC', () => {
    expect(CARE_ROLES).toEqual([
      'Registered Manager', 'Deputy Manager', 'Nurse', 'Senior Care Worker', 'Care Assistant', 'Administration & Clerical', 'Other',
    ]);
    expect(DENTAL_ROLES).toEqual([
      'Dentist', 'Dental Nurse', 'Dental Hygienist', 'Dental Therapist', 'Practice Manager', 'Receptionist', 'Administration & Clerical', 'Other',
    ]);
  });

  it.each([
    ['Registered Manager', 'Registered Manager'],
    ['registered manager', 'Registered Manager'],
    ['1', 'Registered Manager'],
    ['2', 'Deputy Manager'],
    ['deputy', 'Deputy Manager'],
    ['NURSE', 'Nurse'],
    ['senior', 'Senior Care Worker'],
    ['carer', 'Care Assistant'],
    ['care assistant', 'Care Assistant'],
    ['admin', 'Administration & Clerical'],
    ['Administration and clerical', 'Administration & Clerical'],
    ['clerical', 'Administration & Clerical'],
    ['7', 'Other'],
    ['other', 'Other'],
    // Misspelt, but closer to one role than any other.
    ['registered manger', 'Registered Manager'],
    ['Registerd Manager', 'Registered Manager'],
    ['senior care worke', 'Senior Care Worker'],
    ['deputy managr', 'Deputy Manager'],
  ])('care: %j → %j', (text, r) => expect(value(role(text, 'care'))).toBe(r));

  it.each([
    ['Dentist', 'Dentist'],
    ['dental nurse', 'Dental Nurse'],
    ['nurse', 'Dental Nurse'],
    ['hygienist', 'Dental Hygienist'],
    ['therapist', 'Dental Therapist'],
    ['practice manager', 'Practice Manager'],
    ['manager', 'Practice Manager'],
    ['receptionist', 'Receptionist'],
    ['admin', 'Administration & Clerical'],
    ['8', 'Other'],
    ['managr', 'Practice Manager'],
    ['recepsionist', 'Receptionist'],
  ])('dental: %j → %j', (text, r) => expect(value(role(text, 'dental'))).toBe(r));

  it.each([
    ['', 'care', /^The role is missing; please choose one of: Registered Manager, .* or Other\.$/],
    ['manager', 'care', /^The role “manager” could be Registered Manager or Deputy Manager; please say which\.$/],
    ['managr', 'care', /^The role “managr” could be Registered Manager or Deputy Manager; please say which\.$/],
    ['dental', 'dental', /could be Dental Nurse, Dental Hygienist or Dental Therapist/],
    ['8', 'care', /^There is no role number 8; please choose a number from 1 to 7/],
    ['9', 'dental', /from 1 to 8/],
    ['hygienist', 'care', /^“hygienist” is not one of the roles for a care provider: .*If none fits, choose Other\.$/],
    ['chef', 'dental', /^“chef” is not one of the roles for a dental practice/],
  ])('%j (%s) is refused: %s', (text, kind, message) => {
    expect(error(role(text, kind as 'care' | 'dental'))).toMatch(message);
  });
});

describe('town, its mailbox letters and abbreviation', () => {
  it.each([
    ['Wrexham', 'Wrexham'],
    ['  Stoke-on-Trent ', 'Stoke-on-Trent'],
    ['Bishop’s   Stortford', "Bishop's Stortford"],
    ['Ynys Môn', 'Ynys Môn'],
    ['a'.repeat(50), 'a'.repeat(50)],
  ])('town %j → %j', (text, town) => expect(value(townName(text))).toBe(town));

  it.each([
    ['', /^The town is missing/],
    ['St. Albans', /^The town can contain only letters, spaces, hyphens and apostrophes, so “\.” cannot be used\.$/],
    ['Town 2', /“2”/],
    ['--', /^The town must contain at least one letter\.$/],
    ['a'.repeat(51), /^The town can be at most 50 characters long, and this one has 51\.$/],
  ])('town %j is refused: %s', (text, message) => expect(error(townName(text))).toMatch(message));

  it.each([
    ['Wrexham', 'wrexham', false, 'wrexham'],
    ['Stoke-on-Trent', 'stokeontrent', true, 'stokeontre'],
    ["Bishop's Stortford", 'bishopsstortford', true, 'bishopssto'],
    ['Ynys Môn', 'ynysmon', false, 'ynysmon'],
    ['Manchester', 'manchester', false, 'manchester'],
    ['Manchesters', 'manchesters', true, 'manchester'],
  ])('mailbox town for %j: %j, abbreviation needed %s, proposed %j', (town, letters, needed, proposed) => {
    expect(value(mailboxTown(town))).toEqual({ letters, abbreviationNeeded: needed, proposedAbbreviation: proposed });
  });

  it('refuses a town with no letters a to z', () =>
    expect(error(mailboxTown('李'))).toMatch(/The town 李 has no letters a to z for the shared mailbox address/));

  it.each([
    ['Stoke', 'stoke'],
    ['STOKEONTRE', 'stokeontre'],
    ['stoke on t', 'stokeont'],
    ['st-albans', 'stalbans'],
    ['Môn', 'mon'],
  ])('abbreviation %j → %j', (text, abbreviation) => expect(value(townAbbreviation(text))).toBe(abbreviation));

  it.each([
    ['', /^The town abbreviation is missing/],
    ['stokeontrent', /^The town abbreviation can be at most 10 letters, and stokeontrent has 12\.$/],
    ['st4', /^The town abbreviation can contain only the letters a to z, so “4” cannot be used\.$/],
    ['st.', /“\.”/],
  ])('abbreviation %j is refused: %s', (text, message) => expect(error(townAbbreviation(text))).toMatch(message));
});

// ---------------------------------------------------------------------------------------------

describe('zod schemas give the same values and messages, with the field in the path', () => {
  const member = {
    title: 'dr.',
    firstName: ' Siân ',
    lastName: 'O’Brien-Jones',
    email: 'Sian.OBrien@Example.co.uk',
    mobile: '07400 123456',
    role: 'registered manager',
    sharedMailboxAccess: 'true',
    mailboxAdmin: true,
  };

  it('parses a whole care member', () => {
    expect(CareMemberSchema.parse(member)).toEqual({
      title: 'Dr',
      firstName: 'Siân',
      lastName: "O'Brien-Jones",
      email: 'sian.obrien@example.co.uk',
      mobile: '+447400123456',
      role: 'Registered Manager',
      sharedMailboxAccess: true,
      mailboxAdmin: true,
    });
  });

  it('treats an empty or missing title as no title', () => {
    expect(CareMemberSchema.parse({ ...member, title: '' }).title).toBeUndefined();
    const { title: _omitted, ...withoutTitle } = member;
    expect(CareMemberSchema.parse(withoutTitle).title).toBeUndefined();
    expect(TitleSchema.parse(undefined)).toBeUndefined();
  });

  it('checks the role against the organisation kind', () => {
    expect(DentalMemberSchema.parse({ ...member, role: 'hygienist' }).role).toBe('Dental Hygienist');
    expect(MemberSchema.dental.parse({ ...member, role: '1' }).role).toBe('Dentist');
    expect(MemberSchema.care.parse({ ...member, role: '1' }).role).toBe('Registered Manager');
    expect(roleSchema('care').safeParse('hygienist').success).toBe(false);
  });

  it('reports every wrong field with its own message and path', () => {
    const result = CareMemberSchema.safeParse({
      ...member,
      firstName: 'a'.repeat(51),
      lastName: '',
      email: 'someone@nhs.net',
      mobile: '020 7946 0000',
      role: 'chef',
      sharedMailboxAccess: 'perhaps',
    });
    expect(result.success).toBe(false);
    const issues = Object.fromEntries(result.error!.issues.map((i) => [i.path.join('.'), i.message]));
    expect(issues).toEqual({
      firstName: 'The first name can be at most 50 characters long, and this one has 51.',
      lastName: 'The last name is missing; please type it.',
      email: error(email('someone@nhs.net')),
      mobile: '020 7946 0000 is a landline number; please give a mobile number so the temporary password can be texted.',
      role: error(role('chef', 'care')),
      sharedMailboxAccess: 'Please answer yes or no to “add to the shared mailbox?”.',
    });
  });

  it('reports missing fields with the validators’ "missing" messages', () => {
    const result = CareMemberSchema.safeParse({ sharedMailboxAccess: false, mailboxAdmin: false });
    expect(result.success).toBe(false);
    const issues = Object.fromEntries(result.error!.issues.map((i) => [i.path.join('.'), i.message]));
    expect(issues).toEqual({
      firstName: 'The first name is missing; please type it.',
      lastName: 'The last name is missing; please type it.',
      email: error(email('')),
      mobile: error(ukMobile('')),
      role: error(role('', 'care')),
    });
  });

  it('refuses a mailbox admin who is not added to the shared mailbox', () => {
    const result = CareMemberSchema.safeParse({ ...member, sharedMailboxAccess: 'no', mailboxAdmin: 'yes' });
    expect(result.success).toBe(false);
    expect(result.error!.issues).toEqual([
      expect.objectContaining({ path: ['mailboxAdmin'], message: expect.stringMatching(/mailbox admin must also be in the shared mailbox: tick “Add to the shared mailbox” as well/) }),
    ]);
  });

  it('refuses a value that is not text', () => {
    const result = UkMobileSchema.safeParse(7400123456);
    expect(result.success).toBe(false);
    expect(result.error!.issues[0]!.message).toBe('The mobile number must be given as text.');
  });

  it.each([
    ['PostcodeSchema', PostcodeSchema, 'll111aa', { kind: 'full', postcode: 'LL11 1AA', outward: 'LL11' }],
    ['CqcLocationIdSchema', CqcLocationIdSchema, ' 1-1002733005 ', '1-1002733005'],
    ['OneTimePasscodeSchema', OneTimePasscodeSchema, 'abcd-efgh', 'ABCDEFGH'],
    ['UkMobileSchema', UkMobileSchema, '+44 7624 123456', '+447624123456'],
  ] as const)('%s: %j → %j', (_name, schema, input, output) => expect(schema.parse(input)).toEqual(output));

  it('wraps any validator the same way', () => {
    const schema = fromValidator(postcode, 'postcode');
    const result = schema.safeParse('12345');
    expect(result.success).toBe(false);
    expect(result.error!.issues[0]!.message).toBe(error(postcode('12345')));
    expect(OneTimePasscodeSchema.safeParse('ABCD0EFG').error!.issues[0]!.message).toMatch(/never contain 0, O, 1 or I/);
  });
});
