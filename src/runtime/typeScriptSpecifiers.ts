// The specifiers TypeScript code writes for TypeScript files, which Node's own resolution does
// not find: "./util.js" for util.ts (or util.tsx; .mjs/.cjs for .mts/.cts) and an extensionless
// "./util" (util.ts, util.tsx, util/index.ts). The loader hooks try these after Node's
// resolution fails (loaderHooks.ts), and so does the precompiler, which resolves as they do
// (workerPrecompile.ts).

/** The candidates for `specifier`, in the order they are tried. */
export function typeScriptAlternatives(specifier: string): string[] {
  const js = /\.([cm]?)js$/.exec(specifier);
  if (js !== null)
    return [
      specifier.slice(0, -js[0].length) + `.${js[1] ?? ""}ts`,
      specifier.slice(0, -js[0].length) + ".tsx",
    ];
  if (/\.[a-z]+$/i.test(specifier)) return [];
  return [`${specifier}.ts`, `${specifier}.tsx`, `${specifier}/index.ts`];
}
