// Run as a child process by exit.test.ts: uses the gpu backend, then ends the way argv[2] says while work
// is still queued on the device — "exit" (process.exit(0) right after a host read, with an upload and a
// chain of kernels still pending), "throw" (an uncaught error: exit code 1) or "natural" (the event loop runs dry).
import { randn, setBackend } from "../../../../engine/index.ts";

const how = process.argv[2] ?? "exit";
await setBackend("gpu");
let a = randn([96, 96]);
console.log(a.matmul(a).sum().item()); // a synchronous read: the worker is busy right up to here
for (let i = 0; i < 20; i++) a = a.matmul(randn([96, 96])).tanh(); // uploads and kernels, never read
if (how === "throw") throw new Error("an uncaught error after using the gpu backend");
if (how === "exit") process.exit(0);
