// io: safetensors files, atomic writes, training checkpoints and module save/load.
export { serializeSafetensors, parseSafetensors, saveSafetensors, loadSafetensors, type Safetensors } from "./safetensors.ts";
export type { SafeDType } from "./safetensors_dtypes.ts";
export { writeFileAtomic, type AtomicFs, type AtomicWriteOptions } from "./atomic_write.ts";
export { saveCheckpoint, loadCheckpoint, findCheckpoint, removeStaleTemps, WEIGHTS_FILE, STATE_FILE, type Checkpoint, type LoadedCheckpoint } from "./checkpoint.ts";
export { crashPoint, crashPointsPassed } from "./crash_points.ts";
export { saveModule, loadModule } from "./module_io.ts";
