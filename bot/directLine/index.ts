/** The web chat page and its Direct Line channel, served by the bot itself (see channel.ts). */
export { botAccount, CHANNEL_ID, CONNECTOR_PATH, DEFAULT_LIMITS, DIRECT_LINE_PATH, DirectLine, registerDirectLine } from './channel';
export type { DirectLineLimits, DirectLineOptions } from './channel';
export { PAGE_CSP, registerWebChatPage } from './page';

import type * as restify from 'restify';
import type { DirectLineState } from '../../adapters/directLineState';
import type { ServerParts } from '../server';
import { DirectLine, DirectLineLimits, registerDirectLine } from './channel';
import { registerWebChatPage } from './page';

/** How the bot's server offers the web chat page. */
export interface WebChatSetup {
  /** Off: neither the page nor its Direct Line routes exist (404). Default on. */
  enabled?: boolean;
  /** Shared by every instance with Redis; default this process's memory. */
  state?: DirectLineState;
  /** The bot's Microsoft app id (configuration's MicrosoftAppId). */
  appId?: string;
  limits?: Partial<DirectLineLimits>;
  /** Proxies in front that append to X-Forwarded-For (WEBCHAT_TRUSTED_PROXIES). */
  trustedProxies?: number;
  /** A page came back to a conversation the channel had let go (reopened empty, under its id). */
  onReopened?: (conversation: { id: string; userId: string }, how: { transcriptKept: boolean }) => void;
}

/** The page and its channel on the bot's server, unless configured off. */
export function registerWebChat(server: restify.Server, parts: ServerParts): DirectLine | undefined {
  const setup = parts.webChat ?? {};
  if (setup.enabled === false) return undefined;
  const directLine = registerDirectLine(server, parts, { state: setup.state, appId: setup.appId, limits: setup.limits, trustedProxies: setup.trustedProxies, onReopened: setup.onReopened });
  registerWebChatPage(server);
  return directLine;
}
