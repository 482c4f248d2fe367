/**
 * Writes the embedded organisation directory, `adapters/data/organisations.json`: about 2,000
 * invented care homes, domiciliary care providers, dental practices and hospices in English towns,
 * with real post towns and realistic outward codes but invented names, addresses, people, email
 * domains and mobiles (07400 range). Deterministic: a fixed seed drives a small PRNG (mulberry32),
 * so the same version of this script always writes the same file.
 *
 *   npm run directory:generate
 *
 * The fixed fixtures come first (see FIXTURES below, and the table at the top of
 * adapters/embeddedOrganisationDirectory.ts). Change DIRECTORY_VERSION when the output changes on
 * purpose. The data set is validated against the adapter's schema before it is written, and every
 * mobile is checked with libphonenumber-js/max: the script fails loudly otherwise.
 *
 * It writes the account directory too (`adapters/data/accounts.json`, see
 * scripts/generateAccounts.ts): the accounts decide the organisations' `existingAccounts`.
 *
 * The adapters import the JSON (so that the build copies it to dist/), so the files must exist for
 * the build: should one ever be lost, write `{}` to it and run the script again.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { DirectoryDataSet, parseDirectoryDataSet } from '../adapters/embeddedOrganisationDirectory';
import type { ExistingAccount, Organisation, OrganisationKind } from '../adapters/organisationDirectory';
import type { AccountDataSet } from '../adapters/embeddedAccountDirectory';
import { existingAccountsOf } from './accountFixtures';
import { generateAccounts, serialiseAccounts } from './generateAccounts';
import { mulberry32, Random } from './random';

export { mulberry32 };

export const DIRECTORY_SEED = 20_240_611;
export const DIRECTORY_VERSION = 1;

/** How many of each are generated, besides the fixtures. */
export const TARGET_COUNTS = { careHomes: 800, domiciliaryCare: 540, dental: 660, hospices: 11 } as const;

// ---------------------------------------------------------------------------------------------
// Places: real English post towns with outward codes of that post town.

interface Town {
  name: string;
  outward: string[];
}

function range(area: string, from: number, to: number): string[] {
  const out: string[] = [];
  for (let n = from; n <= to; n++) out.push(`${area}${n}`);
  return out;
}

