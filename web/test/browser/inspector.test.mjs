// The Realtime Inspector in headless Chromium against a running server: run by InspectorPageIT
// during `mvn verify`, which deploys the server and passes where it is. Steps build on each other,
// so a step whose prerequisite failed is skipped with the reason instead of failing a second time.
//
//   INSPECTOR_URL      the server, e.g. http://localhost:9082
//   INSPECTOR_DB_URL   its tenant database, e.g. postgres://postgres@localhost:54339/postgres
//   INSPECTOR_OUT_DIR  where screenshots go (target/)
//   ADMIN_TOKEN        a token signed with the server's API_JWT_SECRET
//   CHROMIUM           the browser (default /usr/bin/chromium, Debian's package)
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { join } from "node:path";
import { chromiumSession, requiredEnv } from "./chromium-session.mjs";

const BASE = requiredEnv("INSPECTOR_URL", "InspectorPageIT");
const DB_URL = requiredEnv("INSPECTOR_DB_URL", "InspectorPageIT");
const OUT = requiredEnv("INSPECTOR_OUT_DIR", "InspectorPageIT");
const ADMIN_TOKEN = requiredEnv("ADMIN_TOKEN", "InspectorPageIT");
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";

/** How late a broadcast or change may reach the page. */
const LIVE_MS = 3000;
/** Joining, presence round trips, figures: generous, this machine is shared. */
const SETTLE_MS = 20000;

const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1360, height: 900 };
const TOPIC = `inspect-${Date.now()}`;
const SECRET_TOPIC = `secret-${Date.now()}`;
const REFUSED_TOPIC = `refused-${Date.now()}`;

let desk;
let phone;
const session = chromiumSession({
  dbUrl: DB_URL,
  browser: CHROMIUM,
  profile: "inspector",
  onFailure: async () => {
    await desk?.screenshot({ path: join(OUT, "inspector-failure.png"), fullPage: true }).catch(() => {});
    await phone?.screenshot({ path: join(OUT, "inspector-phone-failure.png"), fullPage: true });
  },
});
const { step } = session;

async function openPage(viewport, label) {
  const page = await session.newPage(viewport, label);
  // Without the trailing slash: the server redirects to /inspector/.
  await page.goto(`${BASE}/inspector`);
  await page.waitForSelector("body[data-ready=true]", { timeout: SETTLE_MS });
  return page;
}

/** The frames of a page, oldest first, as the log shows them. */
async function frames(page, selector = ".frame") {
  return page.$$eval(`#frames ${selector}`, (items) => items.reverse().map((item) => ({
    dir: item.dataset.dir,
    kind: item.dataset.kind,
    topic: item.dataset.topic,
    event: item.dataset.event,
    time: item.querySelector("time")?.textContent ?? "",
    summary: item.querySelector(".summary")?.textContent ?? "",
    body: item.querySelector("pre")?.textContent ?? "",
  })));
}

/** Waits until the page logged a frame matching the selector and whose text includes `text`. */
async function waitForFrame(page, selector, text, timeout) {
  await page.waitForFunction(([sel, want]) => [...document.querySelectorAll(`#frames ${sel}`)]
    .some((item) => item.textContent.includes(want)), [selector, text], { timeout });
}

async function joinTopic(page, topic, { isPrivate = false, bindings = [] } = {}) {
  await page.fill("#topic", topic);
  await page.setChecked("#opt-private", isPrivate);
  await page.$$eval("#bindings .binding", (rows) => rows.forEach((row) => row.remove()));
  for (const table of bindings) {
    await page.click("#add-binding");
    await page.locator("#bindings .binding").last().locator(".binding-table").fill(table);
  }
  await page.click("#join");
}

step("the inspector connects with the anon key and shows the socket opening", [], async () => {
  desk = await openPage(DESKTOP, "desktop");
  assert.equal(new URL(desk.url()).pathname, "/inspector/", "redirected to the folder");
  assert.equal(await desk.inputValue("#server-url"), BASE, "defaults to this server");
  assert.match(await desk.locator("#key-claims").textContent(), /role: anon/);
  await desk.click("#connect");
  await desk.waitForSelector("body[data-socket=open]", { timeout: SETTLE_MS });
  await waitForFrame(desk, '.frame[data-kind="socket"]', "socket open", SETTLE_MS);
});

