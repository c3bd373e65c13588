import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Privileged and e2e tests load BPF programs and spawn terminals: keep files serial on 2 cores.
    fileParallelism: false,
    reporters: ['default'],
  },
});