export const TOWNS: readonly Town[] = [
  { name: 'Leeds', outward: range('LS', 1, 20) },
  { name: 'Bristol', outward: range('BS', 1, 16) },
  { name: 'Norwich', outward: range('NR', 1, 14) },
  { name: 'Truro', outward: range('TR', 1, 4) },
  { name: 'Shrewsbury', outward: range('SY', 1, 5) },
  { name: 'Northallerton', outward: ['DL6', 'DL7'] },
  { name: 'Middlesbrough', outward: range('TS', 1, 9) },
  { name: 'Stockton-on-Tees', outward: range('TS', 18, 21) },
  { name: 'Wolverhampton', outward: range('WV', 1, 11) },
  { name: 'Hull', outward: range('HU', 1, 9) },
  { name: 'Newcastle upon Tyne', outward: range('NE', 1, 7) },
  { name: 'Brighton', outward: ['BN1', 'BN2', 'BN41'] },
  { name: 'Hove', outward: ['BN3'] },
  { name: 'Sheffield', outward: range('S', 1, 14) },
  { name: 'Manchester', outward: ['M1', 'M4', 'M8', 'M9', ...range('M', 11, 16), ...range('M', 18, 23)] },
  { name: 'Salford', outward: ['M5', 'M6', 'M7'] },
  { name: 'Liverpool', outward: [...range('L', 1, 19), 'L24', 'L25'] },
  { name: 'Birmingham', outward: range('B', 1, 38) },
  { name: 'Sutton Coldfield', outward: range('B', 72, 76) },
  { name: 'Coventry', outward: range('CV', 1, 6) },
  { name: 'Leicester', outward: range('LE', 1, 5) },
  { name: 'Nottingham', outward: range('NG', 1, 11) },
  { name: 'Derby', outward: ['DE1', 'DE3', 'DE21', 'DE22', 'DE23', 'DE24'] },
  { name: 'Stoke-on-Trent', outward: ['ST1', 'ST2', 'ST3', 'ST4', 'ST6'] },
  { name: 'Stafford', outward: range('ST', 16, 18) },
  { name: 'York', outward: ['YO1', 'YO10', 'YO23', 'YO24', 'YO26', 'YO30', 'YO31', 'YO32'] },
  { name: 'Harrogate', outward: range('HG', 1, 3) },
  { name: 'Scarborough', outward: ['YO11', 'YO12'] },
  { name: 'Whitby', outward: ['YO21', 'YO22'] },
  { name: 'Bradford', outward: range('BD', 1, 10) },
  { name: 'Huddersfield', outward: range('HD', 1, 5) },
  { name: 'Wakefield', outward: ['WF1', 'WF2'] },
  { name: 'Halifax', outward: range('HX', 1, 3) },
  { name: 'Doncaster', outward: range('DN', 1, 5) },
  { name: 'Grimsby', outward: range('DN', 31, 34) },
  { name: 'Sunderland', outward: range('SR', 1, 6) },
  { name: 'Durham', outward: ['DH1'] },
  { name: 'Darlington', outward: range('DL', 1, 3) },
  { name: 'Carlisle', outward: range('CA', 1, 3) },
  { name: 'Kendal', outward: ['LA9'] },
  { name: 'Lancaster', outward: ['LA1'] },
  { name: 'Barrow-in-Furness', outward: ['LA13', 'LA14'] },
  { name: 'Preston', outward: ['PR1', 'PR2'] },
  { name: 'Blackpool', outward: range('FY', 1, 4) },
  { name: 'Blackburn', outward: ['BB1', 'BB2'] },
  { name: 'Bolton', outward: range('BL', 1, 3) },
  { name: 'Wigan', outward: range('WN', 1, 3) },
  { name: 'Warrington', outward: range('WA', 1, 5) },
  { name: 'Chester', outward: range('CH', 1, 4) },
  { name: 'Crewe', outward: ['CW1', 'CW2'] },
  { name: 'Telford', outward: range('TF', 1, 7) },
  { name: 'Hereford', outward: range('HR', 1, 4) },
  { name: 'Worcester', outward: range('WR', 1, 5) },
  { name: 'Gloucester', outward: range('GL', 1, 4) },
  { name: 'Cheltenham', outward: range('GL', 50, 53) },
  { name: 'Oxford', outward: range('OX', 1, 4) },
  { name: 'Reading', outward: ['RG1', 'RG2', 'RG4', 'RG6', 'RG30', 'RG31'] },
  { name: 'Basingstoke', outward: range('RG', 21, 24) },
  { name: 'Swindon', outward: range('SN', 1, 5) },
  { name: 'Bath', outward: ['BA1', 'BA2'] },
  { name: 'Weston-super-Mare', outward: range('BS', 22, 24) },
  { name: 'Salisbury', outward: ['SP1', 'SP2'] },
  { name: 'Exeter', outward: range('EX', 1, 4) },
  { name: 'Barnstaple', outward: ['EX31', 'EX32'] },
  { name: 'Plymouth', outward: range('PL', 1, 9) },
  { name: 'Torquay', outward: ['TQ1', 'TQ2'] },
  { name: 'Taunton', outward: range('TA', 1, 3) },
  { name: 'Penzance', outward: range('TR', 18, 20) },
  { name: 'Bournemouth', outward: range('BH', 1, 11) },
  { name: 'Poole', outward: range('BH', 12, 17) },
  { name: 'Southampton', outward: range('SO', 14, 19) },
  { name: 'Winchester', outward: ['SO22', 'SO23'] },
  { name: 'Portsmouth', outward: range('PO', 1, 6) },
  { name: 'Chichester', outward: range('PO', 18, 20) },
  { name: 'Worthing', outward: range('BN', 11, 14) },
  { name: 'Eastbourne', outward: range('BN', 20, 23) },
  { name: 'Hastings', outward: ['TN34', 'TN35'] },
  { name: 'Tunbridge Wells', outward: range('TN', 1, 4) },
  { name: 'Guildford', outward: range('GU', 1, 4) },
  { name: 'Crawley', outward: ['RH10', 'RH11'] },
  { name: 'Canterbury', outward: ['CT1', 'CT2'] },
  { name: 'Margate', outward: ['CT9'] },
  { name: 'Folkestone', outward: range('CT', 18, 20) },
  { name: 'Maidstone', outward: range('ME', 14, 17) },
  { name: 'Chelmsford', outward: range('CM', 1, 3) },
  { name: 'Colchester', outward: range('CO', 1, 4) },
  { name: 'Southend-on-Sea', outward: range('SS', 0, 3) },
  { name: 'Ipswich', outward: range('IP', 1, 5) },
  { name: 'Bury St Edmunds', outward: ['IP32', 'IP33'] },
  { name: 'Great Yarmouth', outward: range('NR', 29, 31) },
  { name: 'Cambridge', outward: range('CB', 1, 5) },
  { name: 'Peterborough', outward: range('PE', 1, 4) },
  { name: "King's Lynn", outward: range('PE', 30, 34) },
  { name: 'Lincoln', outward: range('LN', 1, 6) },
  { name: 'Northampton', outward: range('NN', 1, 5) },
  { name: 'Milton Keynes', outward: range('MK', 1, 15) },
  { name: 'Bedford', outward: range('MK', 40, 45) },
  { name: 'Luton', outward: range('LU', 1, 4) },
  { name: 'Stevenage', outward: ['SG1', 'SG2'] },
  { name: 'Watford', outward: ['WD17', 'WD18', 'WD19', 'WD24', 'WD25'] },
  { name: 'St Albans', outward: range('AL', 1, 4) },
  { name: 'Hemel Hempstead', outward: range('HP', 1, 3) },
  { name: 'High Wycombe', outward: range('HP', 11, 13) },
  { name: 'Aylesbury', outward: range('HP', 19, 22) },
  { name: 'Croydon', outward: ['CR0', 'CR2'] },
  { name: 'Kingston upon Thames', outward: ['KT1', 'KT2'] },
  { name: 'Bromley', outward: ['BR1', 'BR2'] },
  { name: 'Romford', outward: range('RM', 1, 7) },
  { name: 'Harrow', outward: range('HA', 1, 3) },
];

/** Letters used in the inward code of a postcode (Royal Mail never uses C, I, K, M, O or V there). */
const INWARD_LETTERS = 'ABDEFGHJLNPQRSTUWXYZ';

