import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import JSZip from 'jszip';
import { PNG } from 'pngjs';
import { ManifestUtil } from '@microsoft/teams-manifest';
import {
  buildManifest,
  checkIcon,
  DEFAULT_URLS,
  fillTemplate,
  findRepoRoot,
  loadSchema,
  main,
  ManifestConfigError,
  readManifestSettings,
  validateManifest,
} from '../../scripts/buildManifest';
import { drawColorIcon, drawOutlineIcon, NHS_BLUE } from '../../scripts/drawTeamsIcons';

// The schema is validated offline: any attempt to fetch it (ManifestUtil uses node-fetch) fails the test.
jest.mock('node-fetch', () => jest.fn(() => Promise.reject(new Error('network access attempted in a test'))));

const APP_ID = '6f1a2b3c-4d5e-4f60-8a7b-9c0d1e2f3a4b';
const ROOT = findRepoRoot(__dirname);
const MANIFEST_DIR = path.join(ROOT, 'manifest');
const env = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({ MicrosoftAppId: APP_ID, ...extra });
const manifestFor = (extra: Record<string, string> = {}) => buildManifest(readManifestSettings(env(extra)), ROOT);
const png = (file: string) => PNG.sync.read(readFileSync(path.join(MANIFEST_DIR, file)));

let globalFetch: jest.SpiedFunction<typeof fetch> | undefined;
beforeEach(() => {
  globalFetch = typeof globalThis.fetch === 'function' ? jest.spyOn(globalThis, 'fetch') : undefined;
  globalFetch?.mockRejectedValue(new Error('network access attempted in a test'));
});
afterEach(() => {
  expect(jest.requireMock<jest.Mock>('node-fetch')).not.toHaveBeenCalled();
  if (globalFetch) expect(globalFetch).not.toHaveBeenCalled();
  jest.restoreAllMocks();
});

