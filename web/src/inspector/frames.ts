// What the inspector shows of the WebSocket: a transport class that records every frame in both
// directions before supabase-js handles it, and a decoder for the Phoenix frames it carries (vsn
// 1.0.0 objects, 2.0.0 arrays, and 2.0.0's binary broadcast frames: kind 3 from the client, kind 4
// from the server).

export type Direction = "in" | "out";

/** How a frame is shown: its colour, and what the filter and tests select by. */
export type FrameKind = "join" | "reply" | "error" | "system" | "broadcast" | "presence" | "change"
  | "heartbeat" | "close" | "token" | "leave" | "socket" | "other";

export interface Frame {
  seq: number;
  /** Epoch milliseconds, with the fraction performance.now() gives. */
  at: number;
  dir: Direction;
  kind: FrameKind;
  topic: string;
  event: string;
  joinRef: string | null;
  ref: string | null;
  payload: unknown;
  /** One line: the reason of an error reply, the event of a broadcast, the table of a change... */
  summary: string;
  bytes: number;
  binary: boolean;
}

interface Decoded {
  topic: string;
  event: string;
  joinRef: string | null;
  ref: string | null;
  payload: unknown;
  binary: boolean;
  bytes: number;
}

type Recorder = (dir: Direction, data: unknown) => void;
type SocketEvents = { open: () => void; close: (code: number, reason: string, clean: boolean) => void };

/**
 * A WebSocket class for supabase-js's `realtime.transport`: a real browser WebSocket that hands
 * each frame to `record` as it is sent, and each received frame before supabase-js sees it.
 */
export function recordingTransport(record: Recorder, events: SocketEvents): typeof WebSocket {
  return class RecordingWebSocket extends WebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      // Registered before supabase-js sets onmessage, so the frame is recorded first.
      this.addEventListener("message", (event) => record("in", event.data));
      this.addEventListener("open", () => events.open());
      this.addEventListener("close", (event) => events.close(event.code, event.reason, event.wasClean));
    }

    override send(data: string | ArrayBufferLike | Blob | ArrayBufferView): void {
      record("out", data);
      super.send(data);
    }
  };
}

const text = new TextDecoder();

function bytesOf(data: unknown): Uint8Array | null {
  if (data instanceof ArrayBuffer) {
    return new Uint8Array(data);
  }
  if (ArrayBuffer.isView(data)) {
    return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  }
  return null;
}

/** A binary payload as its size and first bytes in hex. */
function binaryPayload(bytes: Uint8Array): string {
  const head = [...bytes.subarray(0, 16)].map((b) => b.toString(16).padStart(2, "0")).join(" ");
  return `<${bytes.length} bytes${bytes.length ? `: ${head}${bytes.length > 16 ? " …" : ""}` : ""}>`;
}

function decodeBinary(bytes: Uint8Array): Decoded {
  const kind = bytes[0];
  let offset = 1;
  const take = (length: number): string => {
    const value = text.decode(bytes.subarray(offset, offset + length));
    offset += length;
    return value;
  };
  const header = (count: number): number[] => {
    const values = [...bytes.subarray(offset, offset + count)];
    offset += count;
    return values;
  };
  const userPayload = (encoding: number): unknown => {
    const rest = bytes.subarray(offset);
    if (encoding !== 1) {
      return binaryPayload(rest);
    }
    try {
      return JSON.parse(text.decode(rest)) as unknown;
    } catch {
      return text.decode(rest);
    }
  };
  if (kind === 3 && bytes.length >= 7) {
    const [joinRefSize = 0, refSize = 0, topicSize = 0, eventSize = 0, metaSize = 0, encoding = 0] = header(6);
    const joinRef = take(joinRefSize);
    const ref = take(refSize);
    const topic = take(topicSize);
    const event = take(eventSize);
    const meta = take(metaSize);
    const payload = { type: "broadcast", event, payload: userPayload(encoding), ...(meta ? { meta: JSON.parse(meta) as unknown } : {}) };
    return { topic, event: "broadcast", joinRef: joinRef || null, ref: ref || null, payload, binary: true, bytes: bytes.length };
  }
  if (kind === 4 && bytes.length >= 5) {
    const [topicSize = 0, eventSize = 0, metaSize = 0, encoding = 0] = header(4);
    const topic = take(topicSize);
    const event = take(eventSize);
    const meta = take(metaSize);
    const payload = { type: "broadcast", event, payload: userPayload(encoding), ...(meta ? { meta: JSON.parse(meta) as unknown } : {}) };
    return { topic, event: "broadcast", joinRef: null, ref: null, payload, binary: true, bytes: bytes.length };
  }
  return { topic: "", event: `binary kind ${kind ?? "?"}`, joinRef: null, ref: null, payload: binaryPayload(bytes), binary: true, bytes: bytes.length };
}