step("it joins a topic with a postgres_changes binding and shows both sides of the join",
  ["the inspector connects with the anon key and shows the socket opening"], async () => {
    await joinTopic(desk, TOPIC, { bindings: ["wells"] });
    await desk.waitForSelector(`.channel[data-topic="${TOPIC}"][data-state="SUBSCRIBED"]`, { timeout: SETTLE_MS });
    const joinFrames = await frames(desk, `.frame[data-topic="realtime:${TOPIC}"]`);
    const sent = joinFrames.find((f) => f.event === "phx_join");
    assert.ok(sent, "the phx_join frame is shown");
    assert.equal(sent.dir, "out");
    assert.match(sent.summary, /public · self true · ack false · presence key "" · 1 postgres_changes binding/);
    assert.match(sent.body, /"table": "wells"/, "the whole frame is there to open");
    assert.match(sent.time, /^\d\d:\d\d:\d\d\.\d{3}$/, "timestamped to the millisecond");
    const reply = joinFrames.find((f) => f.event === "phx_reply");
    assert.equal(reply?.dir, "in");
    assert.equal(reply.kind, "reply");
    assert.match(reply.summary, /^ok · bindings \d+ wells$/);
    // The binding is live once the server says so; changes committed before may not be streamed.
    await waitForFrame(desk, `.frame[data-kind="system"][data-topic="realtime:${TOPIC}"]`, "Subscribed to PostgreSQL", SETTLE_MS);
  });

step("with the admin token it lists the tenants and draws the default tenant's live figures",
  ["the inspector connects with the anon key and shows the socket opening"], async () => {
    await desk.fill("#admin-token", ADMIN_TOKEN);
    await desk.click("#load-tenants");
    await desk.waitForSelector('#tenants li[data-tenant="realtime-dev"]', { timeout: SETTLE_MS });
    await desk.waitForFunction(() => Number(document.body.dataset.figures) >= 2, null, { timeout: SETTLE_MS });
    assert.equal(await desk.locator("#charts-tenant").textContent(), "realtime-dev");
    const connections = Number(await desk.locator('[data-chart="connections"] .chart-value').textContent());
    assert.ok(connections >= 1, `this page's own socket is counted (${connections})`);
    assert.match(await desk.locator("#charts-stream").textContent(), /replication streaming/,
      "the wells binding keeps the tenant's stream up");
    const points = await desk.locator('[data-chart="connections"] polyline').getAttribute("points");
    assert.ok(points.split(" ").length >= 2, `a line is drawn: ${points}`);
  });

step("a second page on a phone signs a user token, joins the topic, and its broadcast shows on the first",
  ["it joins a topic with a postgres_changes binding and shows both sides of the join"], async () => {
    phone = await openPage(PHONE, "phone");
    await phone.fill("#admin-token", ADMIN_TOKEN);
    await phone.click("#load-tenants");
    await phone.waitForSelector('#tenants li[data-tenant="realtime-dev"]', { timeout: SETTLE_MS });
    await phone.check('input[name="key-mode"][value="sign"]');
    await phone.fill("#sign-role", "authenticated");
    await phone.fill("#sign-sub", "inspector-phone");
    await phone.click("#connect");
    await phone.waitForSelector("body[data-socket=open]", { timeout: SETTLE_MS });
    assert.match(await phone.locator("#key-claims").textContent(), /role: authenticated · sub: inspector-phone/);
    await joinTopic(phone, TOPIC);
    await phone.waitForSelector(`.channel[data-topic="${TOPIC}"][data-state="SUBSCRIBED"]`, { timeout: SETTLE_MS });

    await phone.fill("#broadcast-event", "greeting");
    await phone.fill("#broadcast-payload", '{"from":"phone","n":1}');
    const sentAt = Date.now();
    await phone.click("#send-broadcast");
    await waitForFrame(desk, `.frame[data-kind="broadcast"][data-dir="in"][data-topic="realtime:${TOPIC}"]`,
      'greeting {"from":"phone","n":1}', LIVE_MS);
    assert.ok(Date.now() - sentAt <= LIVE_MS);
    const out = await frames(phone, `.frame[data-kind="broadcast"][data-dir="out"]`);
    assert.equal(out.length, 1, "the phone shows its own frame going out");
    assert.match(out[0].summary, /greeting/);
  });

step("presence tracked on the phone arrives as a diff on the first page",
  ["a second page on a phone signs a user token, joins the topic, and its broadcast shows on the first"], async () => {
    await phone.fill("#presence-payload", '{"status":"online","device":"phone"}');
    await phone.click("#track");
    await waitForFrame(desk, `.frame[data-kind="presence"][data-event="presence_diff"]`, "+[", SETTLE_MS);
    await phone.waitForFunction(() => document.querySelector("#send-result")?.textContent === "track: ok", null, { timeout: SETTLE_MS });
    const diff = (await frames(desk, '.frame[data-event="presence_diff"]')).at(-1);
    assert.match(diff.body, /"device": "phone"/);
  });

step("a database change shows up as a postgres_changes frame",
  ["it joins a topic with a postgres_changes binding and shows both sides of the join"], async () => {
    const inserted = await session.db.query(
      "insert into public.wells (name, uwi, latitude, longitude, total_depth_m, status) values ($1, $2, 53.5, -113.5, 1800.0, 'planned') returning id",
      ["Inspector 7-21", `INSPECT-${Date.now()}`]);
    const id = Number(inserted.rows[0].id);
    session.createdIds.push(id);
    const committed = Date.now();
    await waitForFrame(desk, `.frame[data-kind="change"][data-topic="realtime:${TOPIC}"]`, "INSERT public.wells", LIVE_MS);
    assert.ok(Date.now() - committed <= LIVE_MS);
    const change = (await frames(desk, '.frame[data-kind="change"]')).at(-1);
    assert.match(change.body, /"name": "Inspector 7-21"/, "the record is in the frame");
  });

