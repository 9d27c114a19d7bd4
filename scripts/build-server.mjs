// Compiles the server (and the benchmarks, which import it) from TypeScript to JavaScript in
// dist/node/, file by file with the same layout, so `npm start` runs plain Node.js. Running the
// TypeScript sources through tsx at run time costs about 90 MB of memory (its loader keeps every
// transformed module and source map) and compile time at start; see docs/architecture.md.
// Type checking is `npm run typecheck`; this only strips types.
import { build } from 'esbuild';
import { readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outdir = path.join(root, 'dist/node');

function sources(dir) {
  return readdirSync(path.join(root, dir), { recursive: true, withFileTypes: true })
    .filter(
      (e) =>
        e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') && !e.name.endsWith('.d.ts'),
    )
    .map((e) => path.join(e.parentPath, e.name));
}

rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: [...sources('src/server'), ...sources('src/shared'), ...sources('bench')],
  outbase: root,
  outdir,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
});
