import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The portal is static files: Azure Static Web Apps serves them with the Function App linked as /api, and
// `npm start` serves the same build beside the API. `npm run dev` proxies /api to a running local host.
export default defineConfig({
  plugins: [react()],
  // The manifest maps each page's source to its chunk: the local host preloads the opened page's chunk with it.
  build: { target: 'es2022', sourcemap: false, chunkSizeWarningLimit: 800, manifest: true },
  server: {
    proxy: {
      '/api': `http://localhost:${process.env.API_PORT ?? 7071}`,
      '/config.json': `http://localhost:${process.env.API_PORT ?? 7071}`,
    },
  },
});
