/**
 * `npm run manifest [-- --out FILE]`: builds the Microsoft Teams app package,
 * `dist/manifest/nhsmail-care-assistant.zip` (manifest.json, color.png and outline.png at the root).
 *
 * - Reads its settings from the environment: `MicrosoftAppId` (required, a GUID: the bot's Microsoft
 *   app id, used both as the bot id and as the Teams app id), `TEAMS_APP_WEBSITE_URL`,
 *   `TEAMS_APP_PRIVACY_URL`, `TEAMS_APP_TERMS_URL` (https URLs, with defaults) and `BOT_PUBLIC_HOST`
 *   (optional host name, the manifest's only valid domain). A missing or wrong value stops the build
 *   (exit 1) with a message naming the variable. Empty variables count as unset.
 * - Fills `manifest/manifest.template.json`: every `{{NAME}}` in a string is replaced by its value; a
 *   list item that is exactly `{{NAME}}` of an unset optional value is dropped (so `validDomains` is
 *   empty without `BOT_PUBLIC_HOST`). An unknown placeholder is an error.
 * - Validates the result offline against `manifest/schema/MicrosoftTeams.schema.json` (see SOURCE.md
 *   there), checks that the manifest is for the personal scope only, and checks the icons' sizes and
 *   that the outline icon is white on transparent.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import JSZip from 'jszip';
import { PNG } from 'pngjs';
import { z } from 'zod';
import { ManifestUtil, type TeamsAppManifest, type TeamsAppManifestJSONSchema } from '@microsoft/teams-manifest';
import { runCommand } from './cli';

export const PACKAGE_NAME = 'nhsmail-care-assistant.zip';
export const COLOR_ICON = { file: 'color.png', size: 192 } as const;
export const OUTLINE_ICON = { file: 'outline.png', size: 32 } as const;

/**
 * Defaults for the developer links. They point at NHSmail's own pages (the support site, NHS England's
 * privacy notice and the NHSmail Acceptable Use Policy) so that a test package has working links;
 * whoever publishes the app must set their own privacy notice and terms of use.
 */
export const DEFAULT_URLS = {
  TEAMS_APP_WEBSITE_URL: 'https://support.nhs.net/',
  TEAMS_APP_PRIVACY_URL: 'https://www.england.nhs.uk/privacy-policy/',
  TEAMS_APP_TERMS_URL: 'https://support.nhs.net/knowledge-base/acceptable-use-policy/',
} as const;

const GUID = /^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$/;
const HOST_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$/i;

const httpsUrl = (fallback: string) =>
  z
    .string()
    .trim()
    .refine((value) => value.length <= 2048 && URL.canParse(value) && new URL(value).protocol === 'https:', {
      error: 'must be an https:// URL',
    })
    .default(fallback);

const SettingsSchema = z.object({
  MicrosoftAppId: z
    .string({
      error: (issue) =>
        issue.input === undefined
          ? "must be set to the bot's Microsoft app id (a GUID such as 00000000-0000-0000-0000-000000000000) to build the Teams app package"
          : 'must be a GUID',
    })
    .trim()
    .regex(GUID, { error: 'must be a GUID such as 00000000-0000-0000-0000-000000000000' }),
  TEAMS_APP_WEBSITE_URL: httpsUrl(DEFAULT_URLS.TEAMS_APP_WEBSITE_URL),
  TEAMS_APP_PRIVACY_URL: httpsUrl(DEFAULT_URLS.TEAMS_APP_PRIVACY_URL),
  TEAMS_APP_TERMS_URL: httpsUrl(DEFAULT_URLS.TEAMS_APP_TERMS_URL),
  BOT_PUBLIC_HOST: z
    .string()
    .trim()
    .regex(HOST_NAME, { error: 'must be a host name such as carebot.example.org, without https:// or a path' })
    .transform((host) => host.toLowerCase())
    .optional(),
});

export type ManifestSettings = z.infer<typeof SettingsSchema>;

export class ManifestConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Cannot build the Teams app package:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ManifestConfigError';
  }
}

/** The package's settings from the environment; throws ManifestConfigError naming each wrong variable. */
export function readManifestSettings(env: NodeJS.ProcessEnv = process.env): ManifestSettings {
  const keys = Object.keys(SettingsSchema.shape) as (keyof ManifestSettings)[];
  const raw: Record<string, string> = {};
  for (const key of keys) {
    const value = env[key];
    if (value !== undefined && value.trim() !== '') raw[key] = value;
  }
  const result = SettingsSchema.safeParse(raw);
  if (result.success) return result.data;
  throw new ManifestConfigError(
    result.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? 'configuration');
      const shown = name in raw ? ` (got "${raw[name]}")` : '';
      return `${name} ${issue.message}${shown}`;
    }),
  );
}

