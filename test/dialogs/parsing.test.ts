import { normalise, parseChoice, parseGlobalCommand, parseYesNo, parseYesNoAnswer } from '../../dialogs/parsing';

describe('yes and no, however they are typed', () => {
  const yes = ['yes', 'Yes', 'YES', 'y', 'Y', 'yeah', 'Yeah!', 'yep', 'yup', 'yes.', ' yes ', 'yes please', 'Yes, I have', 'I do', 'sure', 'ok', 'OK!', 'correct', '‘yes’'];
  const no = ['no', 'No', 'NO', 'n', 'N', 'nope', 'Nope.', 'nah', 'no thanks', "No, I haven't", 'No I don’t', 'not yet', 'I do not', 'no!!!'];
  const neither = ['', ' ', 'maybe', 'perhaps', 'yes no', 'noo', 'yesterday', 'nothing', 'know', '1234', 'I am not sure', '🙂'];

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
