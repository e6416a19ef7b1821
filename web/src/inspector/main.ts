// The Realtime Inspector: a supabase-js client against this server whose every WebSocket frame is
// shown, with forms for what supabase-js can do on a channel, and (with an admin token) the
// tenants and their live figures.
import { createClient, type RealtimeChannel, type SupabaseClient } from "@supabase/supabase-js";
import { LineChart } from "./charts";
import { decodeFrame, describe, recordingTransport, type Direction, type Frame } from "./frames";

/** `GET /api/inspector/config`. */
interface InspectorConfig {
  url: string;
  tenant: string;
  anonKey: string | null;
}

/** `GET /api/inspector/tenants/{id}/figures`. */
interface Figures {
  tenant: string;
  at: number;
  connections: number;
  connected_users: number;
  events_per_second: number;
  stream: { state: string; subscriptions?: number; problem?: string | null; lag_problem?: string };
  replication_lag_bytes: number | null;
  rls_checks_total: number | null;
  messages_total: number | null;
  database_changes_total: number | null;
  rls_check_seconds_total: number | null;
  totals_source: string;
}

interface Joined {
  channel: RealtimeChannel;
  item: HTMLLIElement;
}

const MAX_FRAMES = 1500;
const FIGURES_EVERY_MS = 2000;

function element<T extends HTMLElement = HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (!found) {
    throw new Error(`the page has no #${id}`);
  }
  return found as T;
}

async function request<T>(path: string, init: RequestInit = {}, adminToken?: string): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (adminToken) {
    headers.Authorization = `Bearer ${adminToken}`;
  }
  if (init.body) {
    headers["Content-Type"] = "application/json";
  }
  const response = await fetch(path, { ...init, headers });
  const body: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const detail = body as { message?: string; reason?: string } | null;
    throw new Error(`${response.status} ${[detail?.message, detail?.reason].filter(Boolean).join(": ") || response.statusText}`);
  }
  return body as T;
}

/** The claims of a JWT, for showing; null when it is not one. */
function claimsOf(token: string): Record<string, unknown> | null {
  try {
    const payload = token.split(".")[1] ?? "";
    return JSON.parse(atob(payload.replace(/-/g, "+").replace(/_/g, "/"))) as Record<string, unknown>;
  } catch {
    return null;
  }
}

/** What a close says beyond its code: 4400-4499 is the server telling a refused connection's reason (4000 + the HTTP status). */
function closeNote(code: number, clean: boolean): string {
  if (code >= 4400 && code < 4500) {
    return ` (connection refused, HTTP ${code - 4000})`;
  }
  return clean ? "" : " (not clean: a refused handshake or a lost connection)";
}

