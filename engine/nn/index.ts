// nn: filled in by its issue work; see engine/index.ts.
export {};