const STREETS = [
  'Church Lane', 'High Street', 'Station Road', 'Mill Lane', 'Park Avenue', 'Victoria Road', 'London Road',
  'Manor Road', 'The Green', "Queen's Road", 'Chapel Street', 'Albert Road', 'Green Lane', 'Grange Road',
  'Springfield Road', 'Kingsway', 'Westfield Avenue', 'Highfield Road', 'Hall Lane', 'School Lane',
  'New Road', 'North Road', 'South Street', 'West Street', 'Elm Grove', 'Oak Avenue', 'Beech Road',
  'Willow Close', 'Orchard Way', 'Meadow Lane', 'Riverside Walk', 'Bridge Street', 'Market Place',
  'Castle Street', 'Abbey Road', 'Priory Lane', 'Vicarage Lane', 'Rectory Road', 'Cemetery Road',
  'Moor Lane', 'Hillside Crescent', 'Lime Tree Avenue', 'Cedar Drive', 'Stanley Road', 'Windsor Road',
  'Clarence Street', 'Hartley Road', 'Prospect Hill', 'Marlborough Road', 'Wellington Street',
  'Nelson Street', 'Trinity Road', 'St John\'s Road', 'St Mary\'s Lane', 'Carr Lane', 'Common Lane',
  'Ashby Road', 'Derwent Road', 'Fairfield Road', 'Tennyson Avenue', 'Coronation Road', 'Jubilee Way',
  'Cross Street', 'Union Street', 'Brook Street', 'Crown Street', 'Canal Side', 'Wharf Road',
];

const BUSINESS_PARKS = [
  'Riverside Business Park', 'Enterprise House', 'Phoenix Court', 'Innovation Centre', 'Kingfisher House',
  'Gateway Business Centre', 'Millennium House', 'Imperial Court', 'Beacon House', 'Sovereign Park',
  'Meridian Business Centre', 'Waterside House', 'The Old Mill', 'Clock Tower Offices', 'Station House',
];

// ---------------------------------------------------------------------------------------------
// Names

const NAME_START = [
  'Meadow', 'Oak', 'Willow', 'Beech', 'Ash', 'Holly', 'Rose', 'Elm', 'Birch', 'Cedar', 'Maple', 'Hazel',
  'Larch', 'Pine', 'Rowan', 'Fern', 'Heather', 'Primrose', 'Lavender', 'Bramble', 'Clover', 'Briar',
  'Thorn', 'Brook', 'River', 'Lake', 'Glen', 'Moor', 'Hill', 'Stone', 'Green', 'Silver', 'Fair', 'High',
  'Long', 'Mill', 'Church', 'Abbey', 'Priory', 'Grange', 'Kings', 'Queens', 'Bishops', 'Castle', 'Park',
  'Orchard', 'Laurel', 'Chestnut', 'Sycamore', 'Poplar', 'Juniper', 'Alder', 'Lime', 'Spring', 'Sunny',
];
const NAME_END = [
  'bank', 'field', 'brook', 'wood', 'grove', 'dale', 'lea', 'mead', 'croft', 'side', 'view', 'ford',
  'hurst', 'haven', 'mount', 'lands', 'gate', 'well', 'ley', 'cote', 'combe', 'acre', 'holme', 'stead',
];
const THE_NAMES = [
  'The Elms', 'The Laurels', 'The Cedars', 'The Firs', 'The Limes', 'The Hollies', 'The Willows',
  'The Beeches', 'The Old Rectory', 'The Manor House', 'The Grange', 'The Poplars', 'The Chestnuts',
  'The Orchards', 'The Maples', 'The Sycamores', 'The Coach House', 'The White House', 'The Mount',
];
const SAINTS = [
  "St Anne's", "St Mary's", "St George's", "St Luke's", "St Michael's", "St Margaret's", "St Helen's",
  "St Andrew's", "St Bartholomew's", "St Agnes'", "St Clare's", "St Joseph's", "St Teresa's", "St Aidan's",
];
const CARE_HOME_SUFFIXES = [
  'Care Home', 'Care Home', 'Care Home', 'Nursing Home', 'Nursing Home', 'Residential Home', 'House',
  'Lodge', 'Manor', 'Court', 'Hall', 'Care Centre', 'Residential Care Home', 'House Care Home',
  'Lodge Nursing Home', 'Court Care Home', 'Park Care Home',
];
const CARE_HOME_LONG_SUFFIXES = [
  'Residential and Nursing Home for Older People',
  'Specialist Dementia Care and Nursing Centre',
  'Court Residential Care Home for Adults with Learning Disabilities',
  'House Nursing, Residential and Respite Care Home',
  'Manor Residential Home and Day Care Centre',
];
const HOME_CARE_WORDS = [
  'Caring', 'Gentle', 'Kindly', 'Trusted', 'Bright', 'Compass', 'Harmony', 'Evergreen', 'Silverline', 'Amber',
  'Heartfelt', 'Comfort', 'Unity', 'Dignity', 'Beacon', 'Guardian', 'Lighthouse', 'Cornerstone', 'Keystone',
  'Horizon', 'Bluebell', 'Sunflower', 'Kingfisher', 'Skylark', 'Wren', 'Robin', 'Acorn', 'Anchor', 'Harbour',
  'Summit', 'Meridian', 'Northstar', 'Hearthstone', 'Willing', 'Steadfast', 'Radiant',
];
const HOME_CARE_SUFFIXES = [
  'Home Care Ltd', 'Home Care', 'Care at Home', 'Homecare Services', 'Community Care Ltd', 'Domiciliary Care',
  'Care Services Ltd', 'Home Support Ltd', 'Care Agency', 'Homecare Ltd', 'Support at Home Ltd',
];
const HOME_CARE_LONG_SUFFIXES = [
  'Domiciliary and Supported Living Care Services Limited',
  'Home Care, Reablement and Live-in Support Services Ltd',
  'Community Nursing and Personal Care at Home Limited',
];
const DENTAL_SUFFIXES = [
  'Dental Practice', 'Dental Practice', 'Dental Surgery', 'Dental Care', 'Dental Centre', 'Dental Clinic',
  'Family Dental Practice', 'Dental Studio', 'Dental Health Centre', 'Smile Centre',
];
const DENTAL_LONG_SUFFIXES = [
  'Family and Cosmetic Dental Practice and Implant Centre',
  'NHS and Private Dental Surgery and Orthodontic Clinic',
  'Community Dental Practice and Oral Health Education Centre',
];
const HOSPICE_NAMES = [
  "St Aldhelm's Hospice", "St Bede's Hospice", "St Oswin's Hospice", "St Werburgh's Hospice",
  "St Petroc's Hospice", "St Cedd's Hospice", 'Larkrise Hospice', 'Moorview Hospice', 'Kingfisher Hospice',
  'Heronsgate Hospice', 'Meadowsweet Hospice', 'Swallowfield Hospice', 'Wheatley Grange Hospice',
];
const HANDS = ['Caring', 'Gentle', 'Kind', 'Safe', 'Warm', 'Trusted', 'Willing', 'Golden', 'Steady', 'Open'];

