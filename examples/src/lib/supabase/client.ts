import { createClient, type SupabaseClient, type WebSocketLikeConstructor } from "@supabase/supabase-js";

/**
 * Where the client connects. The guide hard-coded both values; they belong to the deployment:
 *
 * - `url`: MudRock Realtime itself (`http://localhost:9080` in the embedded default: it serves
 *   `/realtime/v1/websocket` directly) or the gateway in front of it (`http://localhost:8000`
 *   with the compose stack's Kong). supabase-js turns it into `ws://…/realtime/v1/websocket`.
 * - `anonKey`: an HS256 JWT with `role: "anon"` signed with the tenant's JWT secret (the server
 *   prints one at start-up). Realtime evaluates row-level security as this role.
 * - `transport`: only outside browsers. Node 20 has no global WebSocket, so server-side code
 *   passes the `ws` package's class here.
 */
export interface SupabaseSettings {
  url: string;
  anonKey: string;
  transport?: WebSocketLikeConstructor;
}

let settings: SupabaseSettings | null = null;
let instance: SupabaseClient | null = null;

/**
 * Sets where the one client connects. Call it once at start-up, before the first
 * `getSupabaseClient()`; calling it again with other values after the client exists is a bug
 * (two sockets, two sessions), so it throws.
 */
export function configureSupabase(next: SupabaseSettings): void {
  if (instance && (next.url !== settings?.url || next.anonKey !== settings?.anonKey)) {
    throw new Error("configureSupabase: the Supabase client already exists with other settings");
  }
  settings = next;
}

/**
 * The one Supabase client of the app. A singleton because every client opens its own realtime
 * WebSocket and its own auth session: channels must share one.
 */
export function getSupabaseClient(): SupabaseClient {
  if (instance) {
    return instance;
  }
  if (!settings) {
    throw new Error("getSupabaseClient: call configureSupabase({ url, anonKey }) first");
  }
  instance = createClient(settings.url, settings.anonKey, {
    // The guide's `params: { eventsPerSecond: 10 }` is left out: realtime-js 2.119 no longer
    // reads it and the server ignores it as a query parameter (rate limits are tenant settings).
    realtime: settings.transport ? { transport: settings.transport } : {},
    auth: {
      persistSession: true,
      autoRefreshToken: true,
      detectSessionInUrl: false,
    },
  });
  return instance;
}
