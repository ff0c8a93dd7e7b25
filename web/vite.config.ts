import { fileURLToPath } from 'node:url';

import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Resolved from this file, so the build works from any working directory.
const webRoot = fileURLToPath(new URL('.', import.meta.url));

// The API server of `npm start` listens on loopback only during development.
const apiServer = 'http://127.0.0.1:3000';

export default defineConfig({
  root: webRoot,
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    // The budget is first-load JavaScript, compressed: 600 KB. The shared chunk with React and
    // the antd core is about 840 KB minified but 270 KB gzipped, so Vite's default warning at
    // 500 KB minified would fire on every build.
    chunkSizeWarningLimit: 1000,
  },
  server: {
    host: '127.0.0.1',
    proxy: {
      '/api': { target: apiServer },
      '/healthz': { target: apiServer },
    },
  },
  preview: {
    host: '127.0.0.1',
  },
});