function clock(epochMs: number): string {
  const date = new Date(epochMs);
  const pad = (n: number, width = 2) => String(n).padStart(width, "0");
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`;
}

function bytes(value: number): string {
  if (value < 1024) {
    return `${Math.round(value)} B`;
  }
  return value < 1024 * 1024 ? `${(value / 1024).toFixed(1)} KiB` : `${(value / 1024 / 1024).toFixed(1)} MiB`;
}

function rate(value: number): string {
  return value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2);
}

/** The frame log: newest first, heartbeats hidden unless asked for, filtered by text. */
class FrameLog {
  private seq = 0;
  private readonly list = element<HTMLOListElement>("frames");
  private readonly count = element("frame-count");
  private readonly filter = element<HTMLInputElement>("frame-filter");
  private readonly timeOrigin = performance.timeOrigin;

  constructor(private readonly onFrame: (frame: Frame) => void) {
    this.filter.addEventListener("input", () => {
      for (const item of this.list.children) {
        this.applyFilter(item as HTMLElement);
      }
    });
    const heartbeats = element<HTMLInputElement>("show-heartbeats");
    heartbeats.addEventListener("change", () => this.list.classList.toggle("with-heartbeats", heartbeats.checked));
    element("clear-frames").addEventListener("click", () => {
      this.list.replaceChildren();
      this.count.textContent = "0";
      element("frames-empty").hidden = false;
    });
  }

  /** Records a WebSocket frame. */
  record(dir: Direction, data: unknown): void {
    const decoded = decodeFrame(data);
    this.add({ ...decoded, ...describe(decoded), seq: ++this.seq, at: this.timeOrigin + performance.now(), dir });
  }

  /** Records what happened to the socket itself (open, close with its code). */
  note(summary: string, event: string): void {
    this.add({
      seq: ++this.seq, at: this.timeOrigin + performance.now(), dir: "in", kind: "socket", topic: "", event,
      joinRef: null, ref: null, payload: null, summary, bytes: 0, binary: false,
    });
  }

  private add(frame: Frame): void {
    const item = document.createElement("li");
    item.className = "frame";
    item.dataset.dir = frame.dir;
    item.dataset.kind = frame.kind;
    item.dataset.topic = frame.topic;
    item.dataset.event = frame.event;
    const details = document.createElement("details");
    const line = document.createElement("summary");
    const time = document.createElement("time");
    time.dateTime = new Date(frame.at).toISOString();
    time.textContent = clock(frame.at);
    const dir = document.createElement("span");
    dir.className = "dir";
    dir.textContent = frame.kind === "socket" ? "•" : frame.dir === "out" ? "↑" : "↓";
    dir.title = frame.dir === "out" ? "sent by this page" : "received from the server";
    const event = document.createElement("span");
    event.className = "event";
    event.textContent = frame.event;
    const topic = document.createElement("span");
    topic.className = "topic";
    topic.textContent = frame.topic;
    const summary = document.createElement("span");
    summary.className = "summary";
    summary.textContent = frame.summary;
    line.append(time, dir, event, topic, summary);
    const body = document.createElement("pre");
    body.textContent = frame.kind === "socket" ? frame.summary : JSON.stringify({
      join_ref: frame.joinRef, ref: frame.ref, topic: frame.topic, event: frame.event, payload: frame.payload,
    }, null, 2) + `\n\n${frame.bytes} bytes${frame.binary ? ", binary frame" : ""}`;
    details.append(line, body);
    item.append(details);
    this.applyFilter(item);
    this.list.prepend(item);
    while (this.list.children.length > MAX_FRAMES) {
      this.list.lastElementChild?.remove();
    }
    this.count.textContent = String(this.seq);
    element("frames-empty").hidden = true;
    this.onFrame(frame);
  }

  private applyFilter(item: HTMLElement): void {
    const words = this.filter.value.trim().toLowerCase();
    item.hidden = words.length > 0 && !(item.textContent ?? "").toLowerCase().includes(words);
  }
}

/** Live charts of one tenant's figures, read every 2 s with the admin token. */
class TenantCharts {
  private readonly card = element("charts-card");
  private readonly charts = {
    connections: new LineChart(element("charts"), { id: "connections", title: "Connections", format: (v) => String(Math.round(v)) }),
    messages: new LineChart(element("charts"), { id: "messages", title: "Messages/s", format: rate }),
    changes: new LineChart(element("charts"), { id: "changes", title: "Database changes/s", format: rate }),
    lag: new LineChart(element("charts"), { id: "lag", title: "Replication lag", format: bytes }),
    rlsChecks: new LineChart(element("charts"), { id: "rls-checks", title: "RLS checks/s", format: rate }),
    rlsTime: new LineChart(element("charts"), { id: "rls-time", title: "RLS check time", format: (v) => `${v.toFixed(2)} ms` }),
  };
  private timer: number | undefined;
  private tenant = "";
  private previous: Figures | null = null;

  show(tenant: string, adminToken: string): void {
    window.clearInterval(this.timer);
    this.tenant = tenant;
    this.previous = null;
    this.card.hidden = false;
    element("charts-tenant").textContent = tenant;
    const read = () => void this.read(adminToken);
    read();
    this.timer = window.setInterval(read, FIGURES_EVERY_MS);
  }

  private async read(adminToken: string): Promise<void> {
    const tenant = this.tenant;
    let figures: Figures;
    try {
      figures = await request<Figures>(`/api/inspector/tenants/${encodeURIComponent(tenant)}/figures`, {}, adminToken);
    } catch (error) {
      element("charts-stream").textContent = `cannot read figures: ${String(error)}`;
      return;
    }
    if (tenant !== this.tenant) {
      return;
    }
    const before = this.previous;
    this.previous = figures;
    const seconds = before ? (figures.at - before.at) / 1000 : 0;
    const delta = (now: number | null, then: number | null | undefined): number | null =>
      now === null || then === null || then === undefined || seconds <= 0 ? null : Math.max(0, now - then) / seconds;
    const metered = figures.totals_source === "metrics";
    const stream = figures.stream;
    element("charts-stream").textContent = `replication ${stream.state.toLowerCase()}`
      + (stream.subscriptions !== undefined ? ` · ${stream.subscriptions} channel(s) with bindings` : "")
      + (stream.problem ? ` · ${stream.problem}` : "");
    document.body.dataset.figures = String(Number(document.body.dataset.figures ?? "0") + 1);

    this.charts.connections.push(figures.connections, `${figures.connected_users} with a channel`);
    if (metered) {
      this.charts.messages.push(delta(figures.messages_total, before?.messages_total), "metrics");
    } else {
      this.charts.messages.push(figures.events_per_second, "60-s average");
    }
    this.charts.changes.push(metered ? delta(figures.database_changes_total, before?.database_changes_total) : null,
      metered ? "metrics" : "not measured without metrics");
    this.charts.lag.push(figures.replication_lag_bytes, figures.replication_lag_bytes === null
      ? stream.lag_problem ?? `stream ${stream.state.toLowerCase()}` : "current WAL − confirmed");
    this.charts.rlsChecks.push(delta(figures.rls_checks_total, before?.rls_checks_total), "round trips");
    const checks = delta(figures.rls_checks_total, before?.rls_checks_total);
    const time = delta(figures.rls_check_seconds_total, before?.rls_check_seconds_total);
    this.charts.rlsTime.push(metered && checks !== null && time !== null ? (checks > 0 ? (time / checks) * 1000 : 0) : null,
      metered ? "mean per check" : "not measured without metrics");
  }
}

/** One postgres_changes binding row of the join form. */
function addBindingRow(list: HTMLElement, table = ""): void {
  const item = document.createElement("li");
  item.className = "binding";
  item.innerHTML = `
    <select aria-label="event" class="binding-event">
      <option>*</option><option>INSERT</option><option>UPDATE</option><option>DELETE</option>
    </select>
    <input aria-label="schema" class="binding-schema" value="public" spellcheck="false">
    <input aria-label="table" class="binding-table" placeholder="table (all)" spellcheck="false">
    <input aria-label="filter" class="binding-filter" placeholder="filter, e.g. id=eq.1" spellcheck="false">
    <button type="button" class="small secondary remove" aria-label="remove binding">×</button>`;
  item.querySelector<HTMLInputElement>(".binding-table")!.value = table;
  item.querySelector("button")!.addEventListener("click", () => item.remove());
  list.append(item);
}

class Inspector {
  private client: SupabaseClient | null = null;
  private readonly joined = new Map<string, Joined>();
  private readonly log = new FrameLog((frame) => this.onFrame(frame));
  private readonly charts = new TenantCharts();
  private adminToken = "";

  constructor(private readonly config: InspectorConfig) {
    element<HTMLInputElement>("server-url").value = config.url;
    this.setTenants([config.tenant]);
    for (const radio of document.querySelectorAll<HTMLInputElement>('input[name="key-mode"]')) {
      radio.addEventListener("change", () => this.showKeyMode());
    }
    this.showKeyMode();
    element("connect-form").addEventListener("submit", (event) => {
      event.preventDefault();
      void this.connect();
    });
    element("disconnect").addEventListener("click", () => this.disconnect());
    element("add-binding").addEventListener("click", () => addBindingRow(element("bindings")));
    element("join-form").addEventListener("submit", (event) => {
      event.preventDefault();
      this.join();
    });
    element("broadcast-form").addEventListener("submit", (event) => {
      event.preventDefault();
      void this.broadcast();
    });
    element("track").addEventListener("click", () => void this.track());
    element("untrack").addEventListener("click", () => void this.untrack());
    element("admin-form").addEventListener("submit", (event) => {
      event.preventDefault();
      void this.loadTenants();
    });
  }

  private keyMode(): string {
    return document.querySelector<HTMLInputElement>('input[name="key-mode"]:checked')?.value ?? "anon";
  }

  private showKeyMode(): void {
    const mode = this.keyMode();
    for (const part of document.querySelectorAll<HTMLElement>("[data-mode]")) {
      part.hidden = part.dataset.mode !== mode;
    }
    if (mode === "anon") {
      this.showClaims(this.config.anonKey ?? "");
    }
  }

  private showClaims(token: string): void {
    const claims = claimsOf(token);
    element("key-claims").textContent = claims
      ? Object.entries(claims).filter(([name]) => ["role", "sub", "exp"].includes(name))
        .map(([name, value]) => `${name}: ${name === "exp" ? new Date(Number(value) * 1000).toISOString() : String(value)}`).join(" · ")
      : token ? "not a JWT" : "none";
  }

  private async key(): Promise<string> {
    switch (this.keyMode()) {
      case "jwt": {
        const token = element<HTMLTextAreaElement>("user-jwt").value.trim();
        if (!token) {
          throw new Error("paste a JWT first");
        }
        return token;
      }
      case "sign": {
        if (!this.adminToken) {
          throw new Error("signing needs the admin token (Tenants, below)");
        }
        const sub = element<HTMLInputElement>("sign-sub").value.trim();
        const signed = await request<{ token: string }>("/api/inspector/token", {
          method: "POST",
          body: JSON.stringify({
            tenant: element<HTMLSelectElement>("sign-tenant").value,
            role: element<HTMLInputElement>("sign-role").value.trim(),
            ...(sub ? { sub } : {}),
          }),
        }, this.adminToken);
        return signed.token;
      }
      default:
        if (!this.config.anonKey) {
          throw new Error("the default tenant has no JWT secret, so there is no anon key: paste a JWT");
        }
        return this.config.anonKey;
    }
  }

  private setSocketStatus(status: "connecting" | "open" | "closed", label: string): void {
    const pill = element("socket-status");
    pill.dataset.status = status;
    pill.querySelector(".pill-label")!.textContent = label;
    document.body.dataset.socket = status;
    const open = status !== "closed";
    element<HTMLButtonElement>("connect").disabled = open;
    element<HTMLButtonElement>("disconnect").disabled = !open;
    element<HTMLButtonElement>("join").disabled = !open;
  }

  private async connect(): Promise<void> {
    let key: string;
    try {
      key = await this.key();
    } catch (error) {
      this.log.note(`cannot connect: ${String(error)}`, "error");
      return;
    }
    this.showClaims(key);
    const url = element<HTMLInputElement>("server-url").value.trim();
    const vsn = element<HTMLSelectElement>("vsn").value;
    const transport = recordingTransport((dir, data) => this.log.record(dir, data), {
      open: () => {
        this.setSocketStatus("open", "CONNECTED");
        this.log.note(`socket open: ${url} (vsn ${vsn})`, "open");
      },
      close: (code, reason, clean) => {
        if (this.client) {
          this.setSocketStatus("connecting", "RECONNECTING");
        }
        this.log.note(`socket closed: ${code}${reason ? ` ${reason}` : ""}${closeNote(code, clean)}`, "close");
      },
    });
    this.setSocketStatus("connecting", "CONNECTING");
    this.client = createClient(url, key, {
      auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
      realtime: { transport, vsn },
    });
    this.client.realtime.connect();
  }

  private disconnect(): void {
    const client = this.client;
    this.client = null;
    for (const { item } of this.joined.values()) {
      item.remove();
    }
    this.joined.clear();
    this.refreshSendChannels();
    void client?.removeAllChannels().finally(() => client.realtime.disconnect());
    this.setSocketStatus("closed", "DISCONNECTED");
  }

  private join(): void {
    const client = this.client;
    const topic = element<HTMLInputElement>("topic").value.trim();
    if (!client || !topic) {
      return;
    }
    if (this.joined.has(topic)) {
      this.log.note(`already joined ${topic}: leave it first`, "error");
      return;
    }
    const presenceKey = element<HTMLInputElement>("presence-key").value.trim();
    const channel = client.channel(topic, {
      config: {
        private: element<HTMLInputElement>("opt-private").checked,
        broadcast: { self: element<HTMLInputElement>("opt-self").checked, ack: element<HTMLInputElement>("opt-ack").checked },
        presence: { key: presenceKey, enabled: element<HTMLInputElement>("opt-presence").checked },
      },
    });
    for (const row of element("bindings").querySelectorAll<HTMLElement>(".binding")) {
      const value = (selector: string) => row.querySelector<HTMLInputElement | HTMLSelectElement>(selector)!.value.trim();
      const table = value(".binding-table");
      const filter = value(".binding-filter");
      // supabase-js types each event literal separately; the value comes from the form's own options.
      const binding = { event: value(".binding-event") as "*", schema: value(".binding-schema") || "public",
        ...(table ? { table } : {}), ...(filter ? { filter } : {}) };
      channel.on("postgres_changes", binding, () => undefined);
    }
    const item = document.createElement("li");
    item.className = "channel";
    item.dataset.topic = topic;
    item.dataset.state = "joining";
    const name = document.createElement("code");
    name.textContent = topic;
    const state = document.createElement("span");
    state.className = "state";
    state.textContent = "joining";
    const leave = document.createElement("button");
    leave.type = "button";
    leave.className = "small secondary";
    leave.textContent = "Leave";
    leave.addEventListener("click", () => {
      this.joined.delete(topic);
      item.remove();
      this.refreshSendChannels();
      void client.removeChannel(channel);
    });
    const reason = document.createElement("p");
    reason.className = "reason";
    item.append(name, state, leave, reason);
    element("channels").append(item);
    this.joined.set(topic, { channel, item });
    this.refreshSendChannels();
    channel.subscribe((status, error) => {
      item.dataset.state = status;
      state.textContent = status;
      if (status === "SUBSCRIBED") {
        reason.textContent = "";
        delete item.dataset.error;
      } else if (error) {
        // What supabase-js itself reports: a refused connection's reason arrives this way too.
        item.dataset.error = error.message;
        reason.textContent ||= error.message;
      }
    });
  }

  /** Join error reasons and system errors are shown on their channel, exactly as the server wrote them. */
  private onFrame(frame: Frame): void {
    if (frame.dir !== "in" || !frame.topic.startsWith("realtime:")) {
      return;
    }
    const joined = this.joined.get(frame.topic.slice("realtime:".length));
    if (!joined) {
      return;
    }
    const reason = joined.item.querySelector(".reason")!;
    if (frame.kind === "error") {
      reason.textContent = frame.summary.replace(/^error: /, "");
    } else if (frame.kind === "system" && (frame.payload as { status?: string } | null)?.status === "error") {
      reason.textContent = frame.summary;
    }
  }

  private refreshSendChannels(): void {
    const select = element<HTMLSelectElement>("send-channel");
    const current = select.value;
    select.replaceChildren(...[...this.joined.keys()].map((topic) => new Option(topic, topic, false, topic === current)));
    const none = this.joined.size === 0;
    for (const id of ["send-broadcast", "track", "untrack"]) {
      element<HTMLButtonElement>(id).disabled = none;
    }
  }

  private selected(): RealtimeChannel | null {
    return this.joined.get(element<HTMLSelectElement>("send-channel").value)?.channel ?? null;
  }

  private parse(id: string): unknown {
    const raw = element<HTMLTextAreaElement>(id).value.trim();
    return raw ? JSON.parse(raw) as unknown : {};
  }

  private result(text: string): void {
    element("send-result").textContent = text;
  }

  private async broadcast(): Promise<void> {
    const channel = this.selected();
    if (!channel) {
      return;
    }
    try {
      const event = element<HTMLInputElement>("broadcast-event").value.trim();
      const answer = await channel.send({ type: "broadcast", event, payload: this.parse("broadcast-payload") });
      this.result(`broadcast ${event}: ${answer}`);
    } catch (error) {
      this.result(`broadcast not sent: ${String(error)}`);
    }
  }

  private async track(): Promise<void> {
    const channel = this.selected();
    if (!channel) {
      return;
    }
    try {
      this.result(`track: ${await channel.track(this.parse("presence-payload") as Record<string, unknown>)}`);
    } catch (error) {
      this.result(`not tracked: ${String(error)}`);
    }
  }

  private async untrack(): Promise<void> {
    const channel = this.selected();
    if (channel) {
      this.result(`untrack: ${await channel.untrack()}`);
    }
  }

  private setTenants(ids: string[]): void {
    const select = element<HTMLSelectElement>("sign-tenant");
    const current = select.value || this.config.tenant;
    select.replaceChildren(...ids.map((id) => new Option(id, id, false, id === current)));
  }

  private async loadTenants(): Promise<void> {
    this.adminToken = element<HTMLInputElement>("admin-token").value.trim();
    const result = element("admin-result");
    const list = element("tenants");
    try {
      const answer = await request<{ data: { external_id: string; name?: string; suspend?: boolean }[] }>("/api/tenants", {}, this.adminToken);
      list.replaceChildren();
      for (const tenant of answer.data) {
        const item = document.createElement("li");
        item.dataset.tenant = tenant.external_id;
        const id = document.createElement("code");
        id.textContent = tenant.external_id;
        const detail = document.createElement("span");
        detail.className = "hint";
        detail.textContent = `${tenant.name && tenant.name !== tenant.external_id ? tenant.name : ""}${tenant.suspend ? " suspended" : ""}`;
        const charts = document.createElement("button");
        charts.type = "button";
        charts.className = "small secondary";
        charts.textContent = "Charts";
        charts.addEventListener("click", () => this.charts.show(tenant.external_id, this.adminToken));
        item.append(id, detail, charts);
        list.append(item);
      }
      this.setTenants(answer.data.map((t) => t.external_id));
      result.textContent = `${answer.data.length} tenant(s). Sockets reach the tenant this server's host name selects.`;
      const first = answer.data.find((t) => t.external_id === this.config.tenant) ?? answer.data[0];
      if (first) {
        this.charts.show(first.external_id, this.adminToken);
      }
    } catch (error) {
      list.replaceChildren();
      result.textContent = `Tenants: ${String(error)}`;
    }
  }
}

async function main(): Promise<void> {
  try {
    new Inspector(await request<InspectorConfig>("/api/inspector/config"));
    document.body.dataset.ready = "true";
  } catch (error) {
    element("frames-empty").textContent = `Cannot load the inspector's settings: ${String(error)}`;
  }
}

void main();
