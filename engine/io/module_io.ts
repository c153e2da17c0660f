// Saving and loading an nn.Module's state dict (parameters and buffers, by dotted name) as safetensors.
import type { LoadResult, Module } from "../nn/module.ts";
import { loadSafetensors, saveSafetensors } from "./safetensors.ts";

/** Writes a module's state dict (parameters and buffers, by dotted name) to a safetensors file. */
export function saveModule(path: string, module: Module, metadata?: Record<string, string>): void {
  saveSafetensors(path, module.stateDict(), metadata);
}

/**
 * Copies the file's tensors into the module's own (see Module.loadStateDict): strict (the default)
 * throws on any missing, unexpected or mismatched key; non-strict loads what matches and reports the rest.
 */
export function loadModule(path: string, module: Module, options: { strict?: boolean } = {}): LoadResult & { metadata: Record<string, string> } {
  const { tensors, metadata } = loadSafetensors(path);
  return { ...module.loadStateDict(tensors, options), metadata };
}
