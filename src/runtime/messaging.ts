// Primitives posted with postMessage arrive as plain copies; this revives them on arrival, so
// `worker.postMessage({ lock })` gives the receiving thread the same Lock. Node delivers every
// MessagePort message (parentPort, MessageChannel ports, and a Worker's own port to its
// parent) through one internal dispatch method; wrapping it there covers both listener styles
// (port.on("message") and addEventListener / onmessage).
import { MessagePort } from "node:worker_threads";
import { revive } from "./primitive.ts";

const HYBRID_DISPATCH = Symbol.for("nodejs.internal.kHybridDispatch");
const PATCHED = Symbol.for("threadlens.messaging.patched");

type Dispatch = (this: unknown, value: unknown, type: string, event: unknown) => unknown;

/** Installs the revival on this thread's MessagePorts; returns false if Node lacks the hook. */
export function reviveOnMessage(): boolean {
  const proto = MessagePort.prototype as unknown as Record<symbol, unknown>;
  if (proto[PATCHED] === true) return true;
  const original = proto[HYBRID_DISPATCH];
  if (typeof original !== "function") return false;
  const dispatch = original as Dispatch;
  proto[HYBRID_DISPATCH] = function (
    this: unknown,
    value: unknown,
    type: string,
    event: unknown,
  ): unknown {
    return dispatch.call(this, type === "message" ? revive(value) : value, type, event);
  };
  proto[PATCHED] = true;
  return true;
}
