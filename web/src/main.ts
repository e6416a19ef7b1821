import type { WellsChange, WellsPath } from "../../examples/src/lib/services/realtime-wells-service";
import { wellsState, type WellsView } from "../../examples/src/lib/state/wells-state";
import { configureSupabase, getSupabaseClient } from "../../examples/src/lib/supabase/client";
import type { Well } from "../../examples/src/lib/types/well";
import { WELLS_PATHS, WellsFeed } from "./feed";
import { ViewersPanel } from "./presence";
import { clock, PATH_LABELS, WellsTable } from "./table";

/** `GET /api/demo/config`. */
interface PageConfig {
  url: string;
  anonKey: string;
  tenant: string;
  role: string;
  sampleWells: boolean;
}

const ACTIVITY_ITEMS = 8;

function element<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (!found) {
    throw new Error(`the page has no #${id}`);
  }
  return found as T;
}

async function getJson<T>(path: string, init?: RequestInit): Promise<T> {
  const response = await fetch(path, { headers: { Accept: "application/json" }, ...init });
  const body: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const message = (body as { message?: string } | null)?.message ?? response.statusText;
    throw new Error(`${path}: ${response.status} ${message}`);
  }
  return body as T;
}

/** The role claim of a JWT: the role the server evaluates row-level security as. */
function roleOf(token: string): string {
  try {
    const payload = token.split(".")[1] ?? "";
    const json = atob(payload.replace(/-/g, "+").replace(/_/g, "/"));
    return String((JSON.parse(json) as { role?: unknown }).role ?? "none");
  } catch {
    return "unreadable key";
  }
}

function showStatus(view: WellsView): void {
  const pill = element("connection-status");
  pill.dataset.status = view.status;
  pill.querySelector(".pill-label")!.textContent = view.status;
  element("connection-detail").textContent = view.detail || view.status;
  document.body.dataset.status = view.status;
  document.body.dataset.snapshots = String(view.snapshots);
}

function logActivity(change: WellsChange, wells: readonly Well[]): void {
  const list = element("activity");
  const name = change.type === "DELETE"
    ? `#${change.id}`
    : wells.find((well) => well.id === change.well.id)?.name ?? `#${change.well.id}`;
  const item = document.createElement("li");
  const tag = document.createElement("span");
  tag.className = `tag tag-${change.type}`;
  tag.textContent = change.type;
  const what = document.createElement("span");
  what.className = "what";
  what.textContent = name;
  const via = document.createElement("span");
  via.className = "via";
  via.dataset.via = change.via;
  via.textContent = PATH_LABELS[change.via];
  const time = document.createElement("time");
  if (change.committedAt) {
    time.dateTime = change.committedAt;
    // Same machine, same clock in the usual demo; across machines this is as good as their clocks.
    const lag = Date.now() - Date.parse(change.committedAt);
    time.textContent = Number.isFinite(lag) && lag >= 0 && lag < 60_000 ? `${clock(change.committedAt)} · ${lag} ms` : clock(change.committedAt);
    time.title = "commit time · delay until this page applied it";
  } else {
    const received = new Date().toISOString();
    time.dateTime = received;
    time.textContent = clock(received);
    time.title = "received (a broadcast carries no commit time)";
  }
  item.append(tag, what, via, time);
  list.prepend(item);
  while (list.children.length > ACTIVITY_ITEMS) {
    list.lastElementChild?.remove();
  }
  element("activity-empty").hidden = true;
}

/** The path named in the address (`?path=broadcast`), so a link opens the page on it. */
function pathFromAddress(): WellsPath {
  const asked = new URLSearchParams(location.search).get("path");
  return WELLS_PATHS.find((path) => path === asked) ?? "postgres_changes";
}

function showPath(path: WellsPath): void {
  document.body.dataset.path = path;
  element<HTMLInputElement>(`path-${path}`).checked = true;
  for (const hint of document.querySelectorAll<HTMLElement>("[data-path-hint]")) {
    hint.hidden = hint.dataset.pathHint !== path;
  }
}

function enablePathToggle(feed: WellsFeed): void {
  showPath(feed.path);
  element("path").addEventListener("change", (event) => {
    const path = WELLS_PATHS.find((candidate) => candidate === (event.target as HTMLInputElement).value);
    if (!path) {
      return;
    }
    showPath(path);
    const address = new URL(location.href);
    address.searchParams.set("path", path);
    history.replaceState(null, "", address);
    void feed.use(path);
  });
}

function enableSampleWells(): void {
  const button = element<HTMLButtonElement>("add-well");
  button.hidden = false;
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      // The new row arrives like any other: through the chosen path, not from this response.
      await getJson<Well>("/api/demo/wells", { method: "POST" });
    } catch (error) {
      element("connection-detail").textContent = String(error);
    } finally {
      button.disabled = false;
    }
  });
}

async function main(): Promise<void> {
  let config: PageConfig;
  try {
    config = await getJson<PageConfig>("/api/demo/config");
  } catch (error) {
    element("connection-detail").textContent = `Cannot load the page's settings: ${String(error)}`;
    return;
  }
  element("role").textContent = roleOf(config.anonKey);
  element("tenant").textContent = config.tenant;

  const table = new WellsTable(
    element<HTMLTableElement>("wells").tBodies[0]!,
    element("empty"),
    element("waiting"),
    element("well-count"),
  );
  wellsState.subscribe((view) => {
    showStatus(view);
    table.render(view);
    if (view.lastChange) {
      logActivity(view.lastChange, view.wells);
    }
  });
  configureSupabase({ url: config.url, anonKey: config.anonKey });
  const feed = new WellsFeed(wellsState, { loadSnapshot: () => getJson<Well[]>("/api/demo/wells") }, pathFromAddress());
  enablePathToggle(feed);

  new ViewersPanel(element("viewers"), element("viewer-count")).start(getSupabaseClient());

  if (config.sampleWells) {
    enableSampleWells();
  }
}

void main();
