import { feedbackOf, fieldAsk, isClearQuestion, isNoneOfThese } from '../../dialogs/questions/read';
import { redact } from '../../dialogs/questions/redact';

describe('a message plainly a question', () => {
  it.each([
    'how do i hide my mobile',
    'what is a dspt',
    'whats a cqc location id',
    'can i use my personal email?',
    'why do you need my mobile number',
    'is there a limit on members',
    'do i need a toolkit to register',
    'hi, how long does the passcode last',
    'passcode expired?',
    'who is the shared mailbox owner?',
  ])('%j is', (text) => expect(isClearQuestion(text)).toBe(true));

  it.each([
    'Leeds', 'Jane', 'Will Smith', 'yes', 'no', 'Registered Manager', 'LS6 1BN', 'is it LS6 1BN?', 'CON1-123456789', '1-1002733005?',
    'jane@example.co.uk?', 'is it 07400 123456', 'Westward Ho', 'Newcastle upon Tyne', 'send it again', 'it hasnt come', 'Do',
    'what?', 'Stockton-on-Tees', 'add another', 'Mrs',
  ])('%j is not (an answer, however it is worded)', (text) => expect(isClearQuestion(text)).toBe(false));
});

describe('questions about the field asked for', () => {
  it.each([
    ['why do you need that?', 'why'],
    ['why?', 'why'],
    ['Why do you need my mobile', 'why'],
    ['why do you want to know', 'why'],
    ['what is that for', 'why'],
    ['what do you need it for?', 'why'],
    ['what is that?', 'what'],
    ["what's that", 'what'],
    ['what does that mean', 'what'],
    ["I don't know", 'whereToFind'],
    ['dont know', 'whereToFind'],
    ['not sure', 'whereToFind'],
    ['no idea', 'whereToFind'],
    ['where do i find it?', 'whereToFind'],
    ['how do I find my CQC location ID', 'whereToFind'],
    ["I can't find it", 'whereToFind'],
    ["I don't have one", 'whereToFind'],
    ['where is it', 'whereToFind'],
  ])('%j asks %s', (text, ask) => expect(fieldAsk(text)).toBe(ask));

  it.each(['yes', 'no', 'Leeds', 'Jane', 'why not', 'I know it', 'whereabouts', 'what is a dspt', 'how do i hide my mobile'])('%j is not about the field', (text) =>
    expect(fieldAsk(text)).toBeUndefined(),
  );
});

describe('"was this helpful?"', () => {
  it.each([
    ['yes', true, 'helpful'],
    ['no', true, 'notHelpful'],
    ['yes thanks', true, 'helpful'],
    ['helpful', false, 'helpful'],
    ['that helped, thanks', false, 'helpful'],
    ['very helpful!', false, 'helpful'],
    ['not helpful', false, 'notHelpful'],
    ["that didn't help", false, 'notHelpful'],
    ['no, that was not what i asked', false, 'notHelpful'],
    ['wrong answer', false, 'notHelpful'],
  ])('%j (plain yes/no counts: %s) is %s', (text, plain, feedback) => expect(feedbackOf(text, plain)).toBe(feedback));

  it.each(['yes', 'no', 'y', 'Leeds', 'register', 'what about the owner'])('%j in a flow is not feedback (it answers the flow)', (text) =>
    expect(feedbackOf(text, false)).toBeUndefined(),
  );

  it('"none of these"', () => {
    expect(isNoneOfThese('None of these')).toBe(true);
    expect(isNoneOfThese('none of them')).toBe(true);
    expect(isNoneOfThese('the first one')).toBe(false);
  });
});

describe('personal data out of what a person is handed', () => {
  it.each([
    ['Jane has left, what happens to her emails?', '[name] has left, what happens to her emails?'],
    ["my name is Bob O'Neill and my email is bob@example.com, call 07700 900123", 'my name is [name] and my email is [email], call [phone]'],
    ["I'm locked out, can Sarah Jones reset it? REG-7KD9QX2P", "I'm locked out, can [name] reset it? REG-7KD9QX2P"],
    ['my passcode is ABCD2345', 'my passcode is [code]'],
    ['my password is Tr0ub4dor&3', 'my password is [password]'],
    ['our postcode is LS6 1BN and ODS code V12345', 'our postcode is [postcode] and ODS code V12345'],
    ['contact id CON1-123456789, location 1-1002733005', 'contact id [code], location 1-1002733005'],
    ['Can I use Outlook on my iPhone on Monday?', 'Can I use Outlook on my iPhone on Monday?'],
    ['what is a DSPT and does the CQC check it', 'what is a DSPT and does the CQC check it'],
    ['born 01021980', 'born [number]'],
  ])('%j → %j', (text, kept) => expect(redact(text)).toBe(kept));

  it('cuts long text short', () => expect([...redact('a '.repeat(400), 50)]).toHaveLength(50));
});
