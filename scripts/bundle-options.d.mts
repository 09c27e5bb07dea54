import type { BuildOptions } from 'esbuild';

export declare const appBundleOptions: BuildOptions;
export declare const FONTS_DIR: string;
