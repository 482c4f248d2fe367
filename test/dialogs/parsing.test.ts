import { normalise, parseChoice, parseChoiceLoosely, parseContinue, parseGlobalCommand, parseYesNo, parseYesNoAnswer } from '../../dialogs/parsing';

describe('carrying on', () => {
  it.each(['continue', 'Continue.', 'go', 'Go!', 'next', 'ok', 'yes', "let's go", 'carry on', 'contnue', 'continu'])('%j carries on', (text) => expect(parseContinue(text)).toBe(true));
  it.each(['', 'no', 'back', 'gone', 'maybe', 'stop'])('%j does not', (text) => expect(parseContinue(text)).toBe(false));
});

describe('a menu entry typed with a slip', () => {
  const menu = [
    { value: 'registration', label: 'Register my organisation for NHSmail', synonyms: ['register', 'registration', 'join nhsmail'] },
    { value: 'passwordHelp', label: 'Password and account help', synonyms: ['password', 'forgot password', 'locked account'] },
  ];
  it.each([
    ['registr', 'registration'],
    ['regster', 'registration'],
    ['registation', 'registration'],
    ['pasword', 'passwordHelp'],
    ['passwrd help', 'passwordHelp'],
    ['reg', undefined],
    ['hello', undefined],
    ['holiday', undefined],
  ])('%j → %s', (text, value) => expect(parseChoiceLoosely(text, menu)).toBe(value));
});

describe('yes and no, however they are typed', () => {
  const yes = ['yes', 'Yes', 'YES', 'y', 'Y', 'yeah', 'Yeah!', 'yep', 'yup', 'yes.', ' yes ', 'yes please', 'Yes, I have', 'I do', 'sure', 'ok', 'OK!', 'correct', '‘yes’',
    // With more words around it.
    'yes we have one', 'yeah got it', 'yep, published last year', 'I have one', "we've got one"];
  const no = ['no', 'No', 'NO', 'n', 'N', 'nope', 'Nope.', 'nah', 'no thanks', "No, I haven't", 'No I don’t', 'not yet', 'I do not', 'no!!!',
    'nope dont have one', "no we don't have one", 'no, not yet', "don't have one", "we haven't got one", 'never had one'];
  const neither = ['', ' ', 'maybe', 'perhaps', 'yes no', 'noo', 'yesterday', 'nothing', 'know', '1234', 'I am not sure', '🙂',
    'no idea', 'not sure', 'yes but not sure', 'yeah maybe', 'no problem', 'no one else', "I don't know"];

  it.each(yes)('%j means yes', (text) => expect(parseYesNo(text)).toBe(true));
  it.each(no)('%j means no', (text) => expect(parseYesNo(text)).toBe(false));
  it.each(neither)('%j is neither', (text) => expect(parseYesNo(text)).toBeUndefined());
});

describe('answering a question asked with Yes and No buttons', () => {
  it.each([
    ['Yes', true],
    ['1', true],
    ['yeah', true],
    ['No', false],
    ['2', false],
    ['nope', false],
    ['3', undefined],
    ['maybe', undefined],
  ] as const)('%j → %s', (text, value) => expect(parseYesNoAnswer(text)).toBe(value));
});

describe('picking from a list by number, label or synonym', () => {
  const options = [
    { value: 'care', label: 'Care provider', synonyms: ['care', 'care home', 'home care'] },
    { value: 'dental', label: 'Dental practice', synonyms: ['dental', 'dentist'] },
    { value: 'hospice', label: 'Hospice' },
  ] as const;
  const table: [string, string | undefined][] = [
    ['1', 'care'],
    ['2', 'dental'],
    ['3', 'hospice'],
    ['3.', 'hospice'],
    ['#2', 'dental'],
    ['option 1', 'care'],
    ['number 3', 'hospice'],
    ['4', undefined],
    ['0', undefined],
    ['-1', undefined],
    ['Care provider', 'care'],
    ['care PROVIDER!', 'care'],
    ['a care home', 'care'],
    ['we are a care home', 'care'],
    ['Dentist', 'dental'],
    ['hospice', 'hospice'],
    ['we are a hospice', 'hospice'],
    ['practice', 'dental'],
    ['pharmacy', undefined],
    ['', undefined],
    ['!!!', undefined],
    ['care or dental', undefined],
    ['the first one', 'care'],
    ['the 2nd one', 'dental'],
    ['third', 'hospice'],
    ['the last one', 'hospice'],
    ['number two', 'dental'],
    ['the fifth one', undefined],
  ];
  it.each(table)('%j → %s', (text, value) => expect(parseChoice(text, options)).toBe(value));
});

describe('what can be said anywhere', () => {
  const table: [string, string | undefined][] = [
    ['menu', 'menu'],
    ['Menu', 'menu'],
    ['main menu', 'menu'],
    ['help', 'help'],
    ['HELP!', 'help'],
    ['?', 'help'],
    ['back', 'back'],
    ['go back', 'back'],
    ['Back.', 'back'],
    ['cancel', 'cancel'],
    ['quit', 'cancel'],
    ['start again', 'restart'],
    ['Start over', 'restart'],
    ['restart', 'restart'],
    ['yes', undefined],
    ['helpful', undefined],
    ['back pain', undefined],
    ['', undefined],
  ];
  it.each(table)('%j → %s', (text, command) => expect(parseGlobalCommand(text)).toBe(command));
});

describe('normalising typed text', () => {
  it.each([
    ['  Yes,   please!  ', 'yes please'],
    ['I’m a CARE home.', "i'm a care home"],
    ['e-mail', 'e-mail'],
    ['--post--', 'post'],
  ])('%j → %j', (text, expected) => expect(normalise(text)).toBe(expected));
});
