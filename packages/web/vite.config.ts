import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { precache } from './precache.js';
import { precompress } from './precompress.js';

export default defineConfig({
  plugins: [react(), precache(), precompress()],
  resolve: { conditions: ['source', 'module', 'browser', 'development|production'] },
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    emptyOutDir: true,
    sourcemap: false,
    target: 'es2022',
  },
  server: { proxy: { '/ws': { target: 'ws://127.0.0.1:8080', ws: true }, '/api': 'http://127.0.0.1:8080' } },
});