const FIRST_NAMES = [
  'Sarah', 'James', 'Emma', 'David', 'Claire', 'Michael', 'Rachel', 'Paul', 'Joanne', 'Mark', 'Helen', 'Andrew',
  'Karen', 'Richard', 'Nicola', 'Daniel', 'Laura', 'Thomas', 'Amy', 'Christopher', 'Rebecca', 'Matthew',
  'Lisa', 'Steven', 'Hannah', 'Gareth', 'Sophie', 'Ian', 'Gemma', 'Peter', 'Priya', 'Mohammed', 'Aisha',
  'Oluwaseun', 'Chinedu', 'Fatima', 'Anil', 'Deepa', 'Grace', 'Joseph', 'Mary', 'Patrick', 'Siobhan',
  'Agnieszka', 'Tomasz', 'Maria', 'Ana', 'Kwame', 'Ama', 'Hassan', 'Zainab', 'Ravi', 'Sunita', 'Wei', 'Mei',
  'Joy', 'Blessing', 'Tendai', 'Rutendo', 'Kelly', 'Dawn', 'Tracey', 'Julie', 'Susan', 'Lynne', 'Gary',
];
const LAST_NAMES = [
  'Smith', 'Jones', 'Taylor', 'Brown', 'Williams', 'Wilson', 'Johnson', 'Davies', 'Robinson', 'Wright',
  'Thompson', 'Evans', 'Walker', 'White', 'Roberts', 'Green', 'Hall', 'Wood', 'Jackson', 'Clarke', 'Patel',
  'Khan', 'Ahmed', 'Begum', 'Singh', 'Okafor', 'Adeyemi', 'Mensah', 'Nowak', 'Kowalski', 'Murphy', 'Kelly',
  'Hughes', 'Edwards', 'Turner', 'Hill', 'Moore', 'Cooper', 'Ward', 'Morris', 'King', 'Watson', 'Harrison',
  'Baker', 'Lewis', 'Young', 'Allen', 'Mitchell', 'Shaw', 'Lee', 'Chen', 'Nguyen', 'Fernandes', 'Silva',
  'Moyo', 'Banda', 'Osei', 'Chaudhry', 'Hussain', 'Sharma', 'Gill', 'Bennett', 'Holmes', 'Fletcher', 'Dixon',
];

const MANAGER_MAILBOXES = ['manager', 'registeredmanager', 'info', 'admin', 'office', 'enquiries', 'reception'];
const CARE_TLDS = ['co.uk', 'co.uk', 'co.uk', 'org.uk', 'com', 'uk'];

// ---------------------------------------------------------------------------------------------
// Fixtures

