// Paths into a document as sops writes them for --extract, set and unset: ["key"][0]["sub"].
import { Branch, type TreePath, type Value } from "../tree/tree.js";
import { SealboxError } from "../errors.js";

const SEGMENT = /\[\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'|(-?\d+))\s*\]/y;

export function parseTreePath(text: string): TreePath {
  const path: TreePath = [];
  SEGMENT.lastIndex = 0;
  let pos = 0;
  while (pos < text.length) {
    SEGMENT.lastIndex = pos;
    const m = SEGMENT.exec(text);
    if (!m) throw new SealboxError("InvalidTreePathFormat", `invalid tree path ${JSON.stringify(text)}: expected segments like ["key"] or [0]`);
    path.push(m[3] !== undefined ? Number(m[3]) : (m[1] ?? m[2]).replace(/\\(.)/g, "$1"));
    pos = SEGMENT.lastIndex;
  }
  if (path.length === 0) throw new SealboxError("InvalidTreePathFormat", "the tree path is empty");
  return path;
}

function describe(path: TreePath, upTo: number): string {
  return path
    .slice(0, upTo + 1)
    .map((p) => (typeof p === "number" ? `[${p}]` : `[${JSON.stringify(p)}]`))
    .join("");
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

/** Sets a value, creating maps (for keys) and lists (for indexes) on the way, as sops set does. */
export function setAtPath(root: Branch, path: TreePath, value: Value): void {
  let current: Value = root;
  path.forEach((segment, i) => {
    const last = i === path.length - 1;
    const next = path[i + 1];
    const fresh = (): Value => (typeof next === "number" ? [] : new Branch());
    if (typeof segment === "string") {
      if (!(current instanceof Branch)) throw new SealboxError("InvalidTreePathFormat", `${describe(path, i - 1)} is not a mapping`);
      if (last) current.set(segment, value);
      else {
        if (!current.has(segment) || current.get(segment) === null) current.set(segment, fresh());
        current = current.get(segment)!;
      }
    } else {
      if (!Array.isArray(current)) throw new SealboxError("InvalidTreePathFormat", `${describe(path, i - 1)} is not a list`);
      const index = segment >= current.length ? current.length : segment;
      if (last) current[index] = value;
      else {
        if (index === current.length) current.push(fresh());
        current = current[index];
      }
    }
  });
}

export function unsetAtPath(root: Branch, path: TreePath): void {
  const parent = path.length > 1 ? getAtPath(root, path.slice(0, -1)) : root;
  const last = path[path.length - 1];
  if (typeof last === "string" && parent instanceof Branch && parent.delete(last)) return;
  if (typeof last === "number" && Array.isArray(parent) && last >= 0 && last < parent.length) {
    parent.splice(last, 1);
    return;
  }
  throw new SealboxError("InvalidTreePathFormat", `${describe(path, path.length - 1)} not found in the document`);
}
