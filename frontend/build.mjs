// Bundles frontend/src into frontend/dist/shoreline/ (served by whitenoise as /static/shoreline/...).
// `node build.mjs` builds once (minified); `node build.mjs --watch` rebuilds on change.
import { mkdir, readFile, rm, writeFile, copyFile, stat } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const root = dirname(fileURLToPath(import.meta.url));
const out = join(root, "dist", "shoreline");
const watch = process.argv.includes("--watch");

// The icon set: only these Lucide icons are compiled into one SVG sprite (icons.svg#name).
const ICONS = [
  "activity", "alert-triangle", "bar-chart-3", "bell", "bot", "building-2", "check", "check-circle-2",
  "chevron-left", "chevron-right", "chevrons-up-down", "circle-help", "clipboard-copy", "copy", "external-link",
  "eye", "file-text", "inbox", "info", "layout-dashboard", "lock", "log-out", "menu", "message-square",
  "moon", "palette", "plus", "scroll-text", "search", "settings", "shield", "shield-check", "sparkles",
  "sun", "trending-up", "user", "user-plus", "users", "wallet", "x", "zap", "key-round", "mail", "clock",
  "check-circle", "help-circle", "list-checks", "message-circle", "pencil", "refresh-cw", "upload", "image", "globe",
];

async function iconSprite() {
  const symbols = [];
  for (const name of ICONS) {
    const svg = await readFile(join(root, "node_modules", "lucide-static", "icons", `${name}.svg`), "utf8");
    const body = svg.replace(/<!--[\s\S]*?-->/g, "").replace(/^[\s\S]*?<svg[^>]*>/, "").replace(/<\/svg>\s*$/, "");
    symbols.push(`<symbol id="${name}" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" ` +
      `stroke-linecap="round" stroke-linejoin="round">${body.replace(/\s*\n\s*/g, "")}</symbol>`);
  }
  await writeFile(join(out, "icons.svg"),
    `<svg xmlns="http://www.w3.org/2000/svg" style="display:none">${symbols.join("")}</svg>\n`);
}

const common = {
  bundle: true,
  minify: !watch,
  sourcemap: watch ? "inline" : false,
  target: ["chrome111", "firefox115", "safari16.4"],
  logLevel: "info",
  legalComments: "none",
};

const builds = [
  // Blocking <head> script: applies the stored or system theme before first paint.
  { ...common, entryPoints: { theme: join(root, "src", "theme.ts") }, outdir: out, format: "iife" },
  // Everything else is one ES module; ECharts is split into a chunk that loads only where a chart is.
  {
    ...common, entryPoints: { app: join(root, "src", "app.ts") }, outdir: out, format: "esm", splitting: true,
    chunkNames: "chunks/[name]-[hash]",
  },
  {
    ...common, entryPoints: { app: join(root, "src", "styles", "app.css") }, outdir: out,
    loader: { ".woff2": "file" }, assetNames: "fonts/[name]",
  },
];

// Only our own output: dist/widget belongs to the widget build (widget/client/build.mjs).
await rm(out, { recursive: true, force: true });
await mkdir(out, { recursive: true });
await iconSprite();
await copyFile(join(root, "src", "favicon.svg"), join(out, "favicon.svg"));

if (watch) {
  for (const options of builds) await (await esbuild.context(options)).watch();
} else {
  await Promise.all(builds.map((options) => esbuild.build(options)));
  const sizes = [];
  for (const file of ["theme.js", "app.js", "app.css", "icons.svg"]) {
    sizes.push(`${file} ${((await stat(join(out, file))).size / 1024).toFixed(1)} KiB`);
  }
  console.log(`frontend/dist/shoreline: ${sizes.join(", ")}`);
}
