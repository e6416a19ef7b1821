// The wells page in headless Chromium against a running server: run by WellsPageIT during
// `mvn verify`, which deploys the server and passes where it is. Steps build on each other, so a
// step whose prerequisite failed is skipped with the reason instead of failing a second time.
//
//   WELLS_PAGE_URL   the server, e.g. http://localhost:9082
//   WELLS_DB_URL     its tenant database, e.g. postgres://postgres@localhost:54339/postgres
//   WELLS_OUT_DIR    where screenshots go (target/)
//   CHROMIUM         the browser (default /usr/bin/chromium, Debian's package)
import assert from "node:assert/strict";
import { join } from "node:path";
import { chromiumSession, requiredEnv } from "./chromium-session.mjs";

const BASE = requiredEnv("WELLS_PAGE_URL", "WellsPageIT");
const DB_URL = requiredEnv("WELLS_DB_URL", "WellsPageIT");
const OUT = requiredEnv("WELLS_OUT_DIR", "WellsPageIT");
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";

/** How late a change may reach the page, from its commit. */
const LIVE_MS = 2000;
/** Joining, presence round trips: generous, this machine is shared. */
const SETTLE_MS = 20000;

const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 860 };

let first;
let second;
let wellId;
const session = chromiumSession({
  dbUrl: DB_URL,
  browser: CHROMIUM,
  profile: "wells-page",
  onFailure: () => first?.screenshot({ path: join(OUT, "wells-page-failure.png"), fullPage: true }) ?? Promise.resolve(),
});
const { step, logs } = session;

async function openPage(viewport, label) {
  const page = await session.newPage(viewport, label);
  page.on("websocket", (socket) => {
    logs.push(`[${label} websocket] open ${socket.url().replace(/apikey=[^&]+/, "apikey=…")}`);
    socket.on("close", () => logs.push(`[${label} websocket] closed`));
  });
  await page.goto(`${BASE}/`);
  return page;
}

async function ownName(page) {
  const text = await page.locator("#viewers li:has(.you) .viewer-name").textContent();
  return text.replace(/you$/, "").trim();
}

step("the page loads and shows SUBSCRIBED", [], async () => {
  first = await openPage(DESKTOP, "page 1");
  await first.waitForSelector('#connection-status[data-status="SUBSCRIBED"]', { timeout: SETTLE_MS });
  assert.equal((await first.locator("#connection-status").textContent()).trim(), "SUBSCRIBED");
  assert.equal(await first.locator("#role").textContent(), "anon", "the role the page is evaluated as");
  assert.match(await first.locator("#tenant").textContent(), /\S/);
  // The first snapshot is loaded after SUBSCRIBED; rows inserted from now on can only arrive live.
  await first.waitForFunction(() => Number(document.body.dataset.snapshots) >= 1, null, { timeout: SETTLE_MS });
});

step("a row inserted by SQL appears within 2 s, highlighted", ["the page loads and shows SUBSCRIBED"], async () => {
  const uwi = `TEST-${Date.now()}`;
  const inserted = await session.db.query(
    "insert into public.wells (name, uwi, latitude, longitude, total_depth_m, status) values ($1, $2, 53.5461, -113.4938, 2150.5, 'drilling') returning id",
    ["Browser Test 1-1", uwi]);
  wellId = Number(inserted.rows[0].id);
  session.createdIds.push(wellId);
  const committed = Date.now();
  const row = first.locator(`#wells tbody tr[data-id="${wellId}"]`);
  await row.waitFor({ timeout: LIVE_MS });
  const delay = Date.now() - committed;
  assert.ok(delay <= LIVE_MS, `appeared after ${delay} ms`);
  assert.equal(await row.getAttribute("data-change"), "INSERT", "it came as a postgres_changes INSERT, not from a snapshot");
  assert.equal(await row.getAttribute("data-via"), "postgres_changes");
  assert.equal(await row.locator(".via").textContent(), "postgres_changes", "the row shows the path it came by");
  assert.match(await row.getAttribute("class"), /flash-insert/);
  assert.match(await row.textContent(), /Browser Test 1-1/);
  assert.equal(await first.evaluate(() => document.body.dataset.snapshots), "1", "no resubscribe happened meanwhile");
});

