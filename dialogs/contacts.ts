/** Who helps with what (SPEC: "Who uses it, and for what"). */

export const NATIONAL_HELPDESK = {
  email: 'helpdesk@nhs.net',
  phone: '0333 200 1133',
  hours: '24 hours a day, every day',
} as const;

export const ODS_HELPDESK_EMAIL = 'exeter.helpdesk@nhs.net';

export const NAS_HOURS = '9am to 5pm, Monday to Friday (not on bank holidays in England)';

export type AdminKind = 'care' | 'dental';

/** The National Administration Service mailbox for each kind of organisation. */
export const ADMIN_EMAIL: Record<AdminKind, string> = {
  care: 'careadmin@nhs.net',
  dental: 'dentistadmin@nhs.net',
};

/** Days a one-time passcode stays valid after it is issued (SPEC §1.1, question 4). */
export const OTP_VALID_DAYS: Record<AdminKind, number> = { care: 21, dental: 14 };
