// DAP `scopes` and `variables`: for a thread's frame, "Holding" (each lock it holds, with where
// it took it) and "Waiting for" (the object it is blocked on, its owner thread, where it
// waits). After a potential deadlock, a "Finding" scope with the finding itself. Values are
// computed when the scopes are asked for, and kept (by reference) until the next stop.
import { Handles, Scope, Variable } from "@vscode/debugadapter";
import type { DebugProtocol } from "@vscode/debugprotocol";
import { relativePath } from "../protocol/paths.ts";
import type { Frame } from "../protocol/events.ts";
import type { Finding } from "../protocol/report.ts";
import type { AwaitedObject, ProgramModel } from "./programModel.ts";
import type { StopState } from "./stackTraces.ts";

type Variables = readonly DebugProtocol.Variable[];

function siteText(frames: readonly Frame[], cwd: string): string {
  const frame = frames[0];
  if (frame === undefined) return "an unrecorded site";
  return `${relativePath(frame.file, cwd)}:${frame.line}:${frame.column}`;
}

function ownerText(awaited: AwaitedObject): string {
  if (awaited.what === "join") return "join: waits for it to end";
  if (awaited.what === "wait") return awaited.reason === undefined ? "wait" : awaited.reason;
  return awaited.owners.length === 0 ? "free" : `held by ${awaited.owners.join(", ")}`;
}

export class VariableStore {
  readonly #handles = new Handles<Variables>();

  /** Forgets every reference (at each continue and stop: the values are per stop). */
  reset(): void {
    this.#handles.reset();
  }

  variables(reference: number): Variables {
    return this.#handles.get(reference, []);
  }

  scopes(
    model: ProgramModel,
    stop: StopState | undefined,
    ident: number,
    cwd: string,
  ): DebugProtocol.Scope[] {
    if (stop?.kind === "potential-deadlock") {
      return [new Scope("Finding", this.#handles.create(this.#findings(stop.findings)), false)];
    }
    const holding = model
      .held(ident)
      .map(
        (lock) =>
          new Variable(
            lock.name,
            `${lock.kind ?? "Lock"}${lock.count > 1 ? ` ×${lock.count}` : ""}, acquired at ${siteText(lock.site, cwd)}`,
          ),
      );
    const awaited = model.awaited(ident);
    const waiting = awaited === undefined ? [] : [this.#awaitedVariable(awaited, cwd)];
    return [
      new Scope("Holding", this.#handles.create(holding), false),
      new Scope("Waiting for", this.#handles.create(waiting), false),
    ];
  }

  #awaitedVariable(awaited: AwaitedObject, cwd: string): DebugProtocol.Variable {
    const details: DebugProtocol.Variable[] = [
      new Variable("kind", awaited.kind ?? "unknown"),
      new Variable(
        awaited.what === "join" ? "thread" : "owner",
        awaited.owners.join(", ") || "none",
      ),
      new Variable("blocked at", siteText(awaited.site, cwd)),
      new Variable("timeout", awaited.timed ? "yes: the wait ends by itself" : "none"),
    ];
    if (awaited.reason !== undefined) details.splice(1, 0, new Variable("for", awaited.reason));
    const kind = awaited.kind ?? "object";
    return new Variable(
      awaited.name,
      `${kind} (${ownerText(awaited)})`,
      this.#handles.create(details),
    );
  }

  #findings(findings: readonly Finding[]): Variables {
    return findings.map((finding) => {
      const details = [
        new Variable("message", finding.message),
        new Variable("locks", finding.locks.join(", ")),
        new Variable("threads", finding.threads.join(", ")),
        ...finding.suggestions.map((s, i) => new Variable(`fix ${i + 1} (${s.kind})`, s.message)),
      ];
      return new Variable(finding.kind, finding.message, this.#handles.create(details));
    });
  }
}
