import { QuestionsDialog } from '../../dialogs/questions';
import { fieldAsk } from '../../dialogs/questions/read';
import { Transcript, transcript } from '../helpers/transcript';

/**
 * Answers to a flow's questions must stay answers (SPEC §4: only questions interrupt). Whole
 * registrations and password help are walked as users answer them; at every question a flow
 * asks, each of its buttons and a list of the answers people give anywhere in the flows (postcodes,
 * names, towns, codes, yes and no, "I don't have one"…) is read both by the flow alone and by the
 * conversation with questions wired in: whenever the flow takes the text as an answer (an event),
 * the conversation must send that same event, never answer it as a question. The one exception is
 * by design: at a question typed in free text (a name, a town), "I don't have one" is explained
 * (where to find it), not taken as the name "I don't have one".
 */

const NORMAL_ANSWERS = [
  'yes', 'no', 'Yes', 'No', 'y', 'n', 'yeah', 'nope', 'yes please', 'no thanks', 'ok', 'continue', 'carry on', 'done', 'Done', 'add another',
  'confirm', 'confirm and finish', 'that is everyone', 'no title', 'Mr', 'Mrs', 'Ms', 'Dr', 'Miss',
  'care provider', 'care home', 'dental', 'dental practice', 'email', 'by email', 'post', 'by post', 'letter',
  'LS6 1BN', 'ls61bn', 'LS6', 'BS1 5TY', 'CPODS2', 'DODSA1', '1-1002733005', 'CON1-123456789', 'CON1 223456789',
  'Jane', 'Smith', 'Jane Smith', "O'Neill", 'Will', 'May', 'Hope', 'Grace', 'Bill', 'Mark', 'Sam', 'Lee', 'Ann', 'Kerr', 'Tom', 'Reid',
  'Leeds', 'Stockton-on-Tees', 'Newcastle upon Tyne', 'Westward Ho', 'Bath', 'Hull', 'Wells', 'Reading', 'Leeds please',
  'jane@example.co.uk', 'manager@amazingcarehomes.co.uk', 'tom.okafor@nhs.net', '07400 123456', '+44 7400 123456',
  'Registered Manager', 'registered manger', 'Nurse', 'Deputy Manager', 'Care Assistant', 'Senior Care Worker', 'Dentist', 'Dental Nurse', 'Other',
  'send it again', 'send another', 'it hasnt come', "it hasn't arrived", 'not yet', "I don't have one", "I haven't got one", 'no mobile',
  'I forgot my password', "I can't answer my security questions", 'yes text me a code', 'that worked', 'raise a reset request', 'Done, thanks',
  '1', '2', '3', 'none of these', 'none', 'change', 'remove', 'edit', 'back',
  'last friday', 'today', 'tomorrow', '31/12/2026', '1 December', 'leaving care altogether', 'moving to another provider', 'sarah.hollis@nhs.net',
];

interface Problem {
  step: string;
  text: string;
  flowSaid: string;
  conversationSaid: string;
}

const problems: Problem[] = [];
const steps = new Set<string>();
const explained: string[] = [];
const original = QuestionsDialog.prototype.inFlow;

beforeAll(() => {
  jest.spyOn(QuestionsDialog.prototype, 'inFlow').mockImplementation(function (this: QuestionsDialog, text, flow, memory) {
    const prompt = flow.dialog.prompt(flow.snapshot);
    const step = `${flow.dialog.id}: ${prompt.text.split('\n').slice(0, 2).join(' / ')}`;
    steps.add(step);
    for (const candidate of [...(prompt.choices ?? []), ...NORMAL_ANSWERS]) {
      const own = flow.dialog.parse(candidate, flow.snapshot);
      if (!own || 'invalid' in own || 'say' in own) continue;
      const read = original.call(this, candidate, flow, memory);
      if (fieldAsk(candidate) && !prompt.choices?.length) {
        explained.push(read.kind);
        continue;
      }
      if (read.kind !== 'event' || read.event.type !== 'TO_FLOW' || JSON.stringify(read.event.event) !== JSON.stringify(own)) {
        problems.push({ step, text: candidate, flowSaid: JSON.stringify(own), conversationSaid: JSON.stringify(read).slice(0, 200) });
      }
    }
    return original.call(this, text, flow, memory);
  });
});

afterAll(() => jest.restoreAllMocks());