/** Which developer links are still the defaults (worth a warning before publishing). */
export function defaultedUrls(env: NodeJS.ProcessEnv): (keyof typeof DEFAULT_URLS)[] {
  return (Object.keys(DEFAULT_URLS) as (keyof typeof DEFAULT_URLS)[]).filter((key) => !env[key]?.trim());
}

const PLACEHOLDER = /\{\{(\w+)\}\}/g;
const WHOLE_PLACEHOLDER = /^\{\{(\w+)\}\}$/;

/**
 * Replaces `{{NAME}}` in every string of the template. `values` must list every name the template may
 * use; an undefined value may only stand alone as a list item, which is then dropped.
 */
export function fillTemplate(template: unknown, values: Record<string, string | undefined>): unknown {
  const known = (name: string) => {
    if (!Object.prototype.hasOwnProperty.call(values, name)) throw new Error(`manifest template: unknown placeholder {{${name}}}`);
    return values[name];
  };
  const fillString = (text: string) =>
    text.replace(PLACEHOLDER, (_, name: string) => {
      const value = known(name);
      if (value === undefined) throw new Error(`manifest template: {{${name}}} has no value here`);
      return value;
    });
  const fill = (node: unknown): unknown => {
    if (typeof node === 'string') return fillString(node);
    if (Array.isArray(node)) {
      return node
        .filter((item) => {
          const whole = typeof item === 'string' ? WHOLE_PLACEHOLDER.exec(item) : null;
          return !(whole && known(whole[1]) === undefined);
        })
        .map(fill);
    }
    if (node !== null && typeof node === 'object') {
      return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, fill(value)]));
    }
    return node;
  };
  return fill(template);
}

