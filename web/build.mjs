// Builds the wells page into a folder the WAR serves at / (Maven passes
// target/generated-webapp): index.html, and under assets/ one bundled script (supabase-js
// included: no CDN at run time), the stylesheet and the icon. The Realtime Inspector is built the
// same way into inspector/ (served at /inspector/), with its own assets/.
import { build } from "esbuild";
import { copyFile, mkdir, rm } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const out = resolve(process.argv[2] ?? join(here, "..", "target", "generated-webapp"));
const assets = join(out, "assets");

await rm(out, { recursive: true, force: true });
await mkdir(assets, { recursive: true });
await build({
  entryPoints: [join(here, "src", "main.ts")],
  outfile: join(assets, "wells-page.js"),
  bundle: true,
  format: "esm",
  target: "es2020",
  minify: true,
  sourcemap: "linked",
  legalComments: "linked",
  // ../examples imports @supabase/supabase-js too; it is installed here only.
  nodePaths: [join(here, "node_modules")],
  logLevel: "warning",
});
await build({
  entryPoints: [join(here, "src", "styles.css")],
  outfile: join(assets, "wells-page.css"),
  bundle: true,
  minify: true,
  logLevel: "warning",
});
await copyFile(join(here, "src", "index.html"), join(out, "index.html"));
await copyFile(join(here, "src", "mudrock.svg"), join(assets, "mudrock.svg"));
console.log(`wells page built into ${out}`);

const inspector = join(out, "inspector");
const inspectorAssets = join(inspector, "assets");
await mkdir(inspectorAssets, { recursive: true });
await build({
  entryPoints: [join(here, "src", "inspector", "main.ts")],
  outfile: join(inspectorAssets, "inspector.js"),
  bundle: true,
  format: "esm",
  target: "es2020",
  minify: true,
  sourcemap: "linked",
  legalComments: "linked",
  logLevel: "warning",
});
await build({
  entryPoints: [join(here, "src", "inspector", "inspector.css")],
  outfile: join(inspectorAssets, "inspector.css"),
  bundle: true,
  minify: true,
  logLevel: "warning",
});
await copyFile(join(here, "src", "inspector", "index.html"), join(inspector, "index.html"));
await copyFile(join(here, "src", "mudrock.svg"), join(inspectorAssets, "mudrock.svg"));
console.log(`Realtime Inspector built into ${inspector}`);
