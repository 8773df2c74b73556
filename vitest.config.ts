import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    // A hang guard, not a speed check (speed is shown by the benches): the Verilated and Kafka
    // tests take 15-80 s on an idle 2-core machine and ten times that on a loaded one.
    testTimeout: 600_000,
    hookTimeout: 300_000,
    // Two cores: run test files in parallel on two workers at most; engines are CPU-bound.
    maxWorkers: 2,
    reporters: ['default'],
  },
});
