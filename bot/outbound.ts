import { Activity } from 'botbuilder';
import {
  AuthenticateRequestResult,
  BotFrameworkAuthentication,
  BotFrameworkClient,
  ClaimsIdentity,
  ConnectorClient,
  ConnectorFactory,
  UserTokenClient,
} from 'botframework-connector';
import type { Logger } from 'pino';

/**
 * Every call the bot makes to a channel (replies, member lookups, proactive messages) goes to an
 * allowed serviceUrl host, times out after a few seconds, follows no redirect, and is retried at
 * most once — only when the target did not answer or answered 5xx, never after a 4xx or a
 * timeout. A caller in Emulator mode can otherwise point the bot anywhere (the serviceUrl is
 * theirs), and a target that never answers held a turn for over a minute.
 */

export interface OutboundPolicy {
  /** Host names (or `*.domain`) replies may go to; undefined: any the token vouches for. */
  allowedHosts?: readonly string[];
  /** Per attempt. */
  timeoutMs: number;
}

/** The host of a URL as allow-lists write it (lower case, IPv6 without brackets). */
export function hostOf(url: string): string | undefined {
  try {
    return new URL(url).hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  } catch {
    return undefined;
  }
}

export function hostAllowed(url: string, allowedHosts: readonly string[] | undefined): boolean {
  if (!allowedHosts) return true;
  const host = hostOf(url);
  if (!host) return false;
  return allowedHosts.some((pattern) => {
    const p = pattern.toLowerCase();
    return p.startsWith('*.') ? host.endsWith(p.slice(1)) && host.length > p.length - 1 : host === p;
  });
}

export class ServiceUrlNotAllowedError extends Error {
  constructor(readonly serviceUrl: string) {
    super(`replies may not be sent to ${hostOf(serviceUrl) ?? 'this serviceUrl'}`);
    this.name = 'ServiceUrlNotAllowedError';
  }
}

interface PipelineRequest {
  timeout: number;
  url: string;
}
interface PipelineResponse {
  status: number;
}
interface Pipeline {
  removePolicy(options: { name: string }): unknown;
  addPolicy(policy: { name: string; sendRequest: (request: PipelineRequest, next: (r: PipelineRequest) => Promise<PipelineResponse>) => Promise<PipelineResponse> }, options?: { phase?: string }): void;
}

const RETRYABLE = (status: number) => status >= 500 && status !== 501 && status !== 505;

/** Replaces the client's retry and redirect policies with ours (see the top of this file). */
function harden(client: ConnectorClient, policy: OutboundPolicy, log: Logger): ConnectorClient {
  const pipeline = (client as unknown as { client?: { pipeline?: Pipeline } }).client?.pipeline;
  if (!pipeline) {
    log.warn('the connector client has no pipeline to harden: outbound calls keep the SDK defaults');
    return client;
  }
  pipeline.removePolicy({ name: 'defaultRetryPolicy' });
  pipeline.removePolicy({ name: 'redirectPolicy' });
  pipeline.addPolicy(
    {
      name: 'nhscaOutboundPolicy',
      sendRequest: async (request, next) => {
        request.timeout = policy.timeoutMs;
        let response: PipelineResponse;
        try {
          response = await next(request);
        } catch (error) {
          // Timed out: a second wait would only double the delay. Refused or reset: once more.
          if ((error as { name?: string }).name === 'AbortError' || /timeout|timed out/i.test(String((error as Error).message))) throw error;
          await new Promise((resolve) => setTimeout(resolve, 200));
          return next(request);
        }
        if (!RETRYABLE(response.status)) return response;
        await new Promise((resolve) => setTimeout(resolve, 200));
        return next(request);
      },
    },
    { phase: 'Retry' },
  );
  return client;
}

class GuardedConnectorFactory extends ConnectorFactory {
  constructor(
    private readonly inner: ConnectorFactory,
    private readonly policy: OutboundPolicy,
    private readonly log: Logger,
  ) {
    super();
  }

  override async create(serviceUrl: string, audience?: string): Promise<ConnectorClient> {
    if (!hostAllowed(serviceUrl, this.policy.allowedHosts)) throw new ServiceUrlNotAllowedError(serviceUrl);
    return harden(await this.inner.create(serviceUrl, audience), this.policy, this.log);
  }
}

/** Bot Framework authentication whose connector factories enforce the outbound policy. */
export class GuardedAuthentication extends BotFrameworkAuthentication {
  constructor(
    private readonly inner: BotFrameworkAuthentication,
    readonly policy: OutboundPolicy,
    private readonly log: Logger,
  ) {
    super();
  }

  private guard(result: AuthenticateRequestResult): AuthenticateRequestResult {
    return result.connectorFactory ? { ...result, connectorFactory: new GuardedConnectorFactory(result.connectorFactory, this.policy, this.log) } : result;
  }

  override async authenticateRequest(activity: Activity, authHeader: string): Promise<AuthenticateRequestResult> {
    return this.guard(await this.inner.authenticateRequest(activity, authHeader));
  }

  override async authenticateStreamingRequest(authHeader: string, channelIdHeader: string): Promise<AuthenticateRequestResult> {
    return this.guard(await this.inner.authenticateStreamingRequest(authHeader, channelIdHeader));
  }

  override createConnectorFactory(claimsIdentity: ClaimsIdentity): ConnectorFactory {
    return new GuardedConnectorFactory(this.inner.createConnectorFactory(claimsIdentity), this.policy, this.log);
  }

  override createUserTokenClient(claimsIdentity: ClaimsIdentity): Promise<UserTokenClient> {
    return this.inner.createUserTokenClient(claimsIdentity);
  }

  override createBotFrameworkClient(): BotFrameworkClient {
    return this.inner.createBotFrameworkClient();
  }

  override getOriginatingAudience(): string {
    return this.inner.getOriginatingAudience();
  }

  override authenticateChannelRequest(authHeader: string): Promise<ClaimsIdentity> {
    return this.inner.authenticateChannelRequest(authHeader);
  }
}
