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

/**
 * How changes reach the service: `postgres_changes` (the server reads the WAL and checks RLS per
 * subscriber) or `broadcast`, Broadcast from Database (the `wells` context's trigger calls
 * `realtime.broadcast_changes` and the private channel `wells` receives the messages).
 */
export type WellsPath = "postgres_changes" | "broadcast";

/**
 * One change of `public.wells`, reduced to what a wells list needs, with the path it came by.
 * `committedAt` is the commit time postgres_changes carries; Broadcast from Database carries none.
 */
export type WellsChange =
  | { type: "INSERT"; well: Well; committedAt: string | null; via: WellsPath }
  | { type: "UPDATE"; well: Well; committedAt: string | null; via: WellsPath }
  | { type: "DELETE"; id: number; committedAt: string | null; via: WellsPath };

/** What `realtime.broadcast_changes` sends as a broadcast's payload. */
interface RowBroadcast {
  operation?: string;
  schema?: string;
  table?: string;
  record?: Well | null;
  old_record?: Partial<Well> | null;
}

/** The topic the `wells` context's trigger sends to (its channel is private). */
export const WELLS_BROADCAST_TOPIC = "wells";

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
 * Keeps a sink in step with `public.wells` through `postgres_changes`, or through Broadcast from
 * Database when constructed with `via = "broadcast"` (then the channel name is the trigger's topic).
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
 *   snapshot is read again and changes that arrive meanwhile are applied after it, in order;
 * - Broadcast from Database delivers only what commits once the server's replication stream for
 *   `realtime.messages` is up, so on that path the channel asks for `replication_ready` and the
 *   snapshot is read when the server says "Replication connection established", not at SUBSCRIBED.
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
    /** The path this service listens on. */
    readonly via: WellsPath = "postgres_changes",
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
    const channel: RealtimeChannel = this.via === "broadcast"
      ? this.client()
        .channel(this.channelName, { config: { private: true, broadcast: { replication_ready: true } } })
        .on("broadcast", { event: "*" }, (message) => {
          if (channel === this.channel) {
            this.receiveBroadcast(message.payload as RowBroadcast);
          }
        })
      : this.client()
        .channel(this.channelName)
        .on<Well>("postgres_changes", { event: "*", schema: "public", table: "wells" }, (payload) => {
          if (channel === this.channel) {
            this.receive(payload);
          }
        });
    channel
      .on("system", {}, (payload: RealtimeSystemPayload) => {
        if (channel === this.channel) {
          this.onSystem(payload);
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
        if (this.via === "broadcast") {
          this.report("SUBSCRIBED", "joined; waiting for the replication stream");
        } else {
          this.report("SUBSCRIBED", "joined; waiting for changes");
          void this.resync();
        }
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

  private onSystem(payload: RealtimeSystemPayload): void {
    if (this.via === "postgres_changes" && payload.extension === "postgres_changes") {
      // "Subscribed to PostgreSQL", or why the server cannot stream this table.
      this.report(this.status, payload.message);
    } else if (this.via === "broadcast" && payload.extension === "system") {
      this.report(this.status, payload.message);
      if (payload.status === "ok") {
        void this.resync(); // from now on every commit is streamed
      }
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
    if (change) {
      this.deliver(change);
    }
  }

  private receiveBroadcast(payload: RowBroadcast): void {
    if (payload?.schema !== "public" || payload.table !== "wells") {
      return; // not a row of this table: someone else's send to the topic
    }
    const change = fromBroadcast(payload);
    if (change) {
      this.deliver(change);
    }
  }

  private deliver(change: WellsChange): void {
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
  const via = "postgres_changes";
  switch (payload.eventType) {
    case "INSERT":
      return { type: "INSERT", well: payload.new, committedAt, via };
    case "UPDATE":
      return { type: "UPDATE", well: payload.new, committedAt, via };
    case "DELETE":
      return typeof payload.old.id === "number" ? { type: "DELETE", id: payload.old.id, committedAt, via } : null;
  }
}

/** A trigger's message: the whole new row for INSERT and UPDATE, the whole old row for DELETE. */
function fromBroadcast(payload: RowBroadcast): WellsChange | null {
  const via = "broadcast";
  const record = payload.record;
  switch (payload.operation) {
    case "INSERT":
    case "UPDATE":
      return record && typeof record.id === "number"
        ? { type: payload.operation, well: record, committedAt: null, via }
        : null;
    case "DELETE":
      return typeof payload.old_record?.id === "number"
        ? { type: "DELETE", id: payload.old_record.id, committedAt: null, via }
        : null;
    default:
      return null;
  }
}

/** The app's one service, as the guide exported it. */
export const realtimeWellsService = new RealtimeWellsService();

/** The same table through Broadcast from Database (needs the `wells` changeset context's trigger). */
export const broadcastWellsService = new RealtimeWellsService(WELLS_BROADCAST_TOPIC, getSupabaseClient, "broadcast");