/** The repository root: the nearest folder above `start` holding manifest/manifest.template.json. */
export function findRepoRoot(start: string = __dirname): string {
  let dir = path.resolve(start);
  for (;;) {
    if (existsSync(path.join(dir, 'manifest', 'manifest.template.json')) && existsSync(path.join(dir, 'package.json'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`manifest/manifest.template.json not found above ${start}`);
    dir = parent;
  }
}

const readJson = (file: string): unknown => JSON.parse(readFileSync(file, 'utf8'));

export function loadSchema(root: string = findRepoRoot()): TeamsAppManifestJSONSchema {
  return readJson(path.join(root, 'manifest', 'schema', 'MicrosoftTeams.schema.json')) as TeamsAppManifestJSONSchema;
}

/** The filled manifest (not yet validated). */
export function buildManifest(settings: ManifestSettings, root: string = findRepoRoot()): TeamsAppManifest {
  const { version } = readJson(path.join(root, 'package.json')) as { version: string };
  const template = readJson(path.join(root, 'manifest', 'manifest.template.json'));
  return fillTemplate(template, {
    version,
    MicrosoftAppId: settings.MicrosoftAppId,
    TEAMS_APP_WEBSITE_URL: settings.TEAMS_APP_WEBSITE_URL,
    TEAMS_APP_PRIVACY_URL: settings.TEAMS_APP_PRIVACY_URL,
    TEAMS_APP_TERMS_URL: settings.TEAMS_APP_TERMS_URL,
    BOT_PUBLIC_HOST: settings.BOT_PUBLIC_HOST,
  }) as TeamsAppManifest;
}

/**
 * Problems with the manifest: the JSON schema's (offline: the schema object is passed in, nothing is
 * fetched) and this app's own rules (one bot, personal scope only). Empty when it is fine.
 */
export async function validateManifest(manifest: TeamsAppManifest, schema: TeamsAppManifestJSONSchema): Promise<string[]> {
  const problems = (await ManifestUtil.validateManifestAgainstSchema(manifest, schema)).map((p) => `schema: ${p.trim()}`);
  const bots = manifest.bots ?? [];
  if (bots.length !== 1) problems.push(`expected exactly one bot, found ${bots.length}`);
  for (const bot of bots) {
    const scopes = [...(bot.scopes ?? []), ...(bot.commandLists ?? []).flatMap((list) => list.scopes ?? [])];
    if (scopes.length === 0 || scopes.some((scope) => scope !== 'personal')) {
      problems.push(`the bot must be for the personal scope only (found ${JSON.stringify([...new Set(scopes)])})`);
    }
    if (bot.botId !== manifest.id) problems.push(`the bot id (${bot.botId}) differs from the app id (${manifest.id})`);
  }
  for (const key of ['configurableTabs', 'staticTabs', 'composeExtensions', 'connectors'] as const) {
    if (manifest[key]?.length) problems.push(`${key} is not expected: the app is a personal bot only`);
  }
  return problems;
}

/** Problems with an icon: not a PNG, the wrong size, or (outline) a pixel that is neither transparent nor white. */
export function checkIcon(png: Buffer, name: string, size: number, options: { outline?: boolean } = {}): string[] {
  let image: PNG;
  try {
    image = PNG.sync.read(png);
  } catch (e) {
    return [`${name} is not a readable PNG: ${(e as Error).message}`];
  }
  const problems: string[] = [];
  if (image.width !== size || image.height !== size) {
    problems.push(`${name} must be ${size}×${size} pixels (it is ${image.width}×${image.height})`);
  }
  if (options.outline) {
    let wrong = 0;
    let first = '';
    for (let i = 0; i < image.data.length; i += 4) {
      const [r, g, b, a] = image.data.subarray(i, i + 4);
      if (a !== 0 && (r !== 255 || g !== 255 || b !== 255)) {
        if (wrong++ === 0) first = ` (first at x=${(i / 4) % image.width}, y=${Math.floor(i / 4 / image.width)}: rgba(${r}, ${g}, ${b}, ${a}))`;
      }
    }
    if (wrong) problems.push(`${name} must be white on a transparent background: ${wrong} pixel(s) are neither${first}`);
  }
  return problems;
}

export interface BuiltPackage {
  outFile: string;
  manifest: TeamsAppManifest;
}

/** Builds, checks and writes the package; throws ManifestConfigError or an Error listing the problems. */
export async function buildPackage(
  env: NodeJS.ProcessEnv,
  options: { root?: string; outFile?: string } = {},
): Promise<BuiltPackage> {
  const settings = readManifestSettings(env);
  const root = options.root ?? findRepoRoot();
  const outFile = path.resolve(root, options.outFile ?? path.join('dist', 'manifest', PACKAGE_NAME));
  const manifest = buildManifest(settings, root);
  const icons = [COLOR_ICON, OUTLINE_ICON].map((icon) => ({ ...icon, data: readFileSync(path.join(root, 'manifest', icon.file)) }));
  const problems = [
    ...(await validateManifest(manifest, loadSchema(root))),
    ...icons.flatMap((icon) => checkIcon(icon.data, icon.file, icon.size, { outline: icon.file === OUTLINE_ICON.file })),
  ];
  if (problems.length) throw new Error(`The Teams app package is not valid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);

  const zip = new JSZip();
  zip.file('manifest.json', `${JSON.stringify(manifest, null, 2)}\n`);
  for (const icon of icons) zip.file(icon.file, icon.data);
  const data = await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE', platform: 'UNIX' });
  mkdirSync(path.dirname(outFile), { recursive: true });
  writeFileSync(outFile, data);
  return { outFile, manifest };
}

const USAGE = `Usage: MicrosoftAppId=<bot app id> npm run manifest [-- --out FILE]
  Builds the Microsoft Teams app package (default dist/manifest/${PACKAGE_NAME}).
  Optional: TEAMS_APP_WEBSITE_URL, TEAMS_APP_PRIVACY_URL, TEAMS_APP_TERMS_URL (https URLs), BOT_PUBLIC_HOST (host name).`;

export async function main(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  out: (text: string) => void = (text) => process.stdout.write(`${text}\n`),
  err: (text: string) => void = (text) => process.stderr.write(`${text}\n`),
): Promise<number> {
  let outFile: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    if (flag === '--help' || flag === '-h') {
      out(USAGE);
      return 0;
    }
    if (flag === '--out' && (inline ?? argv[i + 1])) {
      outFile = inline ?? argv[++i];
    } else {
      err(`${flag === '--out' ? '--out needs a file name' : `unknown option ${argv[i]}`}\n${USAGE}`);
      return 2;
    }
  }
  try {
    // npm runs scripts from the package root; a relative --out is taken from where npm was called.
    const built = await buildPackage(env, { outFile: outFile && path.resolve(env.INIT_CWD ?? process.cwd(), outFile) });
    for (const key of defaultedUrls(env)) {
      err(`Note: ${key} is not set; using ${DEFAULT_URLS[key]}. Set it to your own page before publishing the app.`);
    }
    out(built.outFile);
    return 0;
  } catch (e) {
    err(e instanceof ManifestConfigError ? `${e.message}\n${USAGE}` : (e as Error).message);
    return 1;
  }
}

if (require.main === module) runCommand(main);
