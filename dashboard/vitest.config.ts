import { svelte } from '@sveltejs/vite-plugin-svelte';
import { svelteTesting } from '@testing-library/svelte/vite';
import { fileURLToPath } from 'node:url';
import { defineProject } from 'vitest/config';

// Component tests: Svelte compiled for the browser and rendered into happy-dom. The root `npm test`
// runs this project beside the node suites (root vitest.config.ts). The SvelteKit plugin is left out:
// it reads its config from the working directory, which is the repository root there; components
// only need `$lib`, and a test mocks the API client (the one `$app` user) anyway.
export default defineProject({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [svelte(), svelteTesting()],
  resolve: { alias: { $lib: fileURLToPath(new URL('./src/lib', import.meta.url)) } },
  test: {
    name: 'dashboard',
    environment: 'happy-dom',
    include: ['src/**/*.test.ts'],
  },
});
