// What the browser tests of the wells page and the inspector share: one headless Chromium profile,
// a connection to the tenant database, steps that are skipped with the reason when a step they
// build on failed, rows to delete afterwards, and the browser's log printed when something failed.
import { after, before, test } from "node:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import pg from "pg";

/** The value of an environment variable the Java IT sets, or an error naming who sets it. */
export function requiredEnv(name, setBy) {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} must be set (${setBy} sets it)`);
  }
  return value;
}

/**
 * Registers the hooks of one browser test file and returns its session.
 *
 * @param dbUrl       the tenant database (rows pushed to `createdIds` are deleted from public.wells after)
 * @param browser     the Chromium executable
 * @param profile     the prefix of the temporary profile folder
 * @param onFailure   called when a step fails, before the error is rethrown (screenshots)
 */
export function chromiumSession({ dbUrl, browser, profile, onFailure }) {
  let userDataDir;
  const session = {
    logs: [],
    /** Steps that failed or were skipped: what builds on them is skipped too. */
    notPassed: new Set(),
    createdIds: [],
    db: undefined,
    context: undefined,

    /** A step that is skipped, with the reason, when a step it builds on failed. */
    step(name, needs, body) {
      test(name, async (t) => {
        const missing = needs.filter((n) => session.notPassed.has(n));
        if (missing.length > 0) {
          session.notPassed.add(name);
          t.skip(`needs: ${missing.join(", ")}`);
          return;
        }
        try {
          await body(t);
        } catch (error) {
          session.notPassed.add(name);
          await onFailure().catch(() => {});
          throw error;
        }
      });
    },

    /** A new page of the given size whose console and errors go to the log under `label`. */
    async newPage(viewport, label) {
      const page = await session.context.newPage();
      await page.setViewportSize(viewport);
      page.on("console", (message) => session.logs.push(`[${label} console.${message.type()}] ${message.text()}`));
      page.on("pageerror", (error) => session.logs.push(`[${label} pageerror] ${error.message}`));
      return page;
    },
  };

  before(async () => {
    session.db = new pg.Client({ connectionString: dbUrl });
    await session.db.connect();
    userDataDir = mkdtempSync(join(tmpdir(), `${profile}-chromium-`));
    session.context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: browser,
      headless: true,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
  });

  after(async () => {
    if (session.notPassed.size > 0) {
      console.log(`--- browser log (${session.logs.length} lines) ---\n${session.logs.join("\n")}`);
    }
    await session.context?.close();
    if (userDataDir) {
      rmSync(userDataDir, { recursive: true, force: true });
    }
    if (session.createdIds.length > 0) {
      await session.db.query("delete from public.wells where id = any($1::bigint[])", [session.createdIds]);
    }
    await session.db?.end();
  });

  return session;
}
