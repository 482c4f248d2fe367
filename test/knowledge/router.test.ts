import { extractSlots, withoutSlotValues } from '../../dialogs/knowledge/slots';
import { knowledge } from '../../dialogs/knowledge';

const kb = knowledge();

describe('free text routed to the flow it asks for', () => {
  it.each([
    ['can we join nhs mail please', 'register'],
    ['how do i register', 'register'],
    ['please sign my dental practice up', 'register'],
    ["i've forgotten my password", 'password'],
    ['account locked', 'password'],
    ['Jane has left', 'leaver'],
    ['our cook resigned last week', 'leaver'],
    ['new staff member needs an email account', 'newStarter'],
    ['a nurse joining us already has an nhs.net account', 'joiner'],
    ['what is the status of REG-7KD9QX2P', 'requestStatus'],
    ['any update on my request', 'requestStatus'],
    ['can i speak to a human', 'human'],
    ['what does DSPT mean', 'question'],
    ['how do I hide my mobile number', 'question'],
  ])('"%s" → %s', (text, intent) => {
    const routing = kb.route(text);
    expect(routing.intent).toBe(intent);
    if (intent === 'question') expect(routing.flow).toBeUndefined();
    else expect(routing.flow).toEqual(expect.any(String));
  });

  it('a message with a request reference asks for its status, with the reference taken', () => {
    expect(kb.route('hi, any news on pwd-7kd9qx2p?')).toMatchObject({ intent: 'requestStatus', slots: { reference: 'PWD-7KD9QX2P' } });
  });

  it('starts the registration with what the message already says', () => {
    expect(kb.route('I need to register Oakhaven Court, CM1 8FS')).toMatchObject({ intent: 'register', relevant: true, slots: { postcode: 'CM1 8FS' } });
  });

  it.each(['no', 'yes', 'ok', '7', 'what'])('%j alone asks for no flow (nothing relevant)', (text) => {
    expect(kb.route(text).relevant).toBe(false);
  });
});

describe('slots: what a message already says', () => {
  it.each([
    ['register Oakhaven Court, cm18fs', { postcode: 'CM1 8FS' }],
    ['our postcode is LL9', { postcode: 'LL9' }],
    ['postcode: sw19', { postcode: 'SW19' }],
    ['we are in LL9', {}],
    ['ODS code is vx1ab', { odsCode: 'VX1AB' }],
    ['registering V12345', { odsCode: 'V12345' }],
    ['our code is v12345', { odsCode: 'V12345' }],
    ['register CPODS2 please', { odsCode: 'CPODS2' }],
    ['the home in CM1 8FS', { postcode: 'CM1 8FS' }],
    ['reference REG-7KD9QX2P', { reference: 'REG-7KD9QX2P' }],
    ['reg 7kd9qx2p', { reference: 'REG-7KD9QX2P' }],
    ['REG7KD9QX2P', { reference: 'REG-7KD9QX2P' }],
    ['registering our home', {}],
    ['our care home in CM1 8FS', { postcode: 'CM1 8FS', kind: 'care' }],
    ['regulations', {}],
    ['my address is jane.smith@nhs.net.', { nhsmailAddress: 'jane.smith@nhs.net' }],
    ['Jane.Smith@NHS.NET is locked', { nhsmailAddress: 'jane.smith@nhs.net' }],
    ['send it to manager@oakhaven.co.uk', { email: 'manager@oakhaven.co.uk' }],
    ['our location ID is 1-1002733005', { cqcLocationId: '1-1002733005' }],
    ['Jane has left', { personName: 'Jane' }],
    ['jane smith has left', { personName: 'Jane Smith' }],
    ["Tom's leaving on friday", { personName: 'Tom' }],
    ['hi, Aoife O\'Neill has resigned', { personName: "Aoife O'Neill" }],
    ['remove sarah from the shared mailbox', { personName: 'Sarah' }],
    ['new starter: Ben Carter', { personName: 'Ben Carter' }],
    ['we hired a carer called priya patel', { personName: 'Priya Patel', kind: 'care' }],
    ['she has left', {}],
    ['someone has left', {}],
    ['our deputy has left', {}],
    ['a carer handed in her notice', { kind: 'care' }],
    ['we are a dental practice', { kind: 'dental' }],
    ['can a hospice use this', { kind: 'hospice' }],
    ['what is a shared mailbox', {}],
    ['where do i find my ods code pls', {}],
    ['our ODS code is RRK', { odsCode: 'RRK' }],
  ])('"%s" → %j', (text, slots) => {
    expect(extractSlots(text)).toEqual(slots);
  });

  it('reads the parts of an address or a reference as nothing else', () => {
    expect(extractSlots('care.newcastle.bumbletonv12345@nhs.net')).toEqual({ nhsmailAddress: 'care.newcastle.bumbletonv12345@nhs.net' });
    expect(extractSlots('NST-AB23CD45 for V12345')).toEqual({ reference: 'NST-AB23CD45', odsCode: 'V12345' });
  });

  it.each([
    ['reset my password for bob.jones@nhs.net', 'reset my password for'],
    ['register V12345 at CM1 8FS', 'register at'],
    ['our postcode is LL9 and the location ID 1-1002733005', 'our postcode is and the location ID'],
    ['status of REG-7KD9QX2P?', 'status of ?'],
    ['how do i hide my mobile', 'how do i hide my mobile'],
  ])('questions are searched without the codes they carry: "%s" → "%s"', (text, rest) => {
    expect(withoutSlotValues(text)).toBe(rest);
  });
});
