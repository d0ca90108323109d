import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

/**
 * The desk builds into dist/desk, next to the service that serves it (libs/http-api/src/desk). File names
 * carry a content hash, so the service lets browsers keep them for a year.
 */
export default defineConfig({
  root: here('.'),
  base: '/',
  resolve: {
    // The customer-message preview runs the very module the service renders messages with.
    alias: {
      '@refund-desk/domain': here('../../libs/domain/src/index.ts'),
      '@refund-desk/customer-messages': here('../../libs/customer-messages/src/index.ts'),
    },
  },
  build: {
    outDir: here('../../dist/desk'),
    emptyOutDir: true,
    assetsDir: 'assets',
    target: 'es2022',
    sourcemap: false,
    reportCompressedSize: false,
  },
  server: {
    // `npm run dev:desk` next to `npm start`: the API and its docs answer through Vite.
    proxy: { '/v1': 'http://127.0.0.1:3000' },
  },
});
