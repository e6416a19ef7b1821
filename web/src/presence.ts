import type { SupabaseClient } from "@supabase/supabase-js";

/** What each page tracks about itself in presence. */
interface Viewer {
  name: string;
  device: "phone" | "desktop";
  since: string;
}

const ADJECTIVES = ["Amber", "Brisk", "Calm", "Dusty", "Eager", "Flint", "Granite", "Hazel", "Iron", "Jade", "Lucky", "Misty", "Quiet", "Rusty", "Silver", "Swift"];
const ANIMALS = ["Heron", "Lynx", "Marten", "Osprey", "Bison", "Coyote", "Kestrel", "Badger", "Caribou", "Pika", "Raven", "Otter", "Wolverine", "Elk"];

/**
 * Shows who else has the page open, with presence on a channel of its own: every page tracks a
 * made-up name under a random key, and the list follows each `sync`.
 */
export class ViewersPanel {
  private readonly key = randomKey();
  private readonly me: Viewer = {
    name: `${pick(ADJECTIVES)} ${pick(ANIMALS)}`,
    device: window.matchMedia("(max-width: 640px)").matches ? "phone" : "desktop",
    since: new Date().toISOString(),
  };

  constructor(
    private readonly list: HTMLElement,
    private readonly count: HTMLElement,
  ) {}

  start(client: SupabaseClient): void {
    const channel = client.channel("wells-viewers", { config: { presence: { key: this.key } } });
    channel
      .on("presence", { event: "sync" }, () => this.render(channel.presenceState<Viewer>()))
      .subscribe((status) => {
        // Tracked again after every (re)join: the server forgets a channel's presence when it leaves.
        if (status === "SUBSCRIBED") {
          void channel.track({ ...this.me });
        }
      });
    this.render({});
  }

  private render(state: Record<string, Viewer[]>): void {
    const viewers = Object.entries(state)
      .map(([key, metas]) => ({ key, viewer: metas[0] }))
      .filter((entry): entry is { key: string; viewer: Viewer } => entry.viewer !== undefined);
    if (!viewers.some((entry) => entry.key === this.key)) {
      viewers.push({ key: this.key, viewer: this.me }); // before the first sync: at least this page
    }
    viewers.sort((a, b) => Number(b.key === this.key) - Number(a.key === this.key) || a.viewer.since.localeCompare(b.viewer.since));
    this.list.replaceChildren(...viewers.map(({ key, viewer }) => this.item(key, viewer)));
    this.count.textContent = String(viewers.length);
  }

  private item(key: string, viewer: Viewer): HTMLLIElement {
    const li = document.createElement("li");
    li.className = "viewer";
    li.dataset.key = key;
    const avatar = document.createElement("span");
    avatar.className = "avatar";
    avatar.style.background = `hsl(${hue(key)} 45% 42%)`;
    avatar.textContent = viewer.name.split(" ").map((part) => part[0] ?? "").join("");
    const text = document.createElement("span");
    const name = document.createElement("span");
    name.className = "viewer-name";
    name.textContent = viewer.name;
    if (key === this.key) {
      const you = document.createElement("span");
      you.className = "you";
      you.textContent = "you";
      name.append(you);
    }
    const meta = document.createElement("span");
    meta.className = "viewer-meta";
    meta.textContent = `${viewer.device} · since ${new Date(viewer.since).toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" })}`;
    text.append(name, meta);
    li.append(avatar, text);
    return li;
  }
}

function pick<T>(items: readonly T[]): T {
  return items[Math.floor(Math.random() * items.length)] as T;
}

function randomKey(): string {
  // randomUUID exists only in secure contexts; a phone on http://192.168.x.y:9080 is not one.
  return typeof crypto.randomUUID === "function" ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(36).slice(2)}`;
}

function hue(key: string): number {
  let hash = 0;
  for (const char of key) {
    hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  }
  return hash % 360;
}
