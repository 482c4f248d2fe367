import { NATIONAL_HELPDESK, ODS_HELPDESK_EMAIL } from '../contacts';
import type { FieldInfo } from '../types';

/** Why each registration detail is asked for, and where to find it (CONTRACTS §4). */
export const FIELDS = {
  organisationKind: {
    name: 'the kind of organisation',
    why: 'Care providers and dental practices register through different NAS teams, with different checks; hospices join another way.',
    whereToFind: 'A care home or a home care (domiciliary care) service is a care provider; a dental surgery is a dental practice.',
  },
  existingAccount: {
    name: 'whether you have an NHSmail account',
    why: 'Each person may have only one NHSmail account, so someone who already has one must not register (it would make a duplicate).',
    whereToFind: 'You have one if you have ever logged in at www.nhs.net with an address ending @nhs.net, for example from another job in health or care.',
  },
  toolkit: {
    name: 'your Data Security and Protection Toolkit',
    why: 'NHSmail is only for organisations that have shown they handle data safely, which is what the Data Security and Protection Toolkit (DSPT) records.',
    whereToFind: `Your DSPT status is on the DSPT website (www.dsptoolkit.nhs.uk), under your ODS code. The ODS helpdesk (${ODS_HELPDESK_EMAIL}) can tell you whether yours is published.`,
  },
  otpInHand: {
    name: 'whether you have a one-time passcode',
    why: 'A one-time passcode proves you act for the organisation; if you already have a valid one, you can use it.',
    whereToFind: 'It is an 8-character code in an email to the registered manager or a letter to the CQC-registered address, from NHSmail registration.',
  },
  cqcContactId: {
    name: 'your CQC contact ID',
    why: 'The CQC contact ID proves you act for the organisation without waiting for a passcode.',
    whereToFind: "It is the registered manager's ID, printed on the registered manager's CQC certificate, and looks like CON1-123456789. If you cannot find it, say no and a passcode will be sent instead.",
  },
  otpDelivery: {
    name: 'how to receive a passcode',
    why: 'The passcode goes only to contact details CQC already holds, so that only the organisation receives it.',
    whereToFind: "Email is quickest (it goes to the registered manager's address we hold); a letter goes to your CQC-registered address and takes a few days.",
  },
  postcode: {
    name: "your organisation's postcode",
    why: 'It finds the organisations registered there, so you can pick yours.',
    whereToFind: "It is the postcode of the site's address, as registered with CQC.",
  },
  organisation: {
    name: 'your organisation',
    why: 'The registration is for one organisation (one site), identified by its ODS code.',
    whereToFind: `Your ODS code is the code NHS England gives your organisation (care sites' codes usually begin with V). It is on your DSPT, and the ODS helpdesk (${ODS_HELPDESK_EMAIL}) can tell you yours.`,
  },
  managerEmail: {
    name: "the registered manager's email address",
    why: 'The passcode is emailed only to the address held for the organisation, so it must match.',
    whereToFind: "It is the registered manager's email address as registered with CQC for this location.",
  },
  cqcLocationId: {
    name: 'your CQC location ID',
    why: 'It proves, together with the passcode or the CQC contact ID, that you act for this organisation.',
    whereToFind: "It is on your CQC registration certificate and on your location's page on the CQC website (www.cqc.org.uk): 1- followed by 9 to 11 digits, such as 1-1002733005.",
  },
  contactId: {
    name: 'your CQC contact ID',
    why: 'It proves, with the CQC location ID, that you act for this organisation.',
    whereToFind: "It is printed on the registered manager's CQC certificate and looks like CON1-123456789.",
  },
  passcode: {
    name: 'your one-time passcode',
    why: 'It proves, with the CQC location ID, that you act for this organisation.',
    whereToFind: `It is the 8 characters in the email or letter we sent (never 0, O, 1 or I). If it never came, say "send it again", or call the national helpdesk on ${NATIONAL_HELPDESK.phone}.`,
  },
  town: {
    name: 'your postcode town',
    why: 'It becomes the first part of your shared mailbox address.',
    whereToFind: 'It is the town in your postal address (the post town), for example Leeds.',
  },
  townAbbreviation: {
    name: 'a short form of your town',
    why: 'The town part of a shared mailbox address can have at most 10 letters.',
    whereToFind: 'Any short form people would recognise, for example "stockton" for Stockton-on-Tees.',
  },
} satisfies Record<string, FieldInfo>;
