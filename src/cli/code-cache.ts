// A V8 code cache for the CLI bundle. Node 20 has no compile cache of its own
// (module.enableCompileCache is Node 22), so every start compiled each chunk again and then each
// function as it first ran. `npm run build` runs the usual commands once (scripts/code-cache.mjs) and
// keeps each chunk's bytecode beside it as `<chunk>.cache`; bin/sealbox.js offers it to V8 with the
// chunk's source (one-file decrypt ~15 ms faster, docs/performance.md).
//
// Nothing is written at run time, so a cache is exactly as trusted as the chunk beside it. It is used
// only by the Node (version and architecture) that made it, as `code-cache.json` records. V8 refuses
// a cache made under other V8 flags, and one for a source of another length; what V8 does not check
// is the source itself. A cache newer than its chunk was made after it (the build writes caches last);
// any other is offered only if the chunk's CRC-32 is still the one recorded: a chunk edited by hand is
// newer than its cache, and npm unpacks a package's files in no particular order.
import { closeSync, fstatSync, openSync, readdirSync, readFileSync, readSync, statSync, writeFileSync } from "node:fs";
import Module, { createRequire } from "node:module";
import { sep } from "node:path";
import { Script } from "node:vm";

const SUFFIX = ".cache";
const MANIFEST = "code-cache.json";
// A script compiled here cannot import() in Node 20 without a flag or an experimental warning: one
// that does is left to Node. The bundle has one, import-esm.js, through which the others import ES modules.
const IMPORTS = /\bimport\s*\(/;

/** How the chunks of one process fared, for the tests. */
export interface CodeCacheStats {
  /** Chunks compiled with their cache. */
  accepted: number;
  /** Chunks whose cache V8 refused (other V8 flags, a damaged cache). */
  rejected: number;
  /** Chunks with no usable cache (none made, or not provably made from this source). */
  missing: number;
}

/** What the build recorded: the Node that made the caches, and each chunk's CRC-32. */
interface Manifest {
  node: string;
  arch: string;
  crc32: Record<string, number>;
}

type CompileFunction = (this: Module, content: string, filename: string, ...rest: unknown[]) => unknown;
type ResolveFunction = (request: string, parent: Module | undefined, ...rest: unknown[]) => string;
interface ModuleInternals {
  prototype: { _compile: CompileFunction };
  wrap(content: string): string;
  _resolveFilename: ResolveFunction;
}

const modules = Module as unknown as ModuleInternals;
// The chunk is compiled inside Node's module wrapper: its first line's columns in stack traces are
// shifted back by the wrapper's opening.
const WRAPPER_COLUMNS = modules.wrap("\0").indexOf("\0");

/**
 * Compiles the CommonJS files directly in `bundleDir` with their caches from now on, if this Node
 * made them, and gives their requires of each other the file beside them (resolveChunksDirectly,
 * caches or not). With `record`, each compiled script is kept for `write`, which saves the caches
 * once the commands have run.
 */
export function useCodeCache(bundleDir: string, options: { record?: boolean } = {}): { stats: CodeCacheStats; write(): string[] } {
  const dir = bundleDir.endsWith(sep) ? bundleDir : bundleDir + sep;
  const stats: CodeCacheStats = { accepted: 0, rejected: 0, missing: 0 };
  const recorded = new Map<string, Script>();
  resolveChunksDirectly(dir);
  const manifest = options.record ? undefined : readManifest(dir);
  if (options.record || manifest) {
    const original = modules.prototype._compile;
    modules.prototype._compile = function (this: Module, content: string, filename: string, ...rest: unknown[]) {
      if (!filename.startsWith(dir) || filename.includes(sep, dir.length) || !isScript(filename) || IMPORTS.test(content)) {
        return original.call(this, content, filename, ...rest);
      }
      const cachedData = manifest && readCache(filename, content, manifest.crc32[filename.slice(dir.length)]);
      const script = compile(content, filename, cachedData);
      if (!cachedData) stats.missing++;
      else if (script.cachedDataRejected) stats.rejected++;
      else stats.accepted++;
      if (options.record) recorded.set(filename, script);
      const load = script.runInThisContext({ displayErrors: true }) as (...args: unknown[]) => unknown;
      return load.call(this.exports, this.exports, createRequire(filename), this, filename, dir.slice(0, -1));
    };
  }

  return {
    stats,
    /** Saves the bytecode of every recorded chunk, and of the chunks no command loaded as compiled alone. */
    write() {
      const written: string[] = [];
      const crc32: Record<string, number> = {};
      for (const name of readdirSync(dir)) {
        const filename = dir + name;
        if (!isScript(name)) continue;
        const content = readFileSync(filename, "utf8");
        if (IMPORTS.test(content)) continue;
        const script = recorded.get(filename) ?? compile(content, filename);
        writeFileSync(filename + SUFFIX, script.createCachedData());
        crc32[name] = checksum(content);
        written.push(name);
      }
      writeFileSync(dir + MANIFEST, JSON.stringify({ node: process.version, arch: process.arch, crc32 } satisfies Manifest) + "\n");
      return written;
    },
  };
}

// A chunk's require of another ("./chunk-X.js", "./yaml.cjs") names a file beside it: Node's lookup
// (stat, realpath, extensions) took ~0.1 ms for each of the ~40 a one-file decrypt loads.
const SIBLING = /^\.\/[\w.-]+\.c?js$/;

function resolveChunksDirectly(dir: string): void {
  const original = modules._resolveFilename;
  modules._resolveFilename = function (request, parent, ...rest) {
    const from = parent?.filename;
    if (from?.startsWith(dir) && !from.includes(sep, dir.length) && SIBLING.test(request)) return dir + request.slice(2);
    return original.call(this, request, parent, ...rest);
  };
}

function compile(content: string, filename: string, cachedData?: Buffer): Script {
  return new Script(modules.wrap(content), { filename, cachedData, columnOffset: -WRAPPER_COLUMNS });
}

function isScript(name: string): boolean {
  return name.endsWith(".js") || name.endsWith(".cjs");
}

/** The manifest, if this Node made the caches it describes. */
function readManifest(dir: string): Manifest | undefined {
  try {
    const manifest = JSON.parse(readFileSync(dir + MANIFEST, "utf8")) as Manifest;
    return manifest.node === process.version && manifest.arch === process.arch && typeof manifest.crc32 === "object" ? manifest : undefined;
  } catch {
    return undefined;
  }
}

/** zlib.crc32 (Node 20.15), loaded only when needed (~3 ms): at run time, for a cache not newer than its chunk. */
function checksum(content: string): number {
  return process.getBuiltinModule("node:zlib").crc32(content);
}

/** The cache beside `filename`, if it was made from `content` as far as can be told (see the top). */
function readCache(filename: string, content: string, crc32: number | undefined): Buffer | undefined {
  let fd: number;
  try {
    fd = openSync(filename + SUFFIX, "r");
  } catch {
    return undefined;
  }
  try {
    const stat = fstatSync(fd);
    const chunkTime = statSync(filename).mtimeMs;
    if (stat.mtimeMs <= chunkTime && checksum(content) !== crc32) return undefined;
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
