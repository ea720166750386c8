// Builds the embeddable widget into frontend/dist/widget/ (served as /static/widget/...):
//   loader.js  — the script of the embed snippet: launcher bubble (shadow DOM) + the iframe
//   chat.js, chat.css — the chat app that runs inside the iframe (/widget/frame/)
// and enforces the size budgets (gzipped): over budget, the build fails.
//
//   node build.mjs                 type-check, bundle, check budgets
//   node build.mjs --no-typecheck  skip `tsc --noEmit` (faster rebuilds)
//   node build.mjs --check-only [--dir=PATH]  only check the budgets of already built files
import { spawnSync } from "node:child_process";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const root = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const dirArg = args.find((a) => a.startsWith("--dir="));
const out = dirArg ? dirArg.slice(6) : join(root, "..", "..", "frontend", "dist", "widget");

// The budgets of the issue (CX-1): a host page pays for the loader on every page view,
// the chat app only when a visitor opens the chat.
export const BUDGETS = [
  { name: "loader", files: ["loader.js"], limit: 8 * 1024 },
  { name: "chat app", files: ["chat.js", "chat.css"], limit: 40 * 1024 },
];

async function checkBudgets() {
  const report = {};
  let failed = false;
  for (const budget of BUDGETS) {
    let gz = 0;
    let raw = 0;
    for (const file of budget.files) {
      const bytes = await readFile(join(out, file));
      raw += bytes.length;
      gz += gzipSync(bytes, { level: 9 }).length;
    }
    const ok = gz <= budget.limit;
    failed ||= !ok;
    report[budget.name] = { files: budget.files, raw, gzip: gz, limit: budget.limit, ok };
    console.log(`${ok ? "ok  " : "OVER"} ${budget.name.padEnd(9)} ${(gz / 1024).toFixed(2)} KiB gzipped ` +
      `(${(raw / 1024).toFixed(1)} KiB raw) — budget ${(budget.limit / 1024).toFixed(0)} KiB`);
  }
  return { report, failed };
}

if (!args.includes("--check-only")) {
  if (!args.includes("--no-typecheck")) {
    const tsc = spawnSync(process.execPath, [join(root, "node_modules", "typescript", "bin", "tsc"), "--noEmit", "-p", root],
      { stdio: "inherit" });
    if (tsc.status !== 0) {
      console.error("widget: type errors (tsc --noEmit)");
      process.exit(1);
    }
  }
  const esbuild = await import("esbuild");
  await rm(out, { recursive: true, force: true });
  await mkdir(out, { recursive: true });
  const common = {
    bundle: true, minify: true, legalComments: "none", logLevel: "warning", format: "iife",
    // The loader runs on clients' websites: old-ish browsers must at least not break the page.
    target: ["chrome96", "firefox96", "safari15"],
  };
  await Promise.all([
    esbuild.build({ ...common, entryPoints: [join(root, "src", "loader.ts")], outfile: join(out, "loader.js") }),
    esbuild.build({ ...common, entryPoints: [join(root, "src", "chat", "main.ts")], outfile: join(out, "chat.js") }),
    esbuild.build({ ...common, entryPoints: [join(root, "src", "chat", "chat.css")], outfile: join(out, "chat.css"),
      external: ["../shoreline/fonts/*"] }),
  ]);
}

const { report, failed } = await checkBudgets();
if (!dirArg) await writeFile(join(out, "budget.json"), JSON.stringify(report, null, 2) + "\n");
if (failed) {
  console.error("widget: over the size budget — the build fails (see docs/decisions for the budgets)");
  process.exit(1);
}
