// File paths in findings: relative to the working directory, with forward slashes, whatever
// the platform wrote (POSIX paths, Windows paths, file: URLs). Pure string work, so the
// analysis runs the same in the CLI, the adapter and the extension.

/** `file:///a/b.ts` → `/a/b.ts`, `file:///C:/a.ts` → `C:/a.ts`; backslashes become slashes. */
export function normalizePath(file: string): string {
  let path = file;
  if (path.startsWith("file://")) {
    path = safeDecode(path.slice("file://".length));
    if (/^\/[A-Za-z]:\//.test(path)) path = path.slice(1);
  }
  path = path.replace(/\\/g, "/");
  return path.length > 1 ? path.replace(/\/+$/, "") : path;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Windows drive letters and paths compare case-insensitively; POSIX ones do not. */
function sameSegment(a: string, b: string, caseInsensitive: boolean): boolean {
  return caseInsensitive ? a.toLowerCase() === b.toLowerCase() : a === b;
}

/** `file` relative to `cwd` (forward slashes); an absolute path when they share no root. */
export function relativePath(file: string, cwd: string): string {
  const target = normalizePath(file);
  const base = normalizePath(cwd);
  const isAbsolute = (p: string): boolean => p.startsWith("/") || /^[A-Za-z]:\//.test(p);
  if (!isAbsolute(target) || !isAbsolute(base)) return target;
  const windows = /^[A-Za-z]:\//.test(target);
  const from = base.split("/").filter((s, i) => s !== "" || i === 0);
  const to = target.split("/").filter((s, i) => s !== "" || i === 0);
  if (!sameSegment(from[0] ?? "", to[0] ?? "", windows)) return target;
  let common = 0;
  while (
    common < from.length &&
    common < to.length &&
    sameSegment(from[common] ?? "", to[common] ?? "", windows)
  ) {
    common++;
  }
  const up = from.slice(common).map(() => "..");
  const rest = to.slice(common);
  const parts = [...up, ...rest];
  return parts.length === 0 ? "." : parts.join("/");
}