/** Fixed organisations at the start of the data set, for tests and for trying the assistant by hand. */
export const FIXTURES: readonly Organisation[] = [
  {
    kind: 'care',
    name: 'Amazing Carehomes',
    odsCode: 'CPODS2',
    cqcLocationId: '1-1002733005',
    cqcContactId: 'CON1-123456789',
    address: { lines: ['Amazing House', '14 Headingley Lane'], town: 'Leeds', postcode: 'LS6 1BN' },
    registeredManagerEmail: 'manager@amazingcarehomes.co.uk',
    hasSharedMailbox: false,
    hasPendingRegistration: false,
    fullDetailsHeld: true,
    existingAccounts: [],
  },
  {
    kind: 'care',
    name: 'Amazing Home Care Ltd',
    odsCode: 'VAHC1',
    cqcLocationId: '1-1002733013',
    cqcContactId: 'CON1-123456790',
    address: { lines: ['Suite 2, Amazing House', '14 Headingley Lane'], town: 'Leeds', postcode: 'LS6 1BN' },
    registeredManagerEmail: 'office@amazinghomecare.co.uk',
    hasSharedMailbox: false,
    hasPendingRegistration: false,
    fullDetailsHeld: true,
    existingAccounts: [],
  },
  {
    kind: 'dental',
    name: 'Riverside Dental Practice',
    odsCode: 'DODSA1',
    cqcLocationId: '1-1002733021',
    cqcContactId: 'CON1-223456789',
    address: { lines: ['3 Harbourside Walk'], town: 'Bristol', postcode: 'BS1 5TY' },
    registeredManagerEmail: 'reception@riversidedentalbristol.co.uk',
    hasSharedMailbox: false,
    hasPendingRegistration: false,
    fullDetailsHeld: true,
    existingAccounts: existingAccountsOf('DODSA1'),
  },
  {
    kind: 'dental',
    name: 'Birchfield Dental Surgery',
    odsCode: 'DODSB1',
    cqcLocationId: '1-1002733039',
    cqcContactId: 'CON1-223456790',
    address: { lines: ['221 Hagley Road'], town: 'Birmingham', postcode: 'B16 9LA' },
    registeredManagerEmail: 'practice.manager@birchfielddental.co.uk',
    hasSharedMailbox: false,
    hasPendingRegistration: false,
    fullDetailsHeld: false,
    existingAccounts: [],
  },
  {
    kind: 'care',
    name: 'Hollybank Care Home',
    odsCode: 'VHB01',
    cqcLocationId: '1-1002733047',
    cqcContactId: 'CON1-323456789',
    address: { lines: ['Hollybank', '7 Unthank Road'], town: 'Norwich', postcode: 'NR2 2PA' },
    registeredManagerEmail: 'manager@hollybankcarehome.co.uk',
    hasSharedMailbox: true,
    hasPendingRegistration: false,
    fullDetailsHeld: true,
    existingAccounts: existingAccountsOf('VHB01'),
  },
  {
    kind: 'care',
    name: 'Greenacres Nursing Home',
    odsCode: 'VGA01',
    cqcLocationId: '1-1002733055',
    cqcContactId: 'CON1-323456790',
    address: { lines: ['Greenacres', 'Tregolls Road'], town: 'Truro', postcode: 'TR1 1LH' },
    registeredManagerEmail: 'admin@greenacresnursinghome.co.uk',
    hasSharedMailbox: false,
    hasPendingRegistration: true,
    fullDetailsHeld: true,
    existingAccounts: [],
  },
  {
    kind: 'hospice',
    name: "St Catherine's Hospice",
    odsCode: '8SC01',
    cqcLocationId: '1-1002733063',
    cqcContactId: 'CON1-423456789',
    address: { lines: ['Longden Road'], town: 'Shrewsbury', postcode: 'SY3 8HQ' },
    registeredManagerEmail: 'matron@stcatherineshospice.org.uk',
    hasSharedMailbox: false,
    hasPendingRegistration: false,
    fullDetailsHeld: true,
    existingAccounts: [],
  },
  {
    kind: 'care',
    name: 'The Old Vicarage Residential and Nursing Home for Older People',
    odsCode: 'VST01',
    cqcLocationId: '1-1002733071',
    cqcContactId: 'CON1-423456790',
    address: { lines: ['The Old Vicarage', '42 Norton Road'], town: 'Stockton-on-Tees', postcode: 'TS18 2BG' },
    registeredManagerEmail: 'registered.manager@theoldvicaragestockton.co.uk',
    hasSharedMailbox: false,
    hasPendingRegistration: false,
    fullDetailsHeld: true,
    existingAccounts: [],
  },
  // The organisations of the account fixtures (scripts/accountFixtures.ts): each has a shared mailbox.
  {
    kind: 'care',
    name: 'Larkspur House Care Home',
    odsCode: 'VLH01',
    cqcLocationId: '1-1002733089',
    cqcContactId: 'CON1-523456789',
    address: { lines: ['Larkspur House', '18 Huntington Road'], town: 'York', postcode: 'YO31 8RG' },
    registeredManagerEmail: 'manager@larkspurhousecare.co.uk',
    hasSharedMailbox: true,
    hasPendingRegistration: false,
    fullDetailsHeld: true,
    existingAccounts: existingAccountsOf('VLH01'),
  },
  {
    kind: 'care',
    name: 'Fernlea Lodge',
    odsCode: 'VFL10',
    cqcLocationId: '1-1002733097',
    cqcContactId: 'CON1-523456790',
    address: { lines: ['Fernlea Lodge', '5 Toller Lane'], town: 'Bradford', postcode: 'BD8 9DA' },
    registeredManagerEmail: 'office@fernlealodge.co.uk',
    hasSharedMailbox: true,
    hasPendingRegistration: false,
    fullDetailsHeld: true,
    existingAccounts: existingAccountsOf('VFL10'),
  },
  {
    kind: 'dental',
    name: 'Quayside Dental Practice',
    odsCode: 'DODSC1',
    cqcLocationId: '1-1002733103',
    cqcContactId: 'CON1-623456789',
    address: { lines: ['12 Vauxhall Street'], town: 'Plymouth', postcode: 'PL4 0DZ' },
    registeredManagerEmail: 'reception@quaysidedentalplymouth.co.uk',
    hasSharedMailbox: true,
    hasPendingRegistration: false,
    fullDetailsHeld: true,
    existingAccounts: existingAccountsOf('DODSC1'),
  },
];

// ---------------------------------------------------------------------------------------------
// Generation

/** Checks a mobile the way the assistant does; throws if libphonenumber-js/max disagrees. */
export function assertValidGbMobile(e164: string): void {
  const parsed = parsePhoneNumberFromString(e164);
  if (!parsed || !parsed.isValid() || parsed.getType() !== 'MOBILE' || parsed.country !== 'GB' || parsed.number !== e164) {
    throw new Error(
      `Invented mobile ${e164} is not a valid GB mobile to libphonenumber-js/max ` +
        `(valid: ${parsed?.isValid()}, type: ${parsed?.getType()}, country: ${parsed?.country})`,
    );
  }
}

