/**
 * The Warden configuration of each AgentDojo suite, written by hand from the suite's tools and
 * user tasks (never from its injection tasks): which tools' outputs carry third-party text (the
 * `inbound` upstream, `trust: untrusted`), which arguments policies name, and which tools send
 * something out (egress). `suiteConfig` turns it into a warden.yaml object for one replay server.
 * Node runs it directly with type stripping (erasable TypeScript only).
 */
import type { ReplayTool } from './server.ts';

export interface SuiteSpec {
  /** Tools whose outputs carry text written by third parties. */
  inbound: string[];
  /** Tools that send something outside the user's own systems. */
  egress: string[];
  /** Arguments the suite's policies name, with their Cedar-facing types. */
  args: Record<string, 'string' | 'long' | 'boolean' | 'strings'>;
}

export const SUITES: Record<string, SuiteSpec> = {
  // Bills, notices and letters in files, and the subjects counterparties write on incoming transfers.
  banking: {
    inbound: ['read_file', 'get_most_recent_transactions'],
    egress: ['send_money', 'schedule_transaction', 'update_scheduled_transaction'],
    args: { recipient: 'string', password: 'string' },
  },
  // Channel messages, direct messages and web pages are written by others; the channel and user
  // directory is the workspace's own.
  slack: {
    inbound: ['read_channel_messages', 'read_inbox', 'get_webpage'],
    egress: ['send_direct_message', 'send_channel_message', 'invite_user_to_slack', 'get_webpage', 'post_webpage'],
    args: { recipient: 'string', user: 'string', user_email: 'string', channel: 'string', url: 'string', body: 'string', content: 'string' },
  },
  // Listings and reviews of hotels, restaurants, car rentals and flights come from a travel
  // provider and its users; the user's profile and calendar are the user's own.
  travel: {
    inbound: [
      'get_all_hotels_in_city',
      'get_hotels_prices',
      'get_rating_reviews_for_hotels',
      'get_hotels_address',
      'get_all_restaurants_in_city',
      'get_cuisine_type_for_restaurants',
      'get_restaurants_address',
      'get_rating_reviews_for_restaurants',
      'get_dietary_restrictions_for_all_restaurants',
      'get_contact_information_for_restaurants',
      'get_price_for_restaurants',
      'check_restaurant_opening_hours',
      'get_all_car_rental_companies_in_city',
      'get_car_types_available',
      'get_rating_reviews_for_car_rental',
      'get_car_fuel_options',
      'get_car_rental_address',
      'get_car_price_per_day',
      'get_flight_information',
    ],
    egress: ['send_email', 'reserve_hotel', 'reserve_car_rental', 'reserve_restaurant'],
    args: { recipients: 'strings', cc: 'strings', bcc: 'strings', participants: 'strings' },
  },
  // Received mail and the cloud drive (files others wrote or shared) are third-party text; the
  // calendar and the contacts are the user's own.
  workspace: {
    inbound: ['get_unread_emails', 'get_received_emails', 'get_sent_emails', 'get_draft_emails', 'search_emails', 'append_to_file', 'search_files_by_filename', 'get_file_by_id', 'list_files', 'search_files', 'create_file', 'share_file'],
    egress: ['send_email', 'share_file', 'create_calendar_event', 'add_calendar_event_participants'],
    args: { recipients: 'strings', cc: 'strings', bcc: 'strings', participants: 'strings', email: 'string' },
  },
};

export function inboundTools(suite: string): Set<string> {
  const spec = SUITES[suite];
  if (!spec) throw new Error(`unknown AgentDojo suite "${suite}"`);
  return new Set(spec.inbound);
}

/** The upstream a suite's tool is served from: `inbound` (untrusted) or `core` (trusted). */
export const upstreamOf = (suite: string, tool: string): 'core' | 'inbound' => (SUITES[suite]?.inbound.includes(tool) ? 'inbound' : 'core');

/**
 * warden.yaml for one suite served by the replay server at `url`: one agent (`assistant`), one
 * approver (`security`), both upstreams, every tool (`side_effects` from the dataset), limits
 * raised so a replay of hundreds of sessions a second is not mistaken for a runaway agent.
 */
export function suiteConfig(suite: string, tools: ReadonlyArray<ReplayTool & { side_effect: boolean }>, url: string): Record<string, unknown> {
  const spec = SUITES[suite];
  if (!spec) throw new Error(`unknown AgentDojo suite "${suite}"`);
  const big = { points: 1_000_000_000, per_seconds: 60 };
  return {
    version: 1,
    org: { id: 'agentdojo', name: `AgentDojo ${suite}` },
    env: 'bench',
    roles: [{ id: 'assistant', description: `The ${suite} assistant` }],
    agents: [{ id: 'assistant', roles: ['assistant'], tags: { env: 'prod' } }],
    approvers: [{ id: 'security', name: 'Security on call' }],
    upstreams: [
      { id: 'core', transport: 'streamable-http', url: `${url}/core/mcp`, trust: 'trusted', timeout_ms: 10_000, retry: { max_attempts: 1 } },
      { id: 'inbound', transport: 'streamable-http', url: `${url}/inbound/mcp`, trust: 'untrusted', timeout_ms: 10_000, retry: { max_attempts: 1 } },
    ],
    tools: tools.map((t) => {
      const declared = Object.fromEntries(Object.entries(spec.args).filter(([name]) => name in t.parameters));
      return {
        id: `${upstreamOf(suite, t.name)}.${t.name}`,
        risk: t.side_effect ? 'high' : 'low',
        side_effects: t.side_effect,
        egress: spec.egress.includes(t.name),
        ...(Object.keys(declared).length ? { args: declared } : {}),
      };
    }),
    limits: { per_agent: big, per_tool: big, per_session: big, loop: { max_repeats: 1_000_000, window_seconds: 60 }, session_step_budget: 1_000_000 },
    ledger: { checkpoint_every: 100_000, checkpoint_seconds: 3600 },
  };
}