step("a private topic without permission shows the join error's exact reason",
  ["the inspector connects with the anon key and shows the socket opening"], async () => {
    await joinTopic(desk, SECRET_TOPIC, { isPrivate: true });
    const reason = `Unauthorized: You do not have permissions to read from this Channel topic: ${SECRET_TOPIC}`;
    await desk.waitForFunction(([topic, want]) =>
      document.querySelector(`.channel[data-topic="${topic}"] .reason`)?.textContent === want, [SECRET_TOPIC, reason], { timeout: SETTLE_MS });
    const error = (await frames(desk, `.frame[data-kind="error"][data-topic="realtime:${SECRET_TOPIC}"]`))[0];
    assert.equal(error?.dir, "in");
    assert.equal(error.summary, `error: ${reason}`);
    const joinFrame = (await frames(desk, `.frame[data-event="phx_join"][data-topic="realtime:${SECRET_TOPIC}"]`))[0];
    assert.match(joinFrame.summary, /^private/);
  });

/** An HS256 token signed with a secret the server does not know: its handshake is refused with 401. */
function forgedToken() {
  const part = (value) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const unsigned = `${part({ alg: "HS256", typ: "JWT" })}.${part({ role: "anon", exp: Math.floor(Date.now() / 1000) + 600 })}`;
  return `${unsigned}.${createHmac("sha256", "not-the-tenant-secret-but-long-enough").update(unsigned).digest("base64url")}`;
}

step("a refused connection shows its reason: supabase-js's subscribe callback and the 4401 close carry it", [], async () => {
  // Browsers hide the body of a refused upgrade; the server upgrades a browser's refused handshake
  // to say why (README, "What each client sees").
  const page = await openPage(DESKTOP, "refused");
  try {
    await page.check('input[name="key-mode"][value="jwt"]');
    await page.fill("#user-jwt", forgedToken());
    await page.click("#connect");
    await joinTopic(page, REFUSED_TOPIC);
    const reason = "Failed to validate JWT signature";
    const channel = `.channel[data-topic="${REFUSED_TOPIC}"]`;
    await page.waitForSelector(`${channel}[data-state="CHANNEL_ERROR"]`, { timeout: SETTLE_MS });
    await page.waitForFunction(([sel, want]) => document.querySelector(sel)?.dataset.error === want,
      [channel, reason], { timeout: SETTLE_MS });
    assert.equal(await page.locator(`${channel} .reason`).textContent(), reason);
    await waitForFrame(page, '.frame[data-kind="socket"]', `socket closed: 4401 ${reason} (connection refused, HTTP 401)`, SETTLE_MS);
    const error = (await frames(page, `.frame[data-kind="error"][data-topic="realtime:${REFUSED_TOPIC}"]`))[0];
    assert.equal(error?.summary, `error: ${reason}`, "the join's error reply is in the log");
    await page.click("#disconnect");
  } finally {
    await page.close();
  }
});

step("screenshots: desktop and phone, no sideways scrolling on the phone",
  ["a second page on a phone signs a user token, joins the topic, and its broadcast shows on the first"], async () => {
    // Both pages have drawn some readings, and the desktop shows its top: forms, charts, newest frames.
    await desk.waitForFunction(() => Number(document.body.dataset.figures) >= 8, null, { timeout: SETTLE_MS });
    await desk.evaluate(() => window.scrollTo(0, 0));
    await phone.waitForFunction(() => Number(document.body.dataset.figures) >= 2, null, { timeout: SETTLE_MS });
    await desk.screenshot({ path: join(OUT, "inspector.png") });
    assert.equal(await phone.locator("#user-jwt").isVisible(), false, "only the chosen key mode's fields show");
    await phone.screenshot({ path: join(OUT, "inspector-phone.png"), fullPage: true });
    const [scrollWidth, width] = await phone.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
    assert.ok(scrollWidth <= width, `the phone page is ${scrollWidth} px wide in a ${width} px viewport`);
  });

step("leaving a channel sends phx_leave, and the other page sees the presence leave",
  ["presence tracked on the phone arrives as a diff on the first page"], async () => {
    await phone.click(`.channel[data-topic="${TOPIC}"] button`);
    await waitForFrame(phone, `.frame[data-event="phx_leave"][data-dir="out"][data-topic="realtime:${TOPIC}"]`, "phx_leave", SETTLE_MS);
    await waitForFrame(desk, `.frame[data-event="presence_diff"]`, "+[] −[", SETTLE_MS);
    assert.equal(await phone.locator(`.channel[data-topic="${TOPIC}"]`).count(), 0);
  });