function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/&/g, 'and')
    .replace(/[^a-z0-9]/g, '');
}

/** A domain from the name's first words, at most about 28 letters, without "ltd"/"limited". */
function domainStem(name: string): string {
  const words = name
    .replace(/\(.*?\)/g, ' ')
    .split(/[\s,-]+/)
    .map(slug)
    .filter((w) => w && w !== 'ltd' && w !== 'limited');
  const kept: string[] = [];
  for (const word of words) {
    if (kept.length && kept.join('').length + word.length > 28) break;
    kept.push(word);
  }
  while (kept.length > 1 && /^(and|of|for|the|at)$/.test(kept[kept.length - 1]!)) kept.pop();
  return kept.join('');
}

class Generator {
  private readonly random: Random;
  private readonly odsCodes = new Set<string>();
  private readonly locationIds = new Set<string>();
  private readonly contactIds = new Set<string>();
  private readonly mobiles = new Set<string>();
  private readonly nhsAddresses = new Set<string>();
  private readonly domains = new Set<string>();
  private readonly hospiceNames = new Set<string>();
  private readonly namesByTown = new Map<string, Set<string>>();
  private readonly postcodesByOutward = new Map<string, { postcode: string; street: string }[]>();
  private readonly allPostcodes = new Set<string>();
  private readonly organisations: Organisation[] = [];

  constructor(seed: number) {
    this.random = new Random(seed);
    for (const fixture of FIXTURES) this.remember(structuredClone(fixture));
  }

  private remember(organisation: Organisation): void {
    const claim = (set: Set<string>, value: string, what: string): void => {
      if (set.has(value)) throw new Error(`Duplicate ${what} ${value} (${organisation.name})`);
      set.add(value);
    };
    claim(this.odsCodes, organisation.odsCode, 'ODS code');
    claim(this.locationIds, organisation.cqcLocationId, 'CQC location ID');
    claim(this.contactIds, organisation.cqcContactId, 'CQC contact ID');
    for (const account of organisation.existingAccounts) {
      if (account.mobile) {
        assertValidGbMobile(account.mobile);
        claim(this.mobiles, account.mobile, 'mobile');
      }
      claim(this.nhsAddresses, account.address, 'NHSmail address');
    }
    this.domains.add(organisation.registeredManagerEmail.split('@')[1]!);
    this.namesFor(organisation.address.town).add(organisation.name.toLowerCase());
    // A fixture's postcode is never handed to a generated organisation, so the fixtures' postcode
    // lookups stay as documented whatever else changes.
    this.allPostcodes.add(organisation.address.postcode);
    this.organisations.push(organisation);
  }

  private namesFor(town: string): Set<string> {
    let names = this.namesByTown.get(town);
    if (!names) this.namesByTown.set(town, (names = new Set()));
    return names;
  }

  private postcodesFor(outward: string): { postcode: string; street: string }[] {
    let list = this.postcodesByOutward.get(outward);
    if (!list) this.postcodesByOutward.set(outward, (list = []));
    return list;
  }

  private unique(set: Set<string>, make: () => string): string {
    for (let attempt = 0; attempt < 10_000; attempt++) {
      const value = make();
      if (!set.has(value)) {
        set.add(value);
        return value;
      }
    }
    throw new Error('Could not find a unique value after 10,000 attempts');
  }

  private odsCode(kind: OrganisationKind): string {
    const alnum = 'ABCDEFGHJKLMNPQRSTUVWXYZ0123456789'; // no I or O, which read as 1 and 0
    const r = this.random;
    switch (kind) {
      case 'care':
        return this.unique(this.odsCodes, () => `V${r.chars(alnum, 4)}`);
      case 'dental':
        return this.unique(this.odsCodes, () => `V0${r.digits(4)}`);
      case 'hospice':
        return this.unique(this.odsCodes, () => `8${r.chars(alnum, 4)}`);
    }
  }

  private placeIn(town: Town, sharePostcode: number): { postcode: string; street: string } {
    const r = this.random;
    const outward = r.pick(town.outward);
    const known = this.postcodesFor(outward);
    if (known.length && r.chance(sharePostcode)) return r.pick(known);
    const postcode = this.unique(this.allPostcodes, () => `${outward} ${r.int(1, 9)}${r.chars(INWARD_LETTERS, 2)}`);
    const place = { postcode, street: r.pick(STREETS) };
    known.push(place);
    return place;
  }

  private nameBase(): string {
    const r = this.random;
    const roll = r.int(1, 100);
    if (roll <= 70) return `${r.pick(NAME_START)}${r.pick(NAME_END)}`;
    if (roll <= 85) return r.pick(THE_NAMES);
    return r.pick(SAINTS);
  }

  private uniqueName(town: Town, make: () => string): string {
    const names = this.namesFor(town.name);
    for (let attempt = 0; attempt < 200; attempt++) {
      const name = make();
      if (!names.has(name.toLowerCase())) {
        names.add(name.toLowerCase());
        return name;
      }
    }
    throw new Error(`Could not find a new organisation name in ${town.name}`);
  }

  private careHomeName(town: Town): string {
    const r = this.random;
    return this.uniqueName(town, () => {
      const base = this.nameBase();
      if (r.chance(0.05)) return `${base} ${r.pick(CARE_HOME_LONG_SUFFIXES)}`;
      const suffix = r.pick(CARE_HOME_SUFFIXES);
      return base.startsWith('The ') && /^(House|Lodge|Manor|Court|Hall)$/.test(suffix) ? `${base} Care Home` : `${base} ${suffix}`;
    });
  }

