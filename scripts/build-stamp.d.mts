// Types of build-stamp.mjs, for the test suite's TypeScript (test/helpers/fresh-build.ts).
export declare const BUILD_INPUTS: readonly string[];
export declare const STAMP_FILE: string;
export declare function buildInputsHash(root?: string): string;
export declare function checkBuildStamp(root?: string): { fresh: true } | { fresh: false; reason: string };
export declare function beginBuildStamp(root?: string): void;
export declare function writeBuildStamp(root?: string): boolean;
