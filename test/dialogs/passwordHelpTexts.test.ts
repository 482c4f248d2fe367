import { looksLikePassword } from '../../dialogs/passwordSafety';
import {
  firstLoginText,
  inactiveAccountSentence,
  inactivityText,
  mobileInDirectoryText,
  passwordHelpText,
  passwordRulesText,
  renderHelpText,
  type PasswordHelpTopic,
} from '../../dialogs/passwordHelp/texts';
import {
  INACTIVITY_RULES,
  LEAVER_DELETED_AFTER_DAYS,
  MOBILE_DIGITS_SHOWN,
  PASSWORD_RULES,
  RESET_CODE_POLICY,
  RESET_REQUEST_WINDOW_MS,
  inactivityDates,
  leaverDeletedOn,
  mobileEnding,
} from '../../machines/passwordHelp/rules';

const minutes = 60_000;
const hours = 60 * minutes;
const all = (text: ReturnType<typeof passwordRulesText>) => renderHelpText(text);

describe('the figures are the SPEC’s (§2, §3)', () => {
  it('password rules: 8 characters, 3 of 4 kinds, not the username, no spaces or commas, not one of the last 4, changed every 90 days', () => {
    expect(PASSWORD_RULES).toEqual({
      minLength: 8,
      characterKindsNeeded: 3,
      characterKinds: 4,
      previousPasswordsRefused: 4,
      maxAgeDays: 90,
      forbiddenCharacters: [' ', ','],
      mayContainUsername: false,
    });
  });

  it('inactive after 90 days unused, deleted 90 days after that; leavers deleted 30 days after being marked', () => {
    expect(INACTIVITY_RULES).toEqual({ inactiveAfterDays: 90, deletedAfterInactiveDays: 90 });
    expect(LEAVER_DELETED_AFTER_DAYS).toBe(30);
  });

  it('reset codes: 6 digits, valid 10 minutes, 2 minutes apart, 5 a day, 5 wrong lock for 24 hours; one reset request per account per 24 hours; the mobile shown by its last 3 digits', () => {
    expect(RESET_CODE_POLICY).toEqual({ length: 6, validForMs: 10 * minutes, minIntervalMs: 2 * minutes, maxPerDay: 5, maxFailures: 5, lockForMs: 24 * hours });
    expect(RESET_REQUEST_WINDOW_MS).toBe(24 * hours);
    expect(MOBILE_DIGITS_SHOWN).toBe(3);
    expect(mobileEnding('+447400000033')).toBe('ending 033');
  });

  it('works out the dates of the 90-day rule and of a leaver’s deletion', () => {
    // The fixture dawn.fenwick@nhs.net: last signed in 14 July 2026, inactive since 12 October.
    expect(inactivityDates('2026-07-14')).toEqual({ inactiveOn: '2026-10-12', deletedOn: '2027-01-10' });
    expect(inactivityDates('2027-12-31')).toEqual({ inactiveOn: '2028-03-30', deletedOn: '2028-06-28' }); // across a leap day
    expect(leaverDeletedOn('2026-11-20')).toBe('2026-12-20');
    expect(inactiveAccountSentence('2026-07-14')).toBe(
      'This account was last used on 14 July 2026, became inactive on 12 October 2026 and will be deleted on 10 January 2027 unless it is used again before then.',
    );
  });
});

describe('what the password help says', () => {
  it('the password rules, with every figure', () => {
    const text = all(passwordRulesText());
    expect(text).toMatch(/at least 8 characters/);
    expect(text).toMatch(/at least 3 of these 4 kinds of character: capital letters, small letters, numbers and symbols/);
    expect(text).toMatch(/username/);
    expect(text).toMatch(/no spaces and no commas/);
    expect(text).toMatch(/last 4 passwords/);
    expect(text).toMatch(/at least every 90 days/);
    expect(text).toMatch(/Never give your password to anyone/);
  });

  it.each(['care', 'dental'] as const)('first login and activation, in order, for a %s organisation', (kind) => {
    const text = firstLoginText(kind);
    const steps = text.points.join('\n');
    const order = ['welcome email', 'text message', 'www.nhs.net', 'new password', 'acceptable use policy (AUP)', 'security questions', 'NHS Directory', 'Log in again'];
    const at = order.map((words) => steps.indexOf(words));
    expect(at.every((i) => i >= 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    expect(text.numbered).toBe(true);
    expect(text.after).toContain(kind === 'care' ? 'careadmin@nhs.net' : 'dentistadmin@nhs.net');
    expect(text.after).toContain('0333 200 1133');
    expect(text.after).toMatch(/shared mailbox needs no activation and no password/);
  });

  it('the 90-day rule', () => {
    const text = all(inactivityText('care'));
    expect(text).toMatch(/not signed in to for 90 days becomes inactive/);
    expect(text).toMatch(/90 days after that, it is deleted/);
    expect(text).toMatch(/deleted 30 days after it is marked/);
    expect(text).toContain('careadmin@nhs.net');
    expect(all(inactivityText('dental'))).toContain('dentistadmin@nhs.net');
  });

  it('hiding or showing the mobile in the NHS Directory, step by step', () => {
    const text = mobileInDirectoryText();
    expect(text.points).toEqual([
      'Log in to your account at www.nhs.net.',
      'Choose Profile at the top of the page.',
      'Open the My Profile tab, if it is not open already.',
      'Tick “Hide mobile number from address book” to hide your number, or clear the tick to show it.',
    ]);
    expect(text.intro).toMatch(/hidden from the NHS Directory unless you choose to show it/);
    expect(text.after).toMatch(/do not remove it/);
  });

  it('renders steps numbered and rules as bullets', () => {
    expect(renderHelpText(mobileInDirectoryText()).split('\n').slice(1, 3)).toEqual(['1. Log in to your account at www.nhs.net.', '2. Choose Profile at the top of the page.']);
    expect(renderHelpText(passwordRulesText()).split('\n')[1]).toBe('• be at least 8 characters long');
  });

  it.each<PasswordHelpTopic>(['passwordRules', 'firstLogin', 'inactivity', 'mobileInDirectory'])('%s never asks for a password, and would pass the password check itself', (topic) => {
    const text = renderHelpText(passwordHelpText(topic));
    expect(passwordHelpText(topic).topic).toBe(topic);
    expect(text).not.toMatch(/(type|send|give|tell|enter) (me |us )?(your|the) (temporary )?password (here|to me|in (the|this) chat)/i);
    expect(text).not.toMatch(/what is your password/i);
    for (const line of text.split('\n')) expect(looksLikePassword(line)).toBe(false);
  });
});
