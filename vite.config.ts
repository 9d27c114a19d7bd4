import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const repoRoot = fileURLToPath(new URL('.', import.meta.url));

/** The web app: sources in src/web, built into dist/web, which the Fastify server serves with an SPA fallback. */
export default defineConfig({
  root: `${repoRoot}src/web`,
  plugins: [react()],
  build: {
    outDir: `${repoRoot}dist/web`,
    emptyOutDir: true,
  },
  server: {
    // `npm run dev` runs the API on port 3000; the Vite dev server forwards /api to it.
    proxy: { '/api': 'http://127.0.0.1:3000' },
  },
});
