import { knowledge } from '../../dialogs/knowledge';

const kb = knowledge();

/** The registration's fields (SPEC §1.1–1.4), each with "why do you need that?" and "where do I find it?". */
const FIELDS = [
  'organisationKind', 'existingAccount', 'toolkit', 'otpInHand', 'cqcContactIdKnown', 'otpDelivery', 'postcode', 'odsCode',
  'managerEmail', 'cqcLocationId', 'cqcContactId', 'passcode', 'confirmCqcDetails', 'town', 'townAbbreviation', 'memberTitle',
  'memberFirstName', 'memberLastName', 'memberEmail', 'memberMobile', 'memberRole', 'memberSharedMailbox', 'memberMailboxAdmin',
  'memberOwner',
];

describe('field explanations for the registration', () => {
  it.each(FIELDS)('%s has a why and a where-to-find text for every kind', (field) => {
    for (const kind of ['care', 'dental', undefined] as const) {
      const help = kb.field(field, kind)!;
      expect(help.field).toBe(field);
      expect(help.label.length).toBeGreaterThan(0);
      expect(help.why.length).toBeGreaterThan(30);
      expect(help.whereToFind.length).toBeGreaterThan(20);
      expect(`${help.why} ${help.whereToFind}`).not.toMatch(/[{}]/);
    }
  });

  it('words the toolkit and the roles for the kind', () => {
    expect(kb.field('toolkit', 'care')!.why).toContain('Approaching Standards');
    expect(kb.field('toolkit', 'dental')!.why).toContain('IG Toolkit');
    expect(kb.field('memberRole', 'care')!.whereToFind).toContain('Senior Care Worker');
    expect(kb.field('memberRole', 'dental')!.whereToFind).toContain('Dental Nurse');
    expect(kb.field('passcode', 'dental')!.whereToFind).toContain('14 days');
    expect(kb.field('existingAccount', 'dental')!.whereToFind).toContain('dentistadmin@nhs.net');
  });

  it("is found by the registration machine's state name too", () => {
    expect(kb.field('chooseOrganisation')!.field).toBe('odsCode');
    expect(kb.field('enterPasscode')!.field).toBe('passcode');
    expect(kb.field('townConfirm')!.field).toBe('town');
    expect(kb.field('noSuchField')).toBeUndefined();
  });
});
