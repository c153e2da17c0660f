// Public testing utilities ("aetnet/engine/testing").
export { gradcheck, GradcheckError, type GradcheckOptions } from "./gradcheck.ts";
export { allclose, assertClose, mismatch } from "./allclose.ts";
