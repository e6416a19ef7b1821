import type {
  RealtimeChannel,
  RealtimePostgresChangesPayload,
  RealtimeSystemPayload,
  SupabaseClient,
} from "@supabase/supabase-js";
import { getSupabaseClient } from "../supabase/client";
import type { Well } from "../types/well";

/** The channel's state as realtime-js reports it, plus `CONNECTING` until its first answer. */
export type ConnectionStatus = "CONNECTING" | "SUBSCRIBED" | "CHANNEL_ERROR" | "TIMED_OUT" | "CLOSED";

/** One change of `public.wells`, reduced to what a wells list needs. */
export type WellsChange =
  | { type: "INSERT"; well: Well; committedAt: string }
  | { type: "UPDATE"; well: Well; committedAt: string }
  | { type: "DELETE"; id: number; committedAt: string };

/** Where the service puts what it learns: the app's state (see `WellsState`). */
export interface WellsSink {
  setStatus(status: ConnectionStatus, detail: string): void;
  /** The whole table as it is now (after a (re)subscribe). */
  replaceAll(wells: Well[]): void;
  applyChange(change: WellsChange): void;
}

export interface ConnectOptions {
  /**
   * Reads the rows as they are now. It runs after every SUBSCRIBED: the first to fill the list,
   * later ones to catch up with changes made while the channel was away, which realtime never
   * replays. The guide invalidated a PostgREST cache for this; any read works (PostgREST's
   * `supabase.from("wells").select()`, your API, ...).
   */
  loadSnapshot?: () => Promise<Well[]>;
}

/** Waits before opening a new channel after the server closed one, by attempt; the last repeats. */
const REOPEN_DELAYS_MS = [1000, 2000, 5000, 10000] as const;

/**
 * Keeps a sink in step with `public.wells` through `postgres_changes`.
 *
 * Compared with the guide's service:
 * - one channel per service even if `connect` is called twice while the first join is pending
 *   (the guide's `isConnected` flag only turned true at SUBSCRIBED);
 * - every event is handled (the guide's INSERT handler referenced an undefined `well`);
 * - DELETE carries only the primary key (`REPLICA IDENTITY DEFAULT`, and RLS tables never send
 *   more), so deletes go by `id`;
 * - reconnect: realtime-js itself reconnects the socket and rejoins after CHANNEL_ERROR and
 *   TIMED_OUT; a channel the server CLOSED (an expired token, a tenant reload) is not rejoined by
 *   realtime-js, so the service opens a new one after a back-off; after every SUBSCRIBED the
 *   snapshot is read again and changes that arrive meanwhile are applied after it, in order.
 */
export class RealtimeWellsService {
  private channel: RealtimeChannel | null = null;
  private sink: WellsSink | null = null;
  private options: ConnectOptions = {};
  private status: ConnectionStatus = "CONNECTING";
  /** Changes that arrived while a snapshot loads; null when none loads. */
  private pending: WellsChange[] | null = null;
  private snapshotGeneration = 0;
  private reopenAttempts = 0;
  private reopenTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly channelName = "wells-changes",
    private readonly client: () => SupabaseClient = getSupabaseClient,
  ) {}

  /** Starts listening; a second call while connected does nothing. */
  connect(sink: WellsSink, options: ConnectOptions = {}): void {
    if (this.sink) {
      return;
    }
    this.sink = sink;
    this.options = options;
    this.open();
  }

  /** Stops listening and leaves the channel. */
  async disconnect(): Promise<void> {
    this.sink = null;
    this.pending = null;
    if (this.reopenTimer) {
      clearTimeout(this.reopenTimer);
      this.reopenTimer = null;
    }
    const channel = this.channel;
    this.channel = null;
    if (channel) {
      await this.client().removeChannel(channel);
    }
  }

  private open(): void {
    this.report("CONNECTING", `joining ${this.channelName}`);
    const channel: RealtimeChannel = this.client()
      .channel(this.channelName)
      .on<Well>("postgres_changes", { event: "*", schema: "public", table: "wells" }, (payload) => {
        if (channel === this.channel) {
          this.receive(payload);
        }
      })
      .on("system", {}, (payload: RealtimeSystemPayload) => {
        if (channel === this.channel && payload.extension === "postgres_changes") {
          // "Subscribed to PostgreSQL", or why the server cannot stream this table.
          this.report(this.status, payload.message);
        }
      })
      .subscribe((status, error) => {
        if (channel === this.channel) {
          this.onStatus(status, error);
        }
      });
    this.channel = channel;
  }

  private onStatus(status: `${Exclude<ConnectionStatus, "CONNECTING">}`, error?: Error): void {
    switch (status) {
      case "SUBSCRIBED":
        this.reopenAttempts = 0;
        this.report("SUBSCRIBED", "joined; waiting for changes");
        void this.resync();
        break;
      case "CHANNEL_ERROR":
      case "TIMED_OUT":
        this.report(status, `${error?.message ?? "no answer"}; realtime-js retries`);
        break;
      case "CLOSED":
        this.reopenLater();
        break;
    }
  }

  private reopenLater(): void {
    const delay = REOPEN_DELAYS_MS[Math.min(this.reopenAttempts, REOPEN_DELAYS_MS.length - 1)];
    this.reopenAttempts++;
    this.report("CLOSED", `closed by the server; reopening in ${delay / 1000} s`);
    const closed = this.channel;
    this.channel = null;
    if (closed) {
      void this.client().removeChannel(closed);
    }
    this.reopenTimer = setTimeout(() => {
      this.reopenTimer = null;
      if (this.sink) {
        this.open();
      }
    }, delay);
  }

  private async resync(): Promise<void> {
    const load = this.options.loadSnapshot;
    if (!load) {
      return;
    }
    const generation = ++this.snapshotGeneration;
    this.pending ??= [];
    let wells: Well[] | null = null;
    try {
      wells = await load();
    } catch (error) {
      this.report(this.status, `could not read the current rows: ${String(error)}`);
    }
    if (generation !== this.snapshotGeneration || !this.sink) {
      return; // a newer snapshot owns the buffered changes
    }
    const buffered = this.pending ?? [];
    this.pending = null;
    if (wells) {
      this.sink.replaceAll(wells);
    }
    buffered.forEach((change) => this.sink?.applyChange(change));
  }

  private receive(payload: RealtimePostgresChangesPayload<Well>): void {
    if (payload.errors?.length) {
      // e.g. "Error 401: Unauthorized": this role may not read the row, and the record is empty.
      console.warn("wells change not applied:", payload.errors.join(", "));
      return;
    }
    const change = toChange(payload);
    if (!change) {
      return;
    }
    if (this.pending) {
      this.pending.push(change);
    } else {
      this.sink?.applyChange(change);
    }
  }

  private report(status: ConnectionStatus, detail: string): void {
    this.status = status;
    this.sink?.setStatus(status, detail);
  }
}

function toChange(payload: RealtimePostgresChangesPayload<Well>): WellsChange | null {
  const committedAt = payload.commit_timestamp;
  switch (payload.eventType) {
    case "INSERT":
      return { type: "INSERT", well: payload.new, committedAt };
    case "UPDATE":
      return { type: "UPDATE", well: payload.new, committedAt };
    case "DELETE":
      return typeof payload.old.id === "number" ? { type: "DELETE", id: payload.old.id, committedAt } : null;
  }
}

/** The app's one service, as the guide exported it. */
export const realtimeWellsService = new RealtimeWellsService();