step("an update changes it", ["a row inserted by SQL appears within 2 s, highlighted"], async () => {
  await session.db.query("update public.wells set status = 'producing', total_depth_m = 2380.0, updated_at = now() where id = $1", [wellId]);
  const row = first.locator(`#wells tbody tr[data-id="${wellId}"]`);
  await first.waitForFunction((id) => document.querySelector(`#wells tr[data-id="${id}"] .status`)?.textContent === "producing",
    wellId, { timeout: LIVE_MS });
  assert.equal(await row.getAttribute("data-change"), "UPDATE");
  assert.match(await row.getAttribute("class"), /flash-update/);
  assert.equal(await row.locator(".cell-depth").textContent(), "2,380.0");
  assert.ok(await row.locator("td.changed").count() >= 2, "the status and depth cells are marked as changed");
});

step("a second page shows up in presence", ["the page loads and shows SUBSCRIBED"], async () => {
  second = await openPage(PHONE, "page 2");
  await second.waitForSelector('#connection-status[data-status="SUBSCRIBED"]', { timeout: SETTLE_MS });
  const secondName = await ownName(second);
  const firstName = await ownName(first);
  await first.waitForFunction((name) => document.querySelector("#viewer-count")?.textContent === "2"
      && [...document.querySelectorAll("#viewers .viewer-name")].some((el) => el.textContent.startsWith(name)),
    secondName, { timeout: SETTLE_MS });
  await second.waitForFunction((name) => [...document.querySelectorAll("#viewers .viewer-name")]
    .some((el) => el.textContent === name), firstName, { timeout: SETTLE_MS });
});

step("the sample-well button adds a row that every page sees", ["a second page shows up in presence"], async () => {
  const [response] = await Promise.all([
    second.waitForResponse((r) => r.url().endsWith("/api/demo/wells") && r.request().method() === "POST"),
    second.click("#add-well"),
  ]);
  assert.equal(response.status(), 201);
  const id = Number((await response.json()).id);
  session.createdIds.push(id);
  const committed = Date.now();
  await first.locator(`#wells tbody tr[data-id="${id}"]`).waitFor({ timeout: LIVE_MS });
  await second.locator(`#wells tbody tr[data-id="${id}"]`).waitFor({ timeout: LIVE_MS });
  assert.ok(Date.now() - committed <= LIVE_MS);
});

step("screenshots: desktop and phone, no sideways scrolling on the phone", ["a second page shows up in presence"], async () => {
  await first.screenshot({ path: join(OUT, "wells-page.png") });
  await second.screenshot({ path: join(OUT, "wells-page-phone.png"), fullPage: true });
  const [scrollWidth, width] = await second.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  assert.ok(scrollWidth <= width, `the phone page is ${scrollWidth} px wide in a ${width} px viewport`);
});

step("a delete removes it", ["a row inserted by SQL appears within 2 s, highlighted"], async () => {
  await session.db.query("delete from public.wells where id = $1", [wellId]);
  await first.locator(`#wells tbody tr[data-id="${wellId}"]`).waitFor({ state: "detached", timeout: LIVE_MS });
  // The row fades out, then leaves the table.
  await first.waitForFunction(() => ![...document.querySelectorAll("#wells tbody tr")]
    .some((tr) => tr.textContent.includes("Browser Test 1-1")), null, { timeout: LIVE_MS });
});

step("a page that closes leaves presence", ["a second page shows up in presence"], async () => {
  await second.close();
  await first.waitForFunction(() => document.querySelector("#viewer-count")?.textContent === "1", null, { timeout: SETTLE_MS });
});

/** Clicks the path toggle and waits until the other path's snapshot is in (its channel is live). */
async function switchPath(page, path) {
  const snapshots = Number(await page.evaluate(() => document.body.dataset.snapshots));
  await page.click(`label:has(#path-${path})`);
  await page.waitForFunction(([wanted, before]) => document.body.dataset.path === wanted
      && document.body.dataset.status === "SUBSCRIBED" && Number(document.body.dataset.snapshots) > before,
    [path, snapshots], { timeout: SETTLE_MS });
}

