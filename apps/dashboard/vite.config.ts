import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The server serves dist/ at / (apps/server/src/features/dashboard). `npm run dev` proxies the API to
// a server on the default port, so the dashboard can be worked on with hot reload.
export default defineConfig({
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // The server's CSP allows no inline script: never inline the module preload polyfill or assets.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
  },
  server: {
    proxy: {
      '/api': 'http://127.0.0.1:7400',
    },
  },
});
