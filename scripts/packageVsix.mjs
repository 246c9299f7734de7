// `node scripts/packageVsix.mjs <out.vsix>`: the extension's .vsix, made by vsce from a staging
// folder that holds only what the package may contain (package.json, its "files" and the
// production dependencies, hard links to the checkout's files), for `npm test`
// (scripts/test.mjs) and the VS Code tier (test/e2e/run.mjs). Run in the checkout, vsce lists
// every file under it but node_modules, the git-ignored caches of the test tiers included
// (.corpus-cache, .e2e-cache: some 27,000 files), and matches each against its ignore
// patterns: 12 s of CPU time of the 15 it took (3.7 s staged), on two cores shared with the
// node tiers. The package is the same, file for file (`unzip` of both, compared).
import { spawnSync } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  linkSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
} from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const stage = path.join(root, "node_modules/.cache/threadlens/vsix-stage");

/** Puts `rel` (a file or a folder, relative to the checkout) into the staging folder. */
function stageEntry(rel) {
  const from = path.join(root, rel);
  const to = path.join(stage, rel);
  if (statSync(from).isDirectory()) {
    mkdirSync(to, { recursive: true });
    for (const name of readdirSync(from)) stageEntry(path.join(rel, name));
    return;
  }
  mkdirSync(path.dirname(to), { recursive: true });
  try {
    linkSync(from, to);
  } catch {
    copyFileSync(from, to); // another file system
  }
}

/** The installed packages that `name` needs at run time, itself included (npm's flat layout). */
function runtimeClosure(names, into = new Set()) {
  for (const name of names) {
    const dir = path.join("node_modules", name);
    if (into.has(name) || !existsSync(path.join(root, dir))) continue; // an optional one absent
    into.add(name);
    const manifest = JSON.parse(readFileSync(path.join(root, dir, "package.json"), "utf8"));
    runtimeClosure(
      [
        ...Object.keys(manifest.dependencies ?? {}),
        ...Object.keys(manifest.optionalDependencies ?? {}),
      ],
      into,
    );
  }
  return into;
}

const out = process.argv[2];
if (out === undefined) {
  console.error("usage: node scripts/packageVsix.mjs <out.vsix>");
  process.exit(2);
}
const manifest = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8"));
rmSync(stage, { recursive: true, force: true });
const entries = [
  "package.json",
  ...manifest.files.filter((f) => !f.startsWith("node_modules/")),
  ...[...runtimeClosure(Object.keys(manifest.dependencies ?? {}))].map((n) => `node_modules/${n}`),
];
for (const entry of entries) if (existsSync(path.join(root, entry))) stageEntry(entry);
const vsce = path.join(root, "node_modules/@vscode/vsce/vsce");
const result = spawnSync(process.execPath, [vsce, "package", "-o", path.resolve(out)], {
  cwd: stage,
  stdio: "inherit",
});
rmSync(stage, { recursive: true, force: true });
process.exit(result.status ?? 1);