/** Inserts, updates and deletes a well in SQL; each step must reach `page` by `via` within LIVE_MS. */
async function changesArriveBy(page, via, name) {
  const inserted = await session.db.query(
    "insert into public.wells (name, uwi, status, total_depth_m) values ($1, $2, 'planned', 900) returning id",
    [name, `TEST-${via}-${Date.now()}`]);
  const id = Number(inserted.rows[0].id);
  session.createdIds.push(id);
  let committed = Date.now();
  const row = page.locator(`#wells tbody tr[data-id="${id}"]`);
  await row.waitFor({ timeout: LIVE_MS });
  const delays = { INSERT: Date.now() - committed };
  assert.equal(await row.getAttribute("data-change"), "INSERT", "live, not from a snapshot");
  assert.equal(await row.getAttribute("data-via"), via);
  assert.equal(await row.locator(".via").textContent(), via);
  assert.match(await row.textContent(), new RegExp(name));

  await session.db.query("update public.wells set status = 'producing', updated_at = now() where id = $1", [id]);
  committed = Date.now();
  await page.waitForFunction((wellId) => document.querySelector(`#wells tr[data-id="${wellId}"] .status`)?.textContent === "producing",
    id, { timeout: LIVE_MS });
  delays.UPDATE = Date.now() - committed;
  assert.equal(await row.getAttribute("data-change"), "UPDATE");
  assert.equal(await row.getAttribute("data-via"), via);
  assert.equal(await page.locator("#activity li:first-child .via").textContent(), via, "the activity list names the path");

  await session.db.query("delete from public.wells where id = $1", [id]);
  committed = Date.now();
  await row.waitFor({ state: "detached", timeout: LIVE_MS });
  delays.DELETE = Date.now() - committed;
  assert.equal(await page.locator("#activity li:first-child .tag").textContent(), "DELETE");
  assert.equal(await page.locator("#activity li:first-child .via").textContent(), via);
  console.log(`${via}: INSERT ${delays.INSERT} ms, UPDATE ${delays.UPDATE} ms, DELETE ${delays.DELETE} ms until the page showed it`);
}

step("the toggle switches the table to Broadcast from Database", ["the page loads and shows SUBSCRIBED"], async () => {
  await switchPath(first, "broadcast");
  assert.equal(await first.locator("#path-broadcast").isChecked(), true);
  assert.equal(await first.locator("#connection-detail").textContent(), "Replication connection established",
    "the rows were read once the server's stream was up");
  assert.equal(new URL(first.url()).searchParams.get("path"), "broadcast", "the address keeps the choice");
  assert.equal(await first.locator('[data-path-hint="broadcast"]').isVisible(), true);
});

step("with Broadcast from Database, an INSERT, UPDATE and DELETE made in SQL show up",
  ["the toggle switches the table to Broadcast from Database"], async () => {
    await changesArriveBy(first, "broadcast", "Broadcast Test 1-1");
  });

step("a phone opened on ?path=broadcast gets the broadcasts too, without sideways scrolling",
  ["with Broadcast from Database, an INSERT, UPDATE and DELETE made in SQL show up"], async () => {
    const phone = await session.context.newPage();
    await phone.setViewportSize(PHONE);
    await phone.goto(`${BASE}/?path=broadcast`);
    await phone.waitForFunction(() => document.body.dataset.path === "broadcast" && document.body.dataset.status === "SUBSCRIBED"
        && Number(document.body.dataset.snapshots) >= 1, null, { timeout: SETTLE_MS });
    await changesArriveBy(phone, "broadcast", "Broadcast Phone 1-1");
    // A row that stays, for the screenshots: both subscribers of the topic get it.
    const kept = await session.db.query("insert into public.wells (name, uwi, latitude, longitude, total_depth_m, status)"
      + " values ('Broadcast 7-21', $1, 54.1012, -112.6843, 1875.0, 'drilling') returning id", [`TEST-kept-${Date.now()}`]);
    const keptId = Number(kept.rows[0].id);
    session.createdIds.push(keptId);
    for (const page of [first, phone]) {
      await page.locator(`#wells tbody tr[data-id="${keptId}"][data-via="broadcast"]`).waitFor({ timeout: LIVE_MS });
      await page.waitForFunction(() => !document.querySelector("#wells tr.leaving"), null, { timeout: LIVE_MS });
    }
    await first.screenshot({ path: join(OUT, "wells-page-broadcast.png") });
    await phone.screenshot({ path: join(OUT, "wells-page-broadcast-phone.png"), fullPage: true });
    const [scrollWidth, width] = await phone.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
    assert.ok(scrollWidth <= width, `the phone page is ${scrollWidth} px wide in a ${width} px viewport`);
    await phone.close();
  });

step("and back to postgres_changes: the same table, marked by the other path",
  ["with Broadcast from Database, an INSERT, UPDATE and DELETE made in SQL show up"], async () => {
    await switchPath(first, "postgres_changes");
    await changesArriveBy(first, "postgres_changes", "Changes Test 1-1");
  });
