import { EmbeddedAccountDirectory } from '../../adapters/embeddedAccountDirectory';
import { MemoryOutbox } from '../../adapters/memoryOutbox';
import type { NasRequestOf, RegistrationMember } from '../../adapters/nasRequests';
import { addressPart, sendWelcomeMessages, TEMPORARY_PASSWORD_PLACEHOLDER, usernamesFor } from '../../bot/backOffice/welcome';

const member = (firstName: string, lastName: string, extra: Partial<RegistrationMember> = {}): RegistrationMember => ({
  firstName,
  lastName,
  email: `${firstName.toLowerCase()}@example.org`,
  mobile: '+447400123456',
  role: 'Care Assistant',
  sharedMailboxAccess: false,
  mailboxAdmin: false,
  owner: false,
  ...extra,
});

function registration(kind: 'care' | 'dental', members: RegistrationMember[]): NasRequestOf<'registration'> {
  return {
    reference: 'REG-7KD9QX2P',
    kind: 'registration',
    queue: kind,
    odsCode: 'VLH01',
    status: 'done',
    history: [{ status: 'received', at: 0, by: 'requester' }, { status: 'done', at: 1, by: 'sam' }],
    details: {
      organisation: { kind, name: 'Larkspur House Care Home', odsCode: 'VLH01', cqcLocationId: '1-1002733005' },
      town: 'York',
      sharedMailboxAddress: 'care.york.larkspurhousecarehomevlh01@nhs.net',
      members,
      verifiedBy: 'otp',
    },
    requester: { conversationKey: 'k', conversationReference: null, channelId: 'webchat' },
    idempotencyKey: 'attempt-1',
    createdAt: 0,
    updatedAt: 1,
    version: 2,
  };
}

describe('NHSmail usernames for new members', () => {
  it.each([
    ["O'Neill", 'oneill'],
    ['Mary Jane', 'mary-jane'],
    ['Zoë', 'zoe'],
    ['Evans-Clark', 'evans-clark'],
    ['  Smith  ', 'smith'],
  ])('%s is written %s in an address', (name, part) => {
    expect(addressPart(name)).toBe(part);
  });

  it('are firstname.lastname@nhs.net, numbered when the address is taken in the directory or by another member', async () => {
    const taken = new Set(['amy.pearce@nhs.net', 'amy.pearce2@nhs.net']);
    const names = await usernamesFor(
      [member('Amy', 'Pearce'), member('Sam', 'Patel'), member('Sam', 'Patel'), member('Zoë', "D'Arcy")],
      async (address) => taken.has(address),
    );
    expect(names).toEqual(['amy.pearce3@nhs.net', 'sam.patel@nhs.net', 'sam.patel2@nhs.net', 'zoe.darcy@nhs.net']);
  });
});

describe('welcome messages when a registration is done', () => {
  const members = [
    member('Priya', 'Raman', { title: 'Mrs', owner: true, sharedMailboxAccess: true, mailboxAdmin: true, mobile: '+447400000031' }),
    member('Tom', 'Okafor', { sharedMailboxAccess: true, mobile: '+447400654321' }),
    member('Amy', 'Pearce', { mobile: '+447400111222' }),
  ];

  it('record each member a welcome email with their username and a text for the temporary password, once', async () => {
    const outbox = new MemoryOutbox();
    const request = registration('care', members);
    const sent = await sendWelcomeMessages(request, outbox, new EmbeddedAccountDirectory());
    expect(sent.map((m) => [m.channel, m.recipient])).toEqual([
      ['email', 'priya@example.org'],
      ['sms', '+447400000031'],
      ['email', 'tom@example.org'],
      ['sms', '+447400654321'],
      ['email', 'amy@example.org'],
      ['sms', '+447400111222'],
    ]);
    const [owner, ownerText, other, , third] = sent;
    // priya.raman@nhs.net and amy.pearce@nhs.net are accounts in the directory already.
    expect(owner!.body).toMatch(/^Dear Mrs Priya Raman,/);
    expect(owner!.body).toContain('Your username is priya.raman2@nhs.net.');
    expect(owner!.body).toContain('mobile ending 031');
    expect(owner!.body).toContain('You are an owner of Larkspur House Care Home\'s shared mailbox, care.york.larkspurhousecarehomevlh01@nhs.net');
    expect(owner!.body).toMatch(/careadmin@nhs\.net/);
    expect(owner!.tags).toEqual({ kind: 'welcome', reference: 'REG-7KD9QX2P', odsCode: 'VLH01', member: '1' });
    expect(ownerText!.body).toContain(`the temporary password for priya.raman2@nhs.net is ${TEMPORARY_PASSWORD_PLACEHOLDER}`);
    expect(other!.body).toContain('You can also open Larkspur House Care Home\'s shared mailbox');
    expect(third!.body).toContain('Your username is amy.pearce2@nhs.net.');
    expect(third!.body).not.toMatch(/shared mailbox, care\./);
    for (const message of sent) expect(message.body).toMatch(/www\.nhs\.net/);

    const again = await sendWelcomeMessages(request, outbox, new EmbeddedAccountDirectory());
    expect(again.map((m) => m.id)).toEqual(sent.map((m) => m.id));
    expect(await outbox.latest(100)).toHaveLength(6);
  });

  it('name dentistadmin for a dental practice', async () => {
    const outbox = new MemoryOutbox();
    const [email] = await sendWelcomeMessages(registration('dental', members.slice(0, 2)), outbox);
    expect(email!.body).toMatch(/dentistadmin@nhs\.net/);
    expect(email!.body).not.toMatch(/careadmin/);
  });
});
