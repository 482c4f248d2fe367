import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildBot, childEnv, inventedMember, REPO_ROOT, TypedMember } from '../helpers/bot';
import { ChatRun, chatSaid, runChat as runChatIn } from '../helpers/bot';

/**
 * Whole registrations in the terminal chat (`node dist/bot/chat.js`, as `npm run chat` runs it),
 * fed on a pipe: every line is what a user types, choices by their number where a list is shown.
 */


const REFERENCE = /Your reference is (REG-[A-Z2-9]{8})\./;

describe('registering in the terminal chat (node dist/bot/chat.js)', () => {
  let outDir: string;
  const temp = mkdtempSync(path.join(os.tmpdir(), 'nhsca-registration-chat-'));

  beforeAll(async () => {
    outDir = await buildBot();
  }, 120_000);

  afterAll(() => {
    rmSync(temp, { recursive: true, force: true });
  });

  const runChat = (lines: string[], env: Record<string, string> = {}, timeoutMs = 30_000) => runChatIn(outDir!, lines, env, timeoutMs);

  const said = chatSaid;

  /** What the user typed, as echoed. */
  const typed = (stdout: string) => [...stdout.matchAll(/\nyou> (.*)\n/g)].map((m) => m[1]);

  interface Member extends TypedMember {
    /** The number of the title in the list (8 is "No title"), and what it shows as. */
    title: [string, string];
    /** The number of the role in the list, and the role. */
    role: [string, string];
    /** Typed only when the question is asked: "1" yes, "2" no. */
    owner?: '1' | '2';
    access?: '1' | '2';
    admin?: '1' | '2';
  }

  /** The lines typed for one member, from the title (already asked) to the members list. */
  const memberLines = (m: Member) =>
    [m.title[0], m.firstName, m.lastName, m.email, m.mobile, m.role[0], m.owner, m.access, m.access === '1' ? m.admin : undefined].filter(
      (line): line is string => line !== undefined,
    );

  const describeMember = (n: number, m: Member, flags: string) =>
    `${n}. ${m.title[1] ? `${m.title[1]} ` : ''}${m.firstName} ${m.lastName} — ${m.role[1]}; ${flags}; ${m.email}; ${m.mobile}`;

  const OWNER_FLAGS = 'shared mailbox owner, in the shared mailbox, mailbox admin';

  /** Checks a finished run: exit 0, every line echoed, nothing refused; returns the messages and the reference. */
  function finished(run: ChatRun, lines: string[]): { messages: string[]; reference: string } {
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^NHSmail care assistant \(terminal chat; state: memory\)/);
    expect(typed(run.stdout)).toEqual(lines);
    const messages = said(run.stdout);
    // Every answer was taken: no complaint, no refusal, no problem.
    expect(messages.filter((m) => /^(Sorry|That |These details|Someone|A registration|The first member|There is no|No (care|dental))|\bis not\b|cannot be used/.test(m))).toEqual([]);
    const last = messages[messages.length - 1]!;
    expect(last).toMatch(/^Registration submitted\nThank you\. Your registration is with the National Administration Service\./);
    const reference = REFERENCE.exec(last)?.[1];
    expect(reference).toMatch(/^REG-[A-Z2-9]{8}$/);
    expect(last).toMatch(/\n {3}1\. Register another organisation\n {3}2\. Menu$/);
    return { messages, reference: reference! };
  }

  it('a care provider with its CQC contact ID registers 2 members, typing numbers for the choices', async () => {
    const outboxFile = path.join(temp, 'care-outbox.jsonl');
    const owner: Member = { ...inventedMember(0, 8), title: ['2', 'Mrs'], role: ['1', 'Registered Manager'] };
    const second: Member = { ...inventedMember(1, 8), title: ['8', ''], role: ['5', 'Care Assistant'], owner: '2', access: '1', admin: '2' };
    const lines = [
      '1', // Register my organisation for NHSmail
      '1', // Care provider
      '2', // no NHSmail account of their own
      '1', // DSPT published
      '2', // no passcode in hand
      '1', // knows the CQC contact ID
      '1', // Continue
      'LS6 1BN',
      '1', // Amazing Carehomes – CPODS2
      '1-1002733005',
      'CON1-123456789',
      'Leeds',
      'Leeds',
      '1', // Continue
      ...memberLines(owner),
      '1', // Add another member
      ...memberLines(second),
      '2', // Done
      '1', // Confirm and finish
    ];
    const run = await runChat(lines, { OUTBOX_FILE: outboxFile });
    const { messages, reference } = finished(run, lines);

    expect(run.stdout).toContain('   1. Care provider\n   2. Dental practice\n   3. Hospice\n');
    expect(run.stdout).toContain('   1. Amazing Carehomes – CPODS2\n   2. Amazing Home Care Ltd – VAHC1\n');
    expect(messages).toContain(
      'Step 3 of 4 · Town and members\nAmazing Carehomes is verified. What is its postcode town (the town in its postal address)? Our records give Leeds: choose it, or type the town if it is another.\n   1. Leeds',
    );
    const review = messages[messages.length - 2]!;
    expect(review).toMatch(/^Step 4 of 4 · Review and confirm\n/);
    for (const line of [
      '• Organisation: Amazing Carehomes',
      '• ODS code: CPODS2',
      '• Town: Leeds',
      '• Shared mailbox: care.leeds.amazingcarehomescpods2@nhs.net',
      `   ${describeMember(1, owner, OWNER_FLAGS)}`,
      `   ${describeMember(2, second, 'in the shared mailbox')}`,
    ]) {
      expect(review).toContain(line);
    }
    expect(review).toContain('   1. Confirm and finish\n   2. Change a detail\n   3. Back');
    expect(messages[messages.length - 1]).toContain(`Your reference is ${reference}.`);
    // Verified by contact ID: no passcode was sent, so nothing was written to the outbox journal.
    expect(existsSync(outboxFile)).toBe(false);
  });

  it('a dental practice on Route A with its CQC contact ID registers 10 members, typing numbers for the choices', async () => {
    const outboxFile = path.join(temp, 'dental-outbox.jsonl');
    const roles = ['Dentist', 'Dental Nurse', 'Dental Hygienist', 'Dental Therapist', 'Practice Manager', 'Receptionist', 'Administration & Clerical', 'Other'];
    const titles = ['Mr', 'Mrs', 'Miss', 'Ms', 'Mx', 'Dr', 'Prof', ''];
    const members: Member[] = Array.from({ length: 10 }, (_, i) => {
      const title = i === 0 ? 6 : i === 1 ? 8 : (i % 8) + 1;
      const role = i % 8;
      return {
        ...inventedMember(i, 9),
        title: [String(title), titles[title - 1]!],
        role: [String(role + 1), roles[role]!],
        // The owner question is asked while the practice has fewer than 2 owners: of member 2 only.
        owner: i === 1 ? '1' : undefined,
        access: i < 2 ? undefined : i % 2 === 0 ? '1' : '2',
        admin: i % 4 === 0 ? '1' : '2',
      };
    });
    const flags = (i: number) =>
      i < 2 ? OWNER_FLAGS : members[i]!.access === '2' ? 'not in the shared mailbox' : members[i]!.admin === '1' ? 'in the shared mailbox, mailbox admin' : 'in the shared mailbox';

    const lines = [
      '1', // Register my organisation for NHSmail
      '2', // Dental practice
      '2', // no NHSmail account of their own
      '1', // IG Toolkit or DSPT submitted
      '2', // no passcode in hand
      '1', // knows the CQC contact ID
      '1', // Continue
      'BS1 5TY',
      '1', // Riverside Dental Practice – DODSA1
      '1-1002733021',
      'CON1-223456789',
      'Bristol',
      'bristol',
      '1', // Continue
      ...members.flatMap((m, i) => [...(i > 0 ? ['1'] : []), ...memberLines(m)]), // "1": Add another member
      '1', // Done: with 10 members it is the only choice
      '1', // Confirm and finish
    ];
    const run = await runChat(lines, { OUTBOX_FILE: outboxFile });
    const { messages, reference } = finished(run, lines);

    expect(messages).toContain(
      'Step 3 of 4 · Town and members\nYour shared mailbox address will be:\nnhsdental.bristol.riversidedentalpracticedodsa1@nhs.net\nNext, the people who need a new NHSmail account: at least 2 and at most 10. The first person you add is the shared mailbox owner.\nAnyone who already has an NHSmail account must not be added: the owner can give them access to the shared mailbox later.\nBefore you add people, what happens to their details: their names, email addresses, mobile numbers and roles go to the National Administration Service (NAS) to create their NHSmail accounts. NAS keeps the request for 2 years. This chat keeps your answers only while you register, and they are deleted automatically once the chat has not been used for a while.\n   1. Continue\n   2. Back',
    );
    expect(run.stdout).toContain('   1. Dentist\n   2. Dental Nurse\n   3. Dental Hygienist\n   4. Dental Therapist\n   5. Practice Manager\n   6. Receptionist\n   7. Administration & Clerical\n   8. Other\n');
    // Asked once, of the second member; after that the practice has its 2 owners.
    const ownerQuestions = messages.filter((m) => m.includes('also be a shared mailbox owner?'));
    expect(ownerQuestions).toHaveLength(1);
    expect(ownerQuestions[0]).toContain(`Should ${members[1]!.firstName} ${members[1]!.lastName} also be a shared mailbox owner?`);
    expect(ownerQuestions[0]).toContain('A dental practice can have at most 2 owners, the first member included.');

    const fullList = messages[messages.length - 3]!;
    expect(fullList).toMatch(/^Step 3 of 4 · Members \(10 of 10\)\nThe people who will get NHSmail accounts:\n/);
    expect(fullList).toContain('Say "done" when the list is complete.\n');
    expect(fullList).toMatch(/\n {3}1\. Done$/);

    const review = messages[messages.length - 2]!;
    expect(review).toMatch(/^Step 4 of 4 · Review and confirm\n• Organisation: Riverside Dental Practice\n• ODS code: DODSA1\n• CQC location ID: 1-1002733021\n• Town: Bristol\n/);
    for (const [i, m] of members.entries()) expect(review).toContain(`   ${describeMember(i + 1, m, flags(i))}\n`);
    expect(review.match(/shared mailbox owner/g)).toHaveLength(2);
    expect(messages[messages.length - 1]).toContain(`Your reference is ${reference}.`);
    expect(messages[messages.length - 1]).toContain('contact dentistadmin@nhs.net');
    expect(existsSync(outboxFile)).toBe(false);
  });
});
