// Types of scripts/build.mjs (plain JavaScript so bin/reyestr.mjs can run it without tsx).
export declare const ROOT: string;
export declare const DIST: string;
export declare const ENTRIES: Record<string, string>;
export declare function buildIsCurrent(): boolean;
export declare function build(): Promise<number>;
