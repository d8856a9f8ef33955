// A V8 code cache for the CLI bundle. Node 20 has no compile cache of its own
// (module.enableCompileCache is Node 22), so every start compiled each chunk again and then each
// function as it first ran. `npm run build` runs the usual commands once (scripts/code-cache.mjs) and
// keeps each chunk's bytecode beside it as `<chunk>.cache`; bin/sealbox.js offers it to V8 with the
// chunk's source (one-file decrypt ~20 ms faster, docs/performance.md).
//
// Nothing is written at run time, so a cache is exactly as trusted as the chunk beside it. V8 refuses
// a cache made by another V8 version or with other flags, and one for a source of another length;
// a cache older than its chunk (a bundle edited by hand) is not offered at all.
import { closeSync, fstatSync, openSync, readdirSync, readFileSync, readSync, statSync, writeFileSync } from "node:fs";
import Module from "node:module";
import { dirname, sep } from "node:path";
import { Script } from "node:vm";

const SUFFIX = ".cache";
// A script compiled here cannot import() (Node 20 asks for --experimental-vm-modules): one that does
// is left to Node. The bundle has one, import-esm.js, through which the others import ES modules.
const IMPORTS = /\bimport\s*\(/;

/** How the chunks of one process fared, for the build's check and the tests. */
export interface CodeCacheStats {
  /** Chunks compiled with their cache. */
  accepted: number;
  /** Chunks whose cache V8 refused (another Node, other V8 flags). */
  rejected: number;
  /** Chunks with no usable cache (none made, or older than the chunk). */
  missing: number;
}

type CompileFunction = (this: Module, content: string, filename: string, ...rest: unknown[]) => unknown;
interface ModuleInternals {
  prototype: { _compile: CompileFunction; require(id: string): unknown };
  wrap(content: string): string;
}

/**
 * Compiles the CommonJS files directly in `bundleDir` with their caches from now on. With `record`,
 * each compiled script is also kept, for writeCodeCache to save once the commands have run.
 */
export function useCodeCache(bundleDir: string, options: { record?: boolean } = {}): { stats: CodeCacheStats; write(): string[] } {
  const modules = Module as unknown as ModuleInternals;
  const original = modules.prototype._compile;
  const prefix = bundleDir.endsWith(sep) ? bundleDir : bundleDir + sep;
  const stats: CodeCacheStats = { accepted: 0, rejected: 0, missing: 0 };
  const recorded = new Map<string, Script>();

  modules.prototype._compile = function (this: Module, content: string, filename: string, ...rest: unknown[]) {
    if (!filename.startsWith(prefix) || filename.includes(sep, prefix.length) || !isScript(filename) || IMPORTS.test(content)) {
      return original.call(this, content, filename, ...rest);
    }
    const cachedData = options.record ? undefined : readCache(filename);
    const script = new Script(modules.wrap(content), { filename, cachedData });
    if (!cachedData) stats.missing++;
    else if (script.cachedDataRejected) stats.rejected++;
    else stats.accepted++;
    if (options.record) recorded.set(filename, script);
    const load = script.runInThisContext({ displayErrors: true }) as (...args: unknown[]) => unknown;
    const require = (id: string): unknown => this.require(id);
    return load.call(this.exports, this.exports, require, this, filename, dirname(filename));
  };

  return {
    stats,
    /** Saves the bytecode of every recorded chunk, and of the chunks no command loaded as compiled alone. */
    write() {
      const written: string[] = [];
      for (const name of readdirSync(prefix)) {
        const filename = prefix + name;
        if (!isScript(name)) continue;
        const content = readFileSync(filename, "utf8");
        if (IMPORTS.test(content)) continue;
        const script = recorded.get(filename) ?? new Script(modules.wrap(content), { filename });
        writeFileSync(filename + SUFFIX, script.createCachedData());
        written.push(name);
      }
      return written;
    },
  };
}

function isScript(name: string): boolean {
  return name.endsWith(".js") || name.endsWith(".cjs");
}

/** The cache beside `filename`, unless there is none or it is older than the chunk. */
function readCache(filename: string): Buffer | undefined {
  let fd: number;
  try {
    fd = openSync(filename + SUFFIX, "r");
  } catch {
    return undefined;
  }
  try {
    const stat = fstatSync(fd);
    if (stat.mtimeMs < statSync(filename).mtimeMs) return undefined;
    const data = Buffer.allocUnsafe(stat.size);
    for (let read = 0; read < data.length; ) {
      const n = readSync(fd, data, read, data.length - read, null);
      if (n === 0) return undefined;
      read += n;
    }
    return data;
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}
