// The client examples' service and state (examples/src/lib) against a scripted supabase client:
// change handling, the snapshot and the changes that race it, one channel per service, and the
// reopen after a server close. Bundled by esbuild first (Node 20 does not run TypeScript).
import { before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "esbuild";

const web = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
let RealtimeWellsService;
let WellsState;

before(async () => {
  const outfile = join(mkdtempSync(join(tmpdir(), "wells-examples-")), "examples.mjs");
  await build({
    stdin: {
      contents: `export { RealtimeWellsService } from "./services/realtime-wells-service";
                 export { WellsState } from "./state/wells-state";`,
      resolveDir: join(web, "..", "examples", "src", "lib"),
      loader: "ts",
    },
    outfile,
    bundle: true,
    format: "esm",
    platform: "node",
    nodePaths: [join(web, "node_modules")],
    logLevel: "warning",
  });
  ({ RealtimeWellsService, WellsState } = await import(pathToFileURL(outfile).href));
});

/** Just enough of SupabaseClient: records channels and lets the test play the server. */
function scriptedClient() {
  const channels = [];
  return {
    channels,
    channel(name, options) {
      const channel = {
        name,
        options,
        listeners: {},
        removed: false,
        on(type, filter, callback) {
          this.listeners[type] = { filter, callback };
          return this;
        },
        subscribe(callback) {
          this.status = callback;
          return this;
        },
        change(eventType, fields) {
          this.listeners.postgres_changes.callback({
            schema: "public", table: "wells", commit_timestamp: "2026-01-01T00:00:00.000Z", errors: null,
            eventType, new: {}, old: {}, ...fields,
          });
        },
        broadcast(operation, fields) {
          this.listeners.broadcast.callback({
            type: "broadcast", event: operation, meta: { id: "m" },
            payload: { operation, schema: "public", table: "wells", record: null, old_record: null, ...fields },
          });
        },
      };
      channels.push(channel);
      return channel;
    },
    async removeChannel(channel) {
      channel.removed = true;
      channel.status?.("CLOSED"); // realtime-js reports CLOSED to the channel it removes
      return "ok";
    },
  };
}

function well(id, name = `Well ${id}`) {
  return { id, name, uwi: null, latitude: null, longitude: null, total_depth_m: null, status: "planned", created_at: "", updated_at: "" };
}

function deferred() {
  let resolve;
  const promise = new Promise((r) => (resolve = r));
  return { promise, resolve };
}

async function until(what, condition, deadlineMs = 5000) {
  const end = Date.now() + deadlineMs;
  while (!condition()) {
    if (Date.now() > end) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await new Promise((r) => setImmediate(r));
  }
}

const ids = (state) => state.view.wells.map((w) => w.id);

test("INSERT, UPDATE and DELETE keep the list newest first; deletes go by id", async () => {
  const client = scriptedClient();
  const state = new WellsState();
  new RealtimeWellsService("wells-changes", () => client).connect(state);
  const [channel] = client.channels;
  assert.deepEqual(channel.listeners.postgres_changes.filter, { event: "*", schema: "public", table: "wells" });
  channel.status("SUBSCRIBED");
  assert.equal(state.view.status, "SUBSCRIBED");

  channel.change("INSERT", { new: well(1) });
  channel.change("INSERT", { new: well(2) });
  channel.change("UPDATE", { new: well(1, "Renamed"), old: { id: 1 } });
  assert.deepEqual(ids(state), [2, 1]);
  assert.equal(state.view.wells[1].name, "Renamed");
  assert.equal(state.view.lastChange.type, "UPDATE");

  channel.change("DELETE", { old: { id: 2 } });
  assert.deepEqual(ids(state), [1]);
  channel.change("DELETE", { old: {} });
  channel.change("INSERT", { new: {}, errors: ["Error 401: Unauthorized"] });
  assert.deepEqual(ids(state), [1], "a delete without id and a change with errors change nothing");
});

test("changes that arrive while the snapshot loads are applied after it, in order", async () => {
  const client = scriptedClient();
  const state = new WellsState();
  const snapshot = deferred();
  new RealtimeWellsService("wells-changes", () => client).connect(state, { loadSnapshot: () => snapshot.promise });
  const [channel] = client.channels;
  channel.status("SUBSCRIBED");
  channel.change("INSERT", { new: well(3) });
  channel.change("DELETE", { old: { id: 1 } });
  assert.deepEqual(ids(state), [], "held back until the snapshot is in");
  snapshot.resolve([well(2), well(1)]);
  await until("the snapshot", () => state.view.snapshots === 1);
  assert.deepEqual(ids(state), [3, 2]);
  channel.change("INSERT", { new: well(4) });
  assert.deepEqual(ids(state), [4, 3, 2], "and live again afterwards");
});

test("connect twice, one channel; disconnect leaves it and ignores late callbacks", async () => {
  const client = scriptedClient();
  const state = new WellsState();
  const service = new RealtimeWellsService("wells-changes", () => client);
  service.connect(state);
  service.connect(state);
  assert.equal(client.channels.length, 1);
  await service.disconnect();
  assert.ok(client.channels[0].removed);
  client.channels[0].status("SUBSCRIBED");
  assert.notEqual(state.view.status, "SUBSCRIBED");
});

test("a channel the server closed is replaced, and the rows are read again", async () => {
  const client = scriptedClient();
  const state = new WellsState();
  let reads = 0;
  const service = new RealtimeWellsService("wells-changes", () => client);
  service.connect(state, { loadSnapshot: async () => [well(++reads)] });
  client.channels[0].status("SUBSCRIBED");
  await until("the first snapshot", () => state.view.snapshots === 1);

  client.channels[0].status("CLOSED");
  assert.equal(state.view.status, "CLOSED");
  assert.match(state.view.detail, /reopening in 1 s/);
  assert.ok(client.channels[0].removed);
  await until("a new channel after the back-off", () => client.channels.length === 2, 5000);
  assert.equal(state.view.status, "CONNECTING");

  client.channels[1].status("SUBSCRIBED");
  await until("the second snapshot", () => state.view.snapshots === 2);
  assert.deepEqual(ids(state), [2], "the list is what the table holds now");
  await service.disconnect();
});

test("CHANNEL_ERROR and TIMED_OUT are reported and left to realtime-js's own rejoin", async () => {
  const client = scriptedClient();
  const state = new WellsState();
  new RealtimeWellsService("wells-changes", () => client).connect(state);
  client.channels[0].status("CHANNEL_ERROR", new Error("socket closed: 1006"));
  assert.equal(state.view.status, "CHANNEL_ERROR");
  assert.match(state.view.detail, /socket closed: 1006/);
  client.channels[0].status("TIMED_OUT");
  assert.equal(state.view.status, "TIMED_OUT");
  assert.equal(client.channels.length, 1, "no second channel: the first rejoins by itself");
});

test("the state keeps Svelte's store contract", () => {
  const state = new WellsState();
  const seen = [];
  const unsubscribe = state.subscribe((view) => seen.push(view.status));
  assert.deepEqual(seen, ["CONNECTING"], "called at once with the current value");
  state.setStatus("SUBSCRIBED", "joined");
  unsubscribe();
  state.setStatus("CLOSED", "gone");
  assert.deepEqual(seen, ["CONNECTING", "SUBSCRIBED"]);
});

test("Broadcast from Database: a private channel; the rows load once replication is ready", async () => {
  const client = scriptedClient();
  const state = new WellsState();
  const snapshot = deferred();
  let reads = 0;
  new RealtimeWellsService("wells", () => client, "broadcast")
    .connect(state, { loadSnapshot: () => (reads++, snapshot.promise) });
  const [channel] = client.channels;
  assert.deepEqual(channel.options, { config: { private: true, broadcast: { replication_ready: true } } });
  assert.deepEqual(channel.listeners.broadcast.filter, { event: "*" });
  channel.status("SUBSCRIBED");
  await new Promise((r) => setImmediate(r));
  assert.equal(reads, 0, "sends before the stream is up are not streamed: no snapshot yet");
  channel.listeners.system.callback({ extension: "system", status: "ok", message: "Replication connection established", channel: "wells" });
  assert.equal(reads, 1);
  assert.equal(state.view.detail, "Replication connection established");
  channel.broadcast("INSERT", { record: well(3) });
  snapshot.resolve([well(1)]);
  await until("the snapshot", () => state.view.snapshots === 1);
  assert.deepEqual(ids(state), [3, 1]);
  assert.equal(state.view.lastChange.via, "broadcast");
  assert.equal(state.view.lastChange.committedAt, null, "a broadcast carries no commit time");

  channel.broadcast("UPDATE", { record: well(1, "Renamed"), old_record: well(1) });
  assert.equal(state.view.wells[1].name, "Renamed");
  channel.broadcast("DELETE", { old_record: well(3) });
  assert.deepEqual(ids(state), [1], "a delete goes by old_record.id");
  channel.broadcast("INSERT", { table: "notes", record: well(9) });
  channel.broadcast("TRUNCATE", {});
  assert.deepEqual(ids(state), [1], "another table's message and an unknown operation change nothing");
});

test("postgres_changes marks its changes with their path and commit time", async () => {
  const client = scriptedClient();
  const state = new WellsState();
  new RealtimeWellsService("wells-changes", () => client).connect(state);
  client.channels[0].status("SUBSCRIBED");
  client.channels[0].change("INSERT", { new: well(1) });
  assert.equal(state.view.lastChange.via, "postgres_changes");
  assert.equal(state.view.lastChange.committedAt, "2026-01-01T00:00:00.000Z");
});
