// Paths into a document as sops writes them for --extract, set and unset: ["key"][0]["sub"].
import { Branch, type TreePath, type Value } from "../tree/tree.js";
import { SealboxError, type ExitCodeName } from "../errors.js";

const SEGMENT = /\[\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'|(-?\d+))\s*\]/y;

/** `code` is the exit status of a path that does not parse: sops's is 91 for --extract, 7 for set and unset. */
export function parseTreePath(text: string, code: ExitCodeName = "InvalidTreePathFormat"): TreePath {
  const path: TreePath = [];
  SEGMENT.lastIndex = 0;
  let pos = 0;
  while (pos < text.length) {
    SEGMENT.lastIndex = pos;
    const m = SEGMENT.exec(text);
    if (!m) throw new SealboxError(code, `invalid tree path ${JSON.stringify(text)}: expected segments like ["key"] or [0]`);
    path.push(m[3] !== undefined ? Number(m[3]) : (m[1] ?? m[2]).replace(/\\(.)/g, "$1"));
    pos = SEGMENT.lastIndex;
  }
  if (path.length === 0) throw new SealboxError(code, "the tree path is empty");
  return path;
}

const step = (segment: string | number): string => (typeof segment === "number" ? `[${segment}]` : `[${JSON.stringify(segment)}]`);

function describe(path: TreePath, upTo: number): string {
  return path.slice(0, upTo + 1).map(step).join("");
}

export function getAtPath(root: Branch, path: TreePath): Value {
  let current: Value = root;
  path.forEach((segment, i) => {
    if (typeof segment === "string" && current instanceof Branch && current.has(segment)) current = current.get(segment)!;
    else if (typeof segment === "number" && Array.isArray(current) && segment >= 0 && segment < current.length) current = current[segment];
    else throw new SealboxError("InvalidTreePathFormat", `${describe(path, i)} not found in the document`);
  });
  return current;
}

/** A key or a negative index into a list: sops's set and unset crash there (a failed type assertion, an index out of range). */
function notIntoList(path: TreePath, i: number): SealboxError {
  return new SealboxError("InvalidTreePathFormat", `${describe(path, i - 1)} is a list: ${step(path[i]!)} cannot index it`);
}

/** What sops's valueFromPathAndLeaf builds for the rest of a path: a one-item map for a key, a one-item list for an index. */
function built(path: TreePath, value: Value): Value {
  if (path.length === 0) return value;
  const inner = built(path.slice(1), value);
  return typeof path[0] === "number" ? [inner] : new Branch([{ key: path[0]!, value: inner }]);
}

/**
 * Sets a value as sops's TreeBranch.Set does. A missing key is added; an index past a list's end
 * appends (whatever the index); a scalar or null on the way is replaced by what the rest of the path
 * builds; an index on a mapping changes nothing. sops crashes on a key into a list or a negative
 * index: those are refused.
 */
export function setAtPath(root: Branch, path: TreePath, value: Value): void {
  const setIn = (node: Value, i: number): Value => {
    const segment = path[i]!;
    const last = i === path.length - 1;
    if (node instanceof Branch) {
      if (typeof segment !== "string") return node; // sops: the built list is not a map, so nothing is added
      const item = node.items.find((it) => it.key === segment);
      if (!item) node.items.push({ key: segment, value: built(path.slice(i + 1), value) });
      else item.value = last ? value : setIn(item.value, i + 1);
      return node;
    }
    if (Array.isArray(node)) {
      if (typeof segment !== "number" || segment < 0) throw notIntoList(path, i);
      if (segment >= node.length) node.push(built(path.slice(i + 1), value));
      else node[segment] = last ? value : setIn(node[segment]!, i + 1);
      return node;
    }
    return built(path.slice(i), value);
  };
  setIn(root, 0);
}

/**
 * Removes the value at `path` as sops's TreeBranch.Unset does. A key or index that is not there is
 * sops's SopsKeyNotFound (exit 1), which --idempotent forgives (`missingIsFine`: then false, nothing
 * removed); a scalar or null on the way is an error it does not forgive. As in set, a key or
 * negative index into a list is refused (sops crashes).
 */
export function unsetAtPath(root: Branch, path: TreePath, missingIsFine = false): boolean {
  const missing = (i: number): boolean => {
    if (missingIsFine) return false;
    throw new SealboxError("Generic", `${describe(path, i)} not found in the document`);
  };
  let node: Value = root;
  for (let i = 0; i < path.length; i++) {
    const segment = path[i]!;
    const last = i === path.length - 1;
    if (node instanceof Branch) {
      if (typeof segment !== "string" || !node.has(segment)) return missing(i);
      if (last) node.delete(segment);
      else node = node.get(segment)!;
    } else if (Array.isArray(node)) {
      if (typeof segment !== "number" || segment < 0) throw notIntoList(path, i);
      if (segment >= node.length) return missing(i);
      if (last) node.splice(segment, 1);
      else node = node[segment]!;
    } else {
      throw new SealboxError("Generic", `${describe(path, i - 1)} is neither a mapping nor a list: there is no ${step(segment)} in it to unset`);
    }
  }
  return true;
}
