// The inspector's frame decoder (web/src/inspector/frames.ts) against frames as supabase-js's own
// serializer writes them (vsn 2.0.0 arrays and binary kind 3 broadcasts) and as the server writes
// them (vsn 1.0.0 objects, binary kind 4), with the summaries the log shows. Bundled by esbuild first.
import { before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "esbuild";
import Serializer from "@supabase/realtime-js/dist/module/lib/serializer.js";

const web = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
let decodeFrame;
let describe;

before(async () => {
  const outfile = join(mkdtempSync(join(tmpdir(), "inspector-frames-")), "frames.mjs");
  await build({
    entryPoints: [join(web, "src", "inspector", "frames.ts")],
    outfile,
    bundle: true,
    format: "esm",
    platform: "node",
    logLevel: "warning",
  });
  ({ decodeFrame, describe } = await import(pathToFileURL(outfile).href));
});

const encode = (message) => new Promise((resolve) => new Serializer().encode(message, resolve));

test("a vsn 2.0.0 join as supabase-js writes it", async () => {
  const raw = await encode({
    join_ref: "1", ref: "1", topic: "realtime:room", event: "phx_join",
    payload: { config: { private: true, broadcast: { self: false, ack: true }, presence: { key: "k", enabled: true },
      postgres_changes: [{ event: "*", schema: "public", table: "wells" }] }, access_token: "t" },
  });
  const frame = decodeFrame(raw);
  assert.equal(frame.topic, "realtime:room");
  assert.equal(frame.event, "phx_join");
  assert.equal(frame.joinRef, "1");
  assert.deepEqual(describe(frame), { kind: "join", summary: 'private · self false · ack true · presence key "k" · 1 postgres_changes binding' });
});

test("a broadcast supabase-js sends as a binary kind 3 frame", async () => {
  const raw = await encode({ join_ref: "1", ref: "2", topic: "realtime:room", event: "broadcast",
    payload: { type: "broadcast", event: "greeting", payload: { from: "é🙂" } } });
  assert.ok(raw instanceof ArrayBuffer, "supabase-js encodes it in binary");
  const frame = decodeFrame(raw);
  assert.equal(frame.binary, true);
  assert.equal(frame.topic, "realtime:room");
  assert.equal(frame.ref, "2");
  assert.deepEqual(frame.payload, { type: "broadcast", event: "greeting", payload: { from: "é🙂" } });
  assert.deepEqual(describe(frame), { kind: "broadcast", summary: 'greeting {"from":"é🙂"}' });
});

test("a server broadcast in binary kind 4, JSON and binary payloads", () => {
  const text = new TextEncoder();
  const frame = (encoding, payload) => {
    const [topic, event, meta] = ["realtime:room", "greeting", '{"id":"m1"}'].map((s) => text.encode(s));
    return new Uint8Array([4, topic.length, event.length, meta.length, encoding, ...topic, ...event, ...meta, ...payload]).buffer;
  };
  const json = decodeFrame(frame(1, text.encode('{"n":1}')));
  assert.deepEqual(json.payload, { type: "broadcast", event: "greeting", payload: { n: 1 }, meta: { id: "m1" } });
  const binary = decodeFrame(frame(0, [1, 2, 255]));
  assert.equal(binary.payload.payload, "<3 bytes: 01 02 ff>");
});

test("replies, errors, system messages, presence and changes, vsn 1.0.0 objects included", () => {
  const object = (event, payload, topic = "realtime:room") => decodeFrame(JSON.stringify({ topic, event, payload, ref: "3", join_ref: "1" }));
  const reason = "Unauthorized: You do not have permissions to read from this Channel topic: room";
  assert.deepEqual(describe(object("phx_reply", { status: "error", response: { reason } })), { kind: "error", summary: `error: ${reason}` });
  assert.deepEqual(describe(object("phx_reply", { status: "ok", response: { postgres_changes: [{ id: 7, table: "wells" }] } })),
    { kind: "reply", summary: "ok · bindings 7 wells" });
  assert.equal(describe(object("phx_reply", { status: "ok", response: {} }, "phoenix")).kind, "heartbeat");
  assert.deepEqual(describe(object("system", { status: "ok", extension: "postgres_changes", message: "Subscribed to PostgreSQL", channel: "room" })),
    { kind: "system", summary: "ok [postgres_changes]: Subscribed to PostgreSQL" });
  assert.deepEqual(describe(object("presence_diff", { joins: { a: { metas: [] } }, leaves: { b: { metas: [] } } })),
    { kind: "presence", summary: "+[a] −[b]" });
  assert.deepEqual(describe(object("postgres_changes", { ids: [7], data: { type: "INSERT", schema: "public", table: "wells" } })),
    { kind: "change", summary: "INSERT public.wells · ids 7" });
  assert.equal(decodeFrame("not json").event, "unreadable");
});