  private homeCareName(town: Town): string {
    const r = this.random;
    return this.uniqueName(town, () => {
      const roll = r.int(1, 100);
      const stem =
        roll <= 55 ? r.pick(HOME_CARE_WORDS) : roll <= 75 ? `${r.pick(HANDS)} Hands` : `${r.pick(NAME_START)}${r.pick(NAME_END)}`;
      if (r.chance(0.06)) return `${stem} ${r.pick(HOME_CARE_LONG_SUFFIXES)}`;
      const name = `${stem} ${r.pick(HOME_CARE_SUFFIXES)}`;
      return r.chance(0.2) ? `${name} (${town.name})` : name;
    });
  }

  private dentalName(town: Town, street: string): string {
    const r = this.random;
    return this.uniqueName(town, () => {
      const roll = r.int(1, 100);
      if (roll <= 5) return `${this.nameBase()} ${r.pick(DENTAL_LONG_SUFFIXES)}`;
      if (roll <= 30) return `${street} ${r.pick(DENTAL_SUFFIXES)}`;
      if (roll <= 45) return `${r.pick(LAST_NAMES)} & ${r.pick(LAST_NAMES)} ${r.pick(DENTAL_SUFFIXES)}`;
      if (roll <= 55) return `${town.name} ${r.pick(DENTAL_SUFFIXES)}`;
      return `${this.nameBase().replace(/^The /, '')} ${r.pick(DENTAL_SUFFIXES)}`;
    });
  }

  private managerEmail(name: string, town: Town, kind: OrganisationKind): string {
    const r = this.random;
    const stem = domainStem(name);
    const tld = kind === 'hospice' ? 'org.uk' : r.pick(CARE_TLDS);
    const candidates = [stem, `${stem}${slug(town.name)}`];
    let domain = candidates.map((c) => `${c}.${tld}`).find((d) => !this.domains.has(d));
    for (let n = 2; !domain; n++) if (!this.domains.has(`${stem}${n}.${tld}`)) domain = `${stem}${n}.${tld}`;
    this.domains.add(domain);
    const local = r.chance(0.3) ? `${slug(r.pick(FIRST_NAMES))}.${slug(r.pick(LAST_NAMES))}` : r.pick(MANAGER_MAILBOXES);
    return `${local}@${domain}`;
  }

  private accounts(count: number): ExistingAccount[] {
    const r = this.random;
    const accounts: ExistingAccount[] = [];
    for (let i = 0; i < count; i++) {
      const base = `${slug(r.pick(FIRST_NAMES))}.${slug(r.pick(LAST_NAMES))}`;
      let address = `${base}@nhs.net`;
      for (let n = 2; this.nhsAddresses.has(address); n++) address = `${base}${n}@nhs.net`;
      this.nhsAddresses.add(address);
      const mobile = this.unique(this.mobiles, () => `+447400${r.int(100_000, 999_999)}`);
      assertValidGbMobile(mobile);
      accounts.push({ address, mobile });
    }
    return accounts;
  }

  private organisation(kind: OrganisationKind, variant: 'home' | 'domiciliary' | 'practice' | 'hospice', town: Town): Organisation {
    const r = this.random;
    const place = this.placeIn(town, variant === 'domiciliary' ? 0.25 : variant === 'practice' ? 0.12 : 0.06);
    const number = r.int(1, 240);
    let name: string;
    let lines: string[];
    switch (variant) {
      case 'home':
        name = this.careHomeName(town);
        lines = r.chance(0.5) ? [name.split(' ').slice(0, 2).join(' ').replace(/ (Care|Nursing|Residential)$/, ''), place.street] : [`${number} ${place.street}`];
        break;
      case 'domiciliary':
        name = this.homeCareName(town);
        lines = r.chance(0.6) ? [`Unit ${r.int(1, 30)}, ${r.pick(BUSINESS_PARKS)}`, place.street] : [`${number} ${place.street}`];
        break;
      case 'practice':
        name = this.dentalName(town, place.street.replace(/^The /, ''));
        lines = [`${number} ${place.street}`];
        break;
      case 'hospice':
        name = this.uniqueName(town, () => r.pick(HOSPICE_NAMES.filter((n) => !this.hospiceNames.has(n))));
        this.hospiceNames.add(name);
        lines = [place.street];
        break;
    }
    const hasSharedMailbox = kind !== 'hospice' && r.chance(0.05);
    const hasPendingRegistration = kind !== 'hospice' && !hasSharedMailbox && r.chance(0.03);
    const accountCount = hasSharedMailbox ? r.int(1, 3) : r.weighted([0, 1, 2, 3], (n) => [70, 18, 8, 4][n]!);
    const organisation: Organisation = {
      kind,
      name,
      odsCode: this.odsCode(kind),
      cqcLocationId: this.unique(this.locationIds, () => `1-1${r.digits(9)}`),
      cqcContactId: this.unique(this.contactIds, () => `CON1-${r.int(1, 9)}${r.digits(8)}`),
      address: { lines, town: town.name, postcode: place.postcode },
      registeredManagerEmail: this.managerEmail(name, town, kind),
      hasSharedMailbox,
      hasPendingRegistration,
      fullDetailsHeld: kind === 'dental' ? !r.chance(0.15) : true,
      existingAccounts: this.accounts(accountCount),
    };
    this.organisations.push(organisation);
    return organisation;
  }

