import { registrationStart } from '../../dialogs/registration/start';

/** What a message that asks to register already says: the registration's start input. */
describe('registrationStart', () => {
  it.each([
    ['I need to register Oakhaven Court, CM1 8FS', { organisationName: 'Oakhaven Court', postcode: 'CM1 8FS' }],
    ['register Oakhaven Court CM1 8FS please', { organisationName: 'Oakhaven Court', postcode: 'CM1 8FS' }],
    ['can I register our care home in LS6?', { kind: 'care', postcode: 'LS6' }],
    ['I want to register Riverside Dental Practice at BS1 5TY', { kind: 'dental', organisationName: 'Riverside Dental Practice', postcode: 'BS1 5TY' }],
    ['register our hospice', { kind: 'hospice' }],
    ['we need to register a dental practice', { kind: 'dental' }],
    ['register', undefined],
    ['Register my organisation for NHSmail', undefined],
    ['registration', undefined],
  ])('%j → %j', (text, start) => expect(registrationStart(text)).toEqual(start));
});