/** One frame as the server or supabase-js wrote it. */
export function decodeFrame(data: unknown): Decoded {
  const bytes = bytesOf(data);
  if (bytes) {
    return decodeBinary(bytes);
  }
  const raw = typeof data === "string" ? data : String(data);
  const size = new TextEncoder().encode(raw).length;
  try {
    const parsed = JSON.parse(raw) as unknown;
    if (Array.isArray(parsed)) {
      const [joinRef, ref, topic, event, payload] = parsed as [string | null, string | null, string, string, unknown];
      return { topic: String(topic), event: String(event), joinRef: joinRef ?? null, ref: ref ?? null, payload, binary: false, bytes: size };
    }
    const object = parsed as { join_ref?: string | null; ref?: string | null; topic?: string; event?: string; payload?: unknown };
    return {
      topic: String(object.topic ?? ""), event: String(object.event ?? ""), joinRef: object.join_ref ?? null,
      ref: object.ref ?? null, payload: object.payload, binary: false, bytes: size,
    };
  } catch {
    return { topic: "", event: "unreadable", joinRef: null, ref: null, payload: raw, binary: false, bytes: size };
  }
}

function short(value: unknown, length = 90): string {
  const json = typeof value === "string" ? value : JSON.stringify(value) ?? "";
  return json.length > length ? `${json.slice(0, length - 1)}…` : json;
}

function record(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === "object" ? (value as Record<string, unknown>) : {};
}

function presenceKeys(value: unknown): string {
  return Object.keys(record(value)).join(", ");
}

/** The kind and one-line summary of a decoded frame. */
export function describe(frame: Decoded): { kind: FrameKind; summary: string } {
  const payload = record(frame.payload);
  switch (frame.event) {
    case "phx_join": {
      const config = record(payload.config);
      const broadcast = record(config.broadcast);
      const presence = record(config.presence);
      const changes = Array.isArray(config.postgres_changes) ? config.postgres_changes.length : 0;
      const parts = [config.private ? "private" : "public", `self ${String(broadcast.self ?? false)}`,
        `ack ${String(broadcast.ack ?? false)}`];
      if (presence.enabled) {
        parts.push(`presence key "${String(presence.key ?? "")}"`);
      }
      if (changes > 0) {
        parts.push(`${changes} postgres_changes binding${changes > 1 ? "s" : ""}`);
      }
      return { kind: "join", summary: parts.join(" · ") };
    }
    case "phx_reply": {
      const response = record(payload.response);
      if (payload.status === "error") {
        return { kind: "error", summary: `error: ${String(response.reason ?? short(response))}` };
      }
      if (frame.topic === "phoenix") {
        return { kind: "heartbeat", summary: String(payload.status) };
      }
      const changes = Array.isArray(response.postgres_changes) ? response.postgres_changes as Record<string, unknown>[] : [];
      return {
        kind: "reply",
        summary: `${String(payload.status)}${changes.length ? ` · bindings ${changes.map((c) => `${String(c.id)} ${String(c.table ?? "*")}`).join(", ")}` : ""}`,
      };
    }
    case "heartbeat":
      return { kind: "heartbeat", summary: "" };
    case "system":
      return {
        kind: "system",
        summary: `${String(payload.status ?? "")}${payload.extension ? ` [${String(payload.extension)}]` : ""}: ${String(payload.message ?? "")}`,
      };
    case "broadcast":
      return { kind: "broadcast", summary: `${String(payload.event ?? "")} ${short(payload.payload)}` };
    case "presence":
      return { kind: "presence", summary: `${String(payload.event ?? "")} ${short(payload.payload)}` };
    case "presence_state":
      return { kind: "presence", summary: `state: ${presenceKeys(frame.payload) || "nobody"}` };
    case "presence_diff":
      return { kind: "presence", summary: `+[${presenceKeys(payload.joins)}] −[${presenceKeys(payload.leaves)}]` };
    case "postgres_changes": {
      const data = record(payload.data);
      const ids = Array.isArray(payload.ids) ? ` · ids ${payload.ids.join(", ")}` : "";
      const errors = data.errors ? ` · errors ${short(data.errors)}` : "";
      return { kind: "change", summary: `${String(data.type ?? "")} ${String(data.schema ?? "")}.${String(data.table ?? "")}${ids}${errors}` };
    }
    case "phx_close":
    case "phx_error":
      return { kind: "close", summary: short(frame.payload) };
    case "phx_leave":
      return { kind: "leave", summary: "" };
    case "access_token":
      return { kind: "token", summary: "token refresh" };
    default:
      return { kind: "other", summary: short(frame.payload) };
  }
}