async function answerAll(t: Transcript, answers: string[]): Promise<string> {
  let last = '';
  for (const answer of answers) last = await t.ask(answer);
  return last;
}

async function latestPasscode(t: Transcript): Promise<string> {
  const [message] = await t.assistant.adapters.outbox.latest(1);
  const code = /is: ([A-Z2-9]{8})/.exec(message?.body ?? '')?.[1];
  if (!code) throw new Error('no passcode in the outbox');
  return code;
}

const OWNER = ['Mrs', 'Jane', 'Smith', 'jane@example.co.uk', '07400 123456', 'Registered Manager'];
const SECOND = ['add another', 'no title', 'Sam', 'Lee', 'sam@example.com', '07400 654321', 'Nurse', 'no', 'yes', 'no'];

describe('answers to every question of the flows stay answers', () => {
  it('a care registration verified by CQC contact ID, to the end', async () => {
    const t = transcript();
    const last = await answerAll(t, [
      'register', 'care provider', 'no', 'yes', 'no', 'yes', 'continue', 'LS6 1BN', 'CPODS2', '1-1002733005', 'CON1-123456789',
      'Leeds', 'Leeds', 'continue', ...OWNER, ...SECOND, 'done', 'confirm and finish',
    ]);
    expect(last).toMatch(/REG-[A-Z2-9]{8}/);
  });

  it('a care registration verified by a passcode sent by email', async () => {
    const t = transcript();
    await answerAll(t, ['register', 'care provider', 'no', 'yes', 'no', 'no', 'email', 'continue', 'LS6 1BN', 'CPODS2']);
    let last = await t.ask('1-1002733005');
    if (/registered manager's email/.test(last)) last = await t.ask('manager@amazingcarehomes.co.uk');
    if (/CQC location ID\?/.test(last)) last = await t.ask('1-1002733005');
    expect(last).toMatch(/passcode/);
    await t.ask('it hasnt come');
    expect(await t.ask(await latestPasscode(t))).toMatch(/verified/);
  });

  it('a dental practice on Route B', async () => {
    const t = transcript();
    await answerAll(t, ['register', 'dental', 'no', 'yes', 'no', 'yes', 'continue', 'B16 9LA']);
    const next = await t.ask('DODSB1');
    const waiting = /CQC location ID\?/.test(next) ? await t.ask('1-1002733039') : next;
    expect(waiting).toMatch(/Route B/);
    await t.ask('yes');
  });

  it('the stops of the checks', async () => {
    for (const answers of [['register', '3'], ['register', 'dental', 'yes'], ['register', 'care', 'no', 'no']]) {
      const t = transcript();
      await answerAll(t, answers);
      await t.ask('back');
    }
  });

  it('password help: each topic, a reset verified by a code, and one without a mobile', async () => {
    for (const topic of ['1', '2', '3', '4', '5', '6', '7']) {
      const t = transcript();
      await answerAll(t, ['Password and account help', topic, 'done']);
    }
    const t = transcript();
    await answerAll(t, ['hi', 'I forgot my password', "I can't answer my security questions", 'tom.okafor@nhs.net', 'yes text me a code']);
    const other = transcript('test', t);
    await answerAll(other, ['hi', 'I cant log in', 'forgot my password', "don't know my security answers", 'Joseph.Achebe@nhs.net', 'no, there is no mobile on my account', '07400 123456']);
  });

  it("owners' requests: a leaver reported by a shared mailbox owner", async () => {
    const t = transcript();
    await answerAll(t, ['hi', 'Tom has left', 'sarah.hollis@nhs.net']);
    const [mail] = (await t.assistant.adapters.outbox.latest(20)).filter((m) => m.recipient === 'sarah.hollis@nhs.net');
    const code = /\b(\d{6})\b/.exec(mail?.body ?? '')?.[1] ?? '';
    expect(await answerAll(t, [code, 'yes', 'last friday', 'leaving care altogether', 'confirm'])).toMatch(/LVR-[A-Z2-9]{8}/);
  });

  it('found no answer taken for a question (and walked the flows)', () => {
    if (process.env.SHOW_STEPS) console.log([...steps].join('\n'));
    expect(steps.size).toBeGreaterThan(30);
    expect(problems).toEqual([]);
    expect(explained.length).toBeGreaterThan(0);
    expect(new Set(explained)).toEqual(new Set(['say']));
  });
});
