// Manager (Python's multiprocessing.Manager, DESIGN 3.3): shared plain data. The containers
// live in this process's primitive server (server.ts); every thread and process that has one,
// this process's own threads included, operates on it there (all operations async, values
// structured-cloned). A container passes to threads (postMessage, Thread args) and processes
// (Process args) like a primitive. shutdown() drops the data: operations fail from then on.
import { ThreadStateError } from "../errors.ts";
import { nextObjectId } from "../world.ts";
import { ownServer } from "./ownServer.ts";
import { RemotePrimitive } from "./remote.ts";
import type { CreateMessage } from "./server.ts";

let managerNumber = 0;

function create(kind: CreateMessage["kind"], manager = 0): number {
  const own = ownServer();
  const id = nextObjectId();
  const message: CreateMessage = { type: "create", kind, id, manager };
  own.worker.postMessage(message);
  own.shared.add(id);
  return id;
}

function handleOf(kind: string, id: number, name: string): RemotePrimitive["handle"] {
  return { kind, id, name, pid: process.pid, socket: ownServer().socket, capacity: 0 };
}

/** A dict of a Manager: `await d.set(key, value)`, `await d.get(key)`, ... */
export class ManagedDict<V = unknown> extends RemotePrimitive {
  get(key: string): Promise<V | undefined> {
    return this.callAsync("get", [key]) as Promise<V | undefined>;
  }

  async set(key: string, value: V): Promise<void> {
    await this.callAsync("set", [key, value]);
  }

  /** Removes `key`; resolves whether it was there. */
  delete(key: string): Promise<boolean> {
    return this.callAsync("delete", [key]) as Promise<boolean>;
  }

  has(key: string): Promise<boolean> {
    return this.callAsync("has", [key]) as Promise<boolean>;
  }

  keys(): Promise<string[]> {
    return this.callAsync("keys", []) as Promise<string[]>;
  }

  entries(): Promise<[string, V][]> {
    return this.callAsync("entries", []) as Promise<[string, V][]>;
  }

  size(): Promise<number> {
    return this.callAsync("size", []) as Promise<number>;
  }
}

/** A list of a Manager: `await l.append(v)`, `await l.get(i)`, ... */
export class ManagedList<V = unknown> extends RemotePrimitive {
  async append(value: V): Promise<void> {
    await this.callAsync("append", [value]);
  }

  get(index: number): Promise<V | undefined> {
    return this.callAsync("get", [index]) as Promise<V | undefined>;
  }

  async set(index: number, value: V): Promise<void> {
    await this.callAsync("set", [index, value]);
  }

  length(): Promise<number> {
    return this.callAsync("length", []) as Promise<number>;
  }

  toArray(): Promise<V[]> {
    return this.callAsync("toArray", []) as Promise<V[]>;
  }
}

export class Manager {
  readonly name: string;
  readonly #id: number;
  #shutDown = false;

  constructor(name?: string) {
    this.name = name ?? `Manager-${++managerNumber}`;
    this.#id = create("Manager");
  }

  #check(api: string): void {
    if (this.#shutDown)
      throw new ThreadStateError(`${this.name}.${api}(): the manager is shut down`);
  }

  dict<V = unknown>(name?: string): ManagedDict<V> {
    this.#check("dict");
    const label = name ?? `${this.name}.dict`;
    const id = create("ManagedDict", this.#id);
    return new ManagedDict<V>(handleOf("ManagedDict", id, label));
  }

  list<V = unknown>(name?: string): ManagedList<V> {
    this.#check("list");
    const label = name ?? `${this.name}.list`;
    const id = create("ManagedList", this.#id);
    return new ManagedList<V>(handleOf("ManagedList", id, label));
  }

  /** Drops every container of this manager: their operations fail from now on. */
  shutdown(): void {
    if (this.#shutDown) return;
    this.#shutDown = true;
    const message: CreateMessage = { type: "create", kind: "shutdown", id: this.#id, manager: 0 };
    ownServer().worker.postMessage(message);
  }
}