  run(): Organisation[] {
    const r = this.random;
    const weight = (town: Town) => Math.min(town.outward.length, 12) + 2;
    // Hospices: one per town at most, in towns without one yet.
    const hospiceTowns = new Set(FIXTURES.filter((f) => f.kind === 'hospice').map((f) => f.address.town));
    for (let hospices = 0; hospices < TARGET_COUNTS.hospices; ) {
      const town = r.pick(TOWNS);
      if (hospiceTowns.has(town.name)) continue;
      hospiceTowns.add(town.name);
      this.organisation('hospice', 'hospice', town);
      hospices++;
    }
    // Care homes, domiciliary care and dental practices, interleaved so every town gets a mix.
    const left = { home: TARGET_COUNTS.careHomes, domiciliary: TARGET_COUNTS.domiciliaryCare, practice: TARGET_COUNTS.dental };
    for (let remaining = left.home + left.domiciliary + left.practice; remaining > 0; remaining--) {
      const town = r.weighted(TOWNS, weight);
      const roll = r.int(1, remaining);
      if (roll <= left.home) {
        this.organisation('care', 'home', town);
        left.home--;
      } else if (roll <= left.home + left.domiciliary) {
        this.organisation('care', 'domiciliary', town);
        left.domiciliary--;
      } else {
        this.organisation('dental', 'practice', town);
        left.practice--;
      }
    }
    return this.organisations;
  }
}

/**
 * Both embedded data sets for a seed: the organisations (fixtures first, then the generated ones)
 * and the NHSmail accounts of those organisations (scripts/generateAccounts.ts), which fix the
 * organisations' `existingAccounts`.
 */
export function generateDataSets(seed: number = DIRECTORY_SEED): { directory: DirectoryDataSet; accounts: AccountDataSet } {
  const { accounts, organisations } = generateAccounts(new Generator(seed).run(), FIXTURES.map((f) => f.odsCode), seed);
  const directory: DirectoryDataSet = {
    generatedWith: { generator: 'scripts/generateDirectory.ts', version: DIRECTORY_VERSION, prng: 'mulberry32', seed },
    fixtures: FIXTURES.map((f) => f.odsCode),
    organisations,
  };
  // The adapter's own validation: fails loudly rather than writing a data set it would refuse.
  parseDirectoryDataSet(JSON.parse(JSON.stringify(directory)), `generated with seed ${seed}`);
  return { directory, accounts };
}

/** The organisation data set for a seed. */
export function generateDirectory(seed: number = DIRECTORY_SEED): DirectoryDataSet {
  return generateDataSets(seed).directory;
}

/** Compact JSON: one organisation a line, so diffs stay readable. */
export function serialiseDirectory(dataSet: DirectoryDataSet): string {
  return [
    '{',
    `"generatedWith": ${JSON.stringify(dataSet.generatedWith)},`,
    `"fixtures": ${JSON.stringify(dataSet.fixtures)},`,
    '"organisations": [',
    dataSet.organisations.map((o) => JSON.stringify(o)).join(',\n'),
    ']',
    '}',
    '',
  ].join('\n');
}

/** The repository root: the nearest folder up from here with a package.json (works from scripts/ and dist/scripts/). */
export function repositoryRoot(from: string = __dirname): string {
  let dir = from;
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`No package.json above ${from}`);
    dir = parent;
  }
  return dir;
}

export const DIRECTORY_JSON_PATH = path.join(repositoryRoot(), 'adapters', 'data', 'organisations.json');
export const ACCOUNTS_JSON_PATH = path.join(repositoryRoot(), 'adapters', 'data', 'accounts.json');

function main(): void {
  const { directory: dataSet, accounts } = generateDataSets();
  const text = serialiseDirectory(dataSet);
  mkdirSync(path.dirname(DIRECTORY_JSON_PATH), { recursive: true });
  writeFileSync(DIRECTORY_JSON_PATH, text);
  const accountsText = serialiseAccounts(accounts);
  writeFileSync(ACCOUNTS_JSON_PATH, accountsText);
  const count = (predicate: (o: Organisation) => boolean) => dataSet.organisations.filter(predicate).length;
  process.stdout.write(
    `Wrote ${path.relative(process.cwd(), DIRECTORY_JSON_PATH)}: ${dataSet.organisations.length} organisations ` +
      `(care ${count((o) => o.kind === 'care')}, dental ${count((o) => o.kind === 'dental')} of which ` +
      `${count((o) => o.kind === 'dental' && !o.fullDetailsHeld)} Route B, hospice ${count((o) => o.kind === 'hospice')}), ` +
      `${(Buffer.byteLength(text) / 1024).toFixed(0)} KiB, seed ${dataSet.generatedWith.seed}\n` +
      `Wrote ${path.relative(process.cwd(), ACCOUNTS_JSON_PATH)}: ${accounts.accounts.length} accounts ` +
      `(${accounts.accounts.filter((a) => !a.mobile).length} without a mobile, ` +
      `${accounts.accounts.filter((a) => a.host.kind === 'local').length} hosted locally), ` +
      `${accounts.sharedMailboxes.length} shared mailboxes, ${(Buffer.byteLength(accountsText) / 1024).toFixed(0)} KiB\n`,
  );
}

if (require.main === module) {
  try {
    main();
  } catch (error) {
    process.stderr.write(`directory:generate failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
    process.exit(1);
  }
}