describe('the filled manifest', () => {
  it('passes the offline JSON schema validation without fetching the schema', async () => {
    const manifest = manifestFor();
    const schema = loadSchema(ROOT);
    const fetchSchema = jest.spyOn(ManifestUtil, 'fetchSchema');
    expect(await ManifestUtil.validateManifestAgainstSchema(manifest, schema)).toEqual([]);
    expect(await validateManifest(manifest, schema)).toEqual([]);
    expect(fetchSchema).not.toHaveBeenCalled();
  });

  it('is for the manifest version of the schema kept in the repository', () => {
    const manifest = manifestFor();
    const schema = loadSchema(ROOT) as unknown as { properties: { manifestVersion: { const?: string; enum?: string[] } } };
    const version = schema.properties.manifestVersion.const ?? schema.properties.manifestVersion.enum?.[0];
    expect(manifest.manifestVersion).toBe(version);
    expect(manifest.$schema).toBe(`https://developer.microsoft.com/json-schemas/teams/v${version}/MicrosoftTeams.schema.json`);
  });

  it('also passes with every optional variable set', async () => {
    const manifest = manifestFor({
      BOT_PUBLIC_HOST: 'carebot.example.org',
      TEAMS_APP_WEBSITE_URL: 'https://care.example.org/',
      TEAMS_APP_PRIVACY_URL: 'https://care.example.org/privacy',
      TEAMS_APP_TERMS_URL: 'https://care.example.org/terms',
    });
    expect(await validateManifest(manifest, loadSchema(ROOT))).toEqual([]);
  });

  it('is checked for real: a broken manifest fails the schema validation', async () => {
    const manifest = { ...manifestFor(), accentColor: 'blue', id: 'not-a-guid' };
    const problems = await validateManifest(manifest, loadSchema(ROOT));
    expect(problems.join('\n')).toMatch(/\/accentColor/);
    expect(problems.join('\n')).toMatch(/\/id/);
  });

  it('is a bot for the personal scope only, with the register, help and menu commands', () => {
    const manifest = manifestFor();
    expect(manifest.bots).toHaveLength(1);
    const [bot] = manifest.bots!;
    expect(bot.scopes).toEqual(['personal']);
    expect(bot.supportsFiles).toBe(false);
    expect(bot.isNotificationOnly).toBe(false);
    expect(bot.commandLists).toHaveLength(1);
    expect(bot.commandLists![0].scopes).toEqual(['personal']);
    expect(bot.commandLists![0].commands.map((c) => c.title)).toEqual(['register', 'help', 'menu']);
    for (const command of bot.commandLists![0].commands) expect(command.description).toBeTruthy();
    for (const key of ['configurableTabs', 'staticTabs', 'composeExtensions', 'connectors'] as const) {
      expect(manifest[key]).toBeUndefined();
    }
  });

  it('refuses a bot that is offered to teams or group chats', async () => {
    const manifest = manifestFor();
    const bot = { ...manifest.bots![0], scopes: ['personal', 'team'] as ('personal' | 'team')[] };
    const problems = await validateManifest({ ...manifest, bots: [bot] }, loadSchema(ROOT));
    expect(problems).toEqual([expect.stringMatching(/personal scope only/)]);
  });

  it('uses the configured app id as the bot id and as the Teams app id', () => {
    const manifest = manifestFor();
    expect(manifest.bots![0].botId).toBe(APP_ID);
    expect(manifest.id).toBe(APP_ID);
    const upper = APP_ID.toUpperCase();
    expect(buildManifest(readManifestSettings({ MicrosoftAppId: ` ${upper} ` }), ROOT).bots![0].botId).toBe(upper);
  });

  it('takes its version from package.json and has the names, colour and icons asked for', () => {
    const manifest = manifestFor();
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(manifest.version).toBe(pkg.version);
    expect(manifest.name).toEqual({ short: 'NHSmail assistant', full: 'NHSmail care assistant' });
    expect(manifest.accentColor).toBe('#005EB8');
    expect(manifest.icons).toEqual({ color: 'color.png', outline: 'outline.png' });
    expect(manifest.developer.name).toBe('NHSmail care assistant team');
    expect(manifest.description.short.length).toBeLessThan(80);
    expect(manifest.description.full!.length).toBeLessThan(4000);
    expect(manifest.description.full).toMatch(/care providers and dental practices in England/);
    expect(JSON.stringify(manifest)).not.toMatch(/\{\{|\}\}/);
  });

  it('uses the developer links from the environment, with https defaults', () => {
    expect(manifestFor().developer).toMatchObject({
      websiteUrl: DEFAULT_URLS.TEAMS_APP_WEBSITE_URL,
      privacyUrl: DEFAULT_URLS.TEAMS_APP_PRIVACY_URL,
      termsOfUseUrl: DEFAULT_URLS.TEAMS_APP_TERMS_URL,
    });
    for (const url of Object.values(DEFAULT_URLS)) expect(url).toMatch(/^https:\/\//);
    expect(
      manifestFor({
        TEAMS_APP_WEBSITE_URL: 'https://care.example.org/',
        TEAMS_APP_PRIVACY_URL: 'https://care.example.org/privacy',
        TEAMS_APP_TERMS_URL: 'https://care.example.org/terms',
      }).developer,
    ).toMatchObject({
      websiteUrl: 'https://care.example.org/',
      privacyUrl: 'https://care.example.org/privacy',
      termsOfUseUrl: 'https://care.example.org/terms',
    });
  });

  it('lists BOT_PUBLIC_HOST as its only valid domain, and none without it', () => {
    expect(manifestFor().validDomains).toEqual([]);
    expect(manifestFor({ BOT_PUBLIC_HOST: '  ' }).validDomains).toEqual([]);
    expect(manifestFor({ BOT_PUBLIC_HOST: 'CareBot.Example.org' }).validDomains).toEqual(['carebot.example.org']);
  });
});

describe('configuration', () => {
  const problemsOf = (environment: NodeJS.ProcessEnv): string[] => {
    try {
      readManifestSettings(environment);
    } catch (e) {
      expect(e).toBeInstanceOf(ManifestConfigError);
      return (e as ManifestConfigError).problems;
    }
    throw new Error('expected the configuration to be refused');
  };

  it.each([
    ['unset', {}],
    ['empty', { MicrosoftAppId: '' }],
    ['blank', { MicrosoftAppId: '   ' }],
  ])('refuses a missing MicrosoftAppId (%s), naming it', (_, environment) => {
    expect(problemsOf(environment)).toEqual([expect.stringMatching(/^MicrosoftAppId must be set\b.*GUID/)]);
  });

  it.each(['not-a-guid', '6f1a2b3c4d5e4f608a7b9c0d1e2f3a4b', `{${APP_ID}}`, `${APP_ID}0`, 'zf1a2b3c-4d5e-4f60-8a7b-9c0d1e2f3a4b'])(
    'refuses a malformed MicrosoftAppId %s, naming it',
    (value) => {
      expect(problemsOf({ MicrosoftAppId: value })).toEqual([`MicrosoftAppId must be a GUID such as 00000000-0000-0000-0000-000000000000 (got "${value}")`]);
    },
  );

  it('refuses developer links that are not https URLs, and a BOT_PUBLIC_HOST that is not a host name', () => {
    const problems = problemsOf(
      env({
        TEAMS_APP_WEBSITE_URL: 'http://care.example.org/',
        TEAMS_APP_PRIVACY_URL: 'privacy',
        TEAMS_APP_TERMS_URL: 'ftp://care.example.org/terms',
        BOT_PUBLIC_HOST: 'https://carebot.example.org/api/messages',
      }),
    );
    expect(problems).toEqual([
      'TEAMS_APP_WEBSITE_URL must be an https:// URL (got "http://care.example.org/")',
      'TEAMS_APP_PRIVACY_URL must be an https:// URL (got "privacy")',
      'TEAMS_APP_TERMS_URL must be an https:// URL (got "ftp://care.example.org/terms")',
      'BOT_PUBLIC_HOST must be a host name such as carebot.example.org, without https:// or a path (got "https://carebot.example.org/api/messages")',
    ]);
  });

  it('fills only placeholders it knows, and drops a list item whose optional value is unset', () => {
    expect(fillTemplate({ a: 'x {{A}} y', list: ['{{B}}', 'kept'] }, { A: '1', B: undefined })).toEqual({ a: 'x 1 y', list: ['kept'] });
    expect(() => fillTemplate({ a: '{{Nope}}' }, {})).toThrow(/unknown placeholder \{\{Nope\}\}/);
    expect(() => fillTemplate({ a: '{{B}}' }, { B: undefined })).toThrow(/\{\{B\}\} has no value/);
  });
});

describe('the icons', () => {
  it('color.png is a 192×192 opaque NHS blue icon', () => {
    const color = png('color.png');
    expect([color.width, color.height]).toEqual([192, 192]);
    expect(checkIcon(readFileSync(path.join(MANIFEST_DIR, 'color.png')), 'color.png', 192)).toEqual([]);
    const translucent = color.data.filter((value, i) => i % 4 === 3 && value !== 255).length;
    expect(translucent).toBe(0);
    expect([...color.data.subarray(0, 3)]).toEqual([NHS_BLUE.r, NHS_BLUE.g, NHS_BLUE.b]);
  });

  it('outline.png is 32×32 and every pixel is transparent or white', () => {
    const outline = png('outline.png');
    expect([outline.width, outline.height]).toEqual([32, 32]);
    let drawn = 0;
    for (let i = 0; i < outline.data.length; i += 4) {
      const [r, g, b, a] = outline.data.subarray(i, i + 4);
      if (a !== 0) {
        drawn++;
        expect([r, g, b]).toEqual([255, 255, 255]);
      }
    }
    expect(drawn).toBeGreaterThan(50); // not an empty picture
    expect(checkIcon(readFileSync(path.join(MANIFEST_DIR, 'outline.png')), 'outline.png', 32, { outline: true })).toEqual([]);
  });

  it('are what scripts/drawTeamsIcons.ts draws', () => {
    expect(Buffer.compare(png('color.png').data, drawColorIcon().data)).toBe(0);
    expect(Buffer.compare(png('outline.png').data, drawOutlineIcon().data)).toBe(0);
  });

  it('a wrong size or a coloured outline pixel is reported', () => {
    const image = new PNG({ width: 32, height: 32 });
    image.data.fill(0);
    image.data.set([0, 94, 184, 255], (3 * 32 + 5) * 4);
    const problems = checkIcon(PNG.sync.write(image), 'outline.png', 32, { outline: true });
    expect(problems).toEqual(['outline.png must be white on a transparent background: 1 pixel(s) are neither (first at x=5, y=3: rgba(0, 94, 184, 255))']);
    expect(checkIcon(PNG.sync.write(image), 'color.png', 192)).toEqual(['color.png must be 192×192 pixels (it is 32×32)']);
    expect(checkIcon(Buffer.from('not a png'), 'color.png', 192)).toEqual([expect.stringMatching(/^color.png is not a readable PNG/)]);
  });
});

describe('npm run manifest (scripts/buildManifest.ts)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'teams-manifest-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const run = async (argv: string[], environment: NodeJS.ProcessEnv) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(argv, environment, (t) => out.push(t), (t) => err.push(t));
    return { code, out: out.join('\n'), err: err.join('\n') };
  };

  it('writes a zip holding exactly manifest.json, color.png and outline.png, and prints its path', async () => {
    const outFile = path.join(dir, 'nhsmail-care-assistant.zip');
    const result = await run(['--out', outFile], env({ BOT_PUBLIC_HOST: 'carebot.example.org' }));
    expect(result).toMatchObject({ code: 0, out: outFile });
    expect(result.err).toMatch(/TEAMS_APP_PRIVACY_URL is not set/);

    const zip = await JSZip.loadAsync(readFileSync(outFile));
    const files = Object.values(zip.files).filter((f) => !f.dir).map((f) => f.name);
    expect(files.sort()).toEqual(['color.png', 'manifest.json', 'outline.png']);
    expect(Object.keys(zip.files).sort()).toEqual(['color.png', 'manifest.json', 'outline.png']); // no folders

    const manifest = JSON.parse(await zip.file('manifest.json')!.async('string'));
    expect(manifest).toEqual(manifestFor({ BOT_PUBLIC_HOST: 'carebot.example.org' }));
    expect(manifest.bots[0].botId).toBe(APP_ID);
    expect(await validateManifest(manifest, loadSchema(ROOT))).toEqual([]);
    for (const icon of ['color.png', 'outline.png']) {
      expect(Buffer.compare(await zip.file(icon)!.async('nodebuffer'), readFileSync(path.join(MANIFEST_DIR, icon)))).toBe(0);
    }
  });

  it('prints no note when every developer link is set', async () => {
    const result = await run(['--out', path.join(dir, 'app.zip')], env({
      TEAMS_APP_WEBSITE_URL: 'https://care.example.org/',
      TEAMS_APP_PRIVACY_URL: 'https://care.example.org/privacy',
      TEAMS_APP_TERMS_URL: 'https://care.example.org/terms',
    }));
    expect(result).toEqual({ code: 0, out: path.join(dir, 'app.zip'), err: '' });
  });

  it.each([
    ['missing', {}],
    ['malformed', { MicrosoftAppId: 'my-bot' }],
  ])('exits 1 naming MicrosoftAppId when it is %s, and writes nothing', async (_, environment) => {
    const outFile = path.join(dir, 'app.zip');
    const result = await run(['--out', outFile], environment);
    expect(result.code).toBe(1);
    expect(result.out).toBe('');
    expect(result.err).toMatch(/^Cannot build the Teams app package:\n {2}- MicrosoftAppId must be/);
    expect(existsSync(outFile)).toBe(false);
  });

  it('refuses unknown options', async () => {
    expect((await run(['--zip'], env())).code).toBe(2);
    expect((await run(['--out'], env())).code).toBe(2);
  });
});
