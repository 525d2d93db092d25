// Assembles frontend/dist from wasm-bindgen's output: content-hashed file names under
// /assets/, index.html naming them, and brotli + gzip copies of every file for the server to
// send as they are. Prints the bundle size (wasm + JS, raw and brotli).
//
// usage: node frontend/build.mjs <wasm-bindgen out dir> <dist dir>
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, extname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

const here = dirname(fileURLToPath(import.meta.url));
const [bindgenDir, distDir] = process.argv.slice(2);
if (!bindgenDir || !distDir) {
  console.error("usage: node frontend/build.mjs <wasm-bindgen out dir> <dist dir>");
  process.exit(2);
}

const assetsDir = join(distDir, "assets");
rmSync(distDir, { recursive: true, force: true });
mkdirSync(assetsDir, { recursive: true });

const names = {};
function hashed(logicalName, contents) {
  const hash = createHash("sha256").update(contents).digest("hex").slice(0, 16);
  const ext = extname(logicalName);
  const name = `${basename(logicalName, ext)}-${hash}${ext}`;
  writeFileSync(join(assetsDir, name), contents);
  names[logicalName] = name;
  return name;
}

function fillTemplate(text) {
  return text.replace(/\{\{([^}]+)\}\}/g, (_, key) => {
    if (!(key in names)) throw new Error(`template names unknown asset ${key}`);
    return names[key];
  });
}

const web = (file) => readFileSync(join(here, "web", file), "utf8");
hashed("steward.wasm", readFileSync(join(bindgenDir, "steward_frontend_bg.wasm")));
hashed("steward.js", readFileSync(join(bindgenDir, "steward_frontend.js")));
hashed("style.css", web("style.css"));
hashed("errors.js", web("errors.js"));
hashed("boot.js", fillTemplate(web("boot.js")));
writeFileSync(join(distDir, "index.html"), fillTemplate(web("index.html")));

// GraphiQL at /graphiql, from the npm packages (UMD builds), never from a CDN.
const vendored = (path) => readFileSync(join(here, "node_modules", path));
hashed("react.js", vendored("react/umd/react.production.min.js"));
hashed("react-dom.js", vendored("react-dom/umd/react-dom.production.min.js"));
hashed("graphiql.js", vendored("graphiql/graphiql.min.js"));
hashed("graphiql.css", vendored("graphiql/graphiql.min.css"));
hashed("graphiql-page.css", web("graphiql-page.css"));
hashed("graphiql-boot.js", web("graphiql-boot.js"));
writeFileSync(join(distDir, "graphiql.html"), fillTemplate(web("graphiql.html")));

function compressAll(dir) {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) {
      compressAll(path);
      continue;
    }
    const raw = readFileSync(path);
    writeFileSync(`${path}.br`, brotliCompressSync(raw, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
        [constants.BROTLI_PARAM_SIZE_HINT]: raw.length,
      },
    }));
    writeFileSync(`${path}.gz`, gzipSync(raw, { level: 9 }));
  }
}
compressAll(distDir);

const size = (name) => ({
  raw: statSync(join(assetsDir, name)).size,
  brotli: statSync(join(assetsDir, `${name}.br`)).size,
});
const bundle = ["steward.wasm", "steward.js", "errors.js", "boot.js"].map((n) => size(names[n]));
const total = bundle.reduce((a, b) => ({ raw: a.raw + b.raw, brotli: a.brotli + b.brotli }), { raw: 0, brotli: 0 });
writeFileSync(join(distDir, "bundle-size.json"), JSON.stringify({ wasmAndJs: total, files: names }, null, 2));
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
console.log(`frontend: wasm + JS ${kb(total.raw)} raw, ${kb(total.brotli)} brotli (budget 250 KB brotli)`);
if (total.brotli > 250 * 1024) {
  console.error("frontend: the bundle is over the 250 KB brotli budget");
  process.exit(1);
}
