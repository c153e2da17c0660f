// AETNet's public surface: configuration, model, losses.
export * from "./config.ts";
