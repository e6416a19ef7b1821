import { realtimeWellsService, type ConnectOptions } from "./services/realtime-wells-service";
import { wellsState } from "./state/wells-state";
import { configureSupabase, type SupabaseSettings } from "./supabase/client";

/**
 * The start-up wiring the guide spread over a constructor and a timer: configure the one client,
 * connect the one service to the one state. Call it once when the app starts (in SvelteKit, from
 * the root layout's `onMount`); the returned function disconnects.
 *
 * ```ts
 * const stop = startWells(
 *   { url: "http://localhost:9080", anonKey: PUBLIC_SUPABASE_ANON_KEY },
 *   { loadSnapshot: async () => (await getSupabaseClient().from("wells").select()).data ?? [] },
 * );
 * wellsState.subscribe((view) => render(view.wells));
 * ```
 */
export function startWells(settings: SupabaseSettings, options: ConnectOptions = {}): () => Promise<void> {
  configureSupabase(settings);
  realtimeWellsService.connect(wellsState, options);
  return () => realtimeWellsService.disconnect();
}
