// Types for scripts/bundle.mjs.
import type { BuildOptions } from 'esbuild';
export const external: string[];
export const bundleOptions: BuildOptions;
