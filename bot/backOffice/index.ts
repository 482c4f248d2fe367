import type * as restify from 'restify';
import { API_BASE, registerBackOfficeApi } from './api';
import { openApiDocument } from './openapi';
import { registerBackOfficePage } from './page';
import { BackOffice, BackOfficeDeps } from './service';
import { BackOfficeToken, TokenBook } from './tokens';

/**
 * The NAS back office on the bot's server (docs/back-office.md): the API under /nas/api/, its
 * OpenAPI document, and the page at /nas/. Off (every route 404) unless NAS_API_TOKENS is set.
 */

export { BackOffice } from './service';
export type { BackOfficeDeps, ChangeOutcome, TellRequester, Told } from './service';

export interface BackOfficeSetup extends BackOfficeDeps {
  tokens: readonly BackOfficeToken[] | undefined;
  /** Told about an unexpected failure of an API call (for logging). */
  onError?: (error: unknown, path: string) => void;
}

/** Registers the back office when tokens are configured; returns whether it is on. */
export function registerBackOffice(server: restify.Server, setup: BackOfficeSetup | undefined): boolean {
  const tokens = new TokenBook(setup?.tokens ?? []);
  if (!setup || !tokens.enabled) return false;
  const office = new BackOffice(setup);
  server.get(`${API_BASE}/openapi.json`, async (_req, res) => {
    res.setHeader('Cache-Control', 'no-cache');
    res.send(200, openApiDocument);
  });
  registerBackOfficeApi(server, { office, tokens, onError: setup.onError });
  registerBackOfficePage(server);
  return true;
}
