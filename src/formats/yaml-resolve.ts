// How go-yaml v3 resolves a plain scalar (resolve.go `resolve` with no tag): what sops reads a value as,
// and therefore whether sops's writer may leave a string unquoted (encode.go `stringv`). With `v2`, as
// go-yaml v2 (2.4) does, which kubeseal reads and writes manifests with (through sigs.k8s.io/yaml).

export type GoResolved =
  | { tag: "null"; value: null }
  | { tag: "bool"; value: boolean }
  | { tag: "int"; value: bigint }
  | { tag: "float"; value: number }
  | { tag: "timestamp" | "merge" | "str"; value: string };

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

// resolve.go resolveMap: looked up only when the first byte has a hint (sign, digit, ., or one of yYnNtTfFoO~).
const MAP: Record<string, GoResolved> = {
  true: { tag: "bool", value: true },
  True: { tag: "bool", value: true },
  TRUE: { tag: "bool", value: true },
  false: { tag: "bool", value: false },
  False: { tag: "bool", value: false },
  FALSE: { tag: "bool", value: false },
  "~": { tag: "null", value: null },
  null: { tag: "null", value: null },
  Null: { tag: "null", value: null },
  NULL: { tag: "null", value: null },
  ".nan": { tag: "float", value: NaN },
  ".NaN": { tag: "float", value: NaN },
  ".NAN": { tag: "float", value: NaN },
  ".inf": { tag: "float", value: Infinity },
  ".Inf": { tag: "float", value: Infinity },
  ".INF": { tag: "float", value: Infinity },
  "+.inf": { tag: "float", value: Infinity },
  "+.Inf": { tag: "float", value: Infinity },
  "+.INF": { tag: "float", value: Infinity },
  "-.inf": { tag: "float", value: -Infinity },
  "-.Inf": { tag: "float", value: -Infinity },
  "-.INF": { tag: "float", value: -Infinity },
};
// YAML 1.1's other booleans: resolveMap in v2, only quoted on the way out in v3
const OLD_BOOLS = new Map(
  ["y", "Y", "yes", "Yes", "YES", "on", "On", "ON", "n", "N", "no", "No", "NO", "off", "Off", "OFF"].map((word) => [word, /^(y|on)/i.test(word)]),
);
const HINTED = /^[-+0-9.yYnNtTfFoO~]/;
const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const DIGITS: Record<number, RegExp> = { 2: /^[01]+$/, 8: /^[0-7]+$/, 10: /^[0-9]+$/, 16: /^[0-9a-fA-F]+$/ };
const PREFIX: Record<string, number> = { "0x": 16, "0X": 16, "0o": 8, "0O": 8, "0b": 2, "0B": 2 };

/** strconv.ParseInt/ParseUint(s, base, 64) (base 0 reads 0x/0o/0b prefixes and a leading 0 as octal). */
function parseGoInt(s: string, base: number, signed: boolean): bigint | undefined {
  let sign = "";
  if (s[0] === "+" || s[0] === "-") {
    if (!signed) return undefined;
    sign = s[0];
    s = s.slice(1);
  }
  if (base === 0) {
    base = PREFIX[s.slice(0, 2)] ?? (s.length > 1 && s[0] === "0" ? 8 : 10);
    if (PREFIX[s.slice(0, 2)]) s = s.slice(2);
    else if (base === 8) s = s.slice(1);
  }
  if (!DIGITS[base].test(s)) return undefined;
  const prefix = base === 16 ? "0x" : base === 8 ? "0o" : base === 2 ? "0b" : "";
  const magnitude = BigInt(prefix + s);
  const value = sign === "-" ? -magnitude : magnitude;
  if (signed ? value < INT64_MIN || value > INT64_MAX : value > UINT64_MAX) return undefined;
  return value;
}

/** strconv.ParseInt(s, 0, 64), as Go's flag package reads an int flag: 010 is 8, 0x10 is 16, 1_000 is 1000. */
export function parseGoIntFlag(s: string): bigint | undefined {
  return underscoresOk(s) ? parseGoInt(s.replace(/_/g, ""), 0, true) : undefined;
}

/** strconv's underscoreOK: a _ only between digits, or between a base prefix and a digit. */
function underscoresOk(s: string): boolean {
  const body = /^[-+]/.test(s) ? s.slice(1) : s;
  const prefixed = /^0[bBoOxX]/.test(body);
  const hex = /^0[xX]/.test(body);
  // what came last: ^ the start, 0 a digit or the base prefix, _ an underscore, ! anything else
  let saw = prefixed ? "0" : "^";
  for (const c of prefixed ? body.slice(2) : body) {
    if (/[0-9]/.test(c) || (hex && /[a-fA-F]/.test(c))) saw = "0";
    else if (c === "_") {
      if (saw !== "0") return false;
      saw = "_";
    } else if (saw === "_") return false;
    else saw = "!";
  }
  return saw !== "_";
}

/** strconv.ParseFloat for the spellings that reach it here: finite results only (±Inf is ErrRange). */
function parseGoFloat(s: string): number | undefined {
  // ParseFloat itself takes Go's digit separators: only a scalar starting with "." reaches it with them
  if (s.includes("_")) s = underscoresOk(s) ? s.replace(/_/g, "") : "";
  if (!YAML_STYLE_FLOAT.test(s)) return undefined;
  const f = Number(s);
  return Number.isFinite(f) ? f : undefined;
}

const DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const TIMESTAMP =
  /^(\d{4})-(\d{1,2})-(\d{1,2})(?:(?:([Tt])|( ))(\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})?)?$/;

/** resolve.go parseTimestamp: time.Parse with its four layouts, including Go's range checks. */
export function isGoTimestamp(s: string): boolean {
  const m = TIMESTAMP.exec(s);
  if (!m) return false;
  const [, y, mo, d, t, space, h, mi, sec, , zone] = m;
  if (t && !zone) return false; // the "T" layouts require a zone, the " " layout takes none
  if (space && zone) return false;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day > (month === 2 && !leap ? 28 : DAYS[month - 1])) return false;
  if (h !== undefined && (Number(h) > 23 || Number(mi) > 59 || Number(sec) > 59)) return false;
  if (zone && zone !== "Z" && (Number(zone.slice(1, 3)) > 24 || Number(zone.slice(4)) > 60)) return false;
  return true;
}

/**
 * The time.Time go-yaml reads a timestamp as, written as sops writes it (MarshalText and go-yaml's
 * timev both use RFC 3339 with nanoseconds): zero-padded fields, fraction without trailing zeros,
 * UTC when no zone is given, "Z" for a zero offset. Undefined when `s` is not a timestamp.
 */
export function goTimestampText(s: string): string | undefined {
  if (!isGoTimestamp(s)) return undefined;
  const m = TIMESTAMP.exec(s)!;
  const [, y, mo, d, , , h = "0", mi = "0", sec = "0", digits = "", zone] = m;
  const two = (n: string): string => n.padStart(2, "0");
  // time.Parse keeps nine fractional digits at most; RFC3339Nano drops trailing zeros
  const fraction = digits.slice(0, 9).replace(/0+$/, "");
  const offset = !zone || zone === "Z" || /^[+-]00:00$/.test(zone) ? "Z" : zone;
  return `${y}-${two(mo)}-${two(d)}T${two(h)}:${two(mi)}:${two(sec)}${fraction ? "." + fraction : ""}${offset}`;
}

const BINARY_PREFIXES = [["0b", 2], ["-0b", 2]] as const;
const PREFIXES = [...BINARY_PREFIXES, ["0o", 8], ["-0o", 8]] as const;

/** go-yaml v3 resolve("", s) (v2's with `v2`): the tag and value a plain scalar is read as. */
export function goResolve(s: string, v2 = false): GoResolved {
  if (s === "") return { tag: "null", value: null };
  if (!HINTED.test(s)) return { tag: "str", value: s };
  // own entries only: "toString" is a string, not Object.prototype's method
  const mapped = (Object.hasOwn(MAP, s) ? MAP[s] : undefined) ?? (v2 && OLD_BOOLS.has(s) ? { tag: "bool", value: OLD_BOOLS.get(s)! } : undefined);
  if (mapped) return mapped;
  const c = s[0];
  if (c === ".") {
    const f = parseGoFloat(s);
    return f === undefined ? { tag: "str", value: s } : { tag: "float", value: f };
  }
  if (c === "+" || c === "-" || (c >= "0" && c <= "9")) {
    if (isGoTimestamp(s)) return { tag: "timestamp", value: s };
    const plain = s.replace(/_/g, "");
    const int = parseGoInt(plain, 0, true) ?? parseGoInt(plain, 0, false);
    if (int !== undefined) return { tag: "int", value: int };
    const f = parseGoFloat(plain);
    if (f !== undefined) return { tag: "float", value: f };
    // 0b/0o spellings ParseInt base 0 missed (only reachable with a sign before the prefix); v2 knows 0b only
    for (const [prefix, base] of v2 ? BINARY_PREFIXES : PREFIXES) {
      if (plain.startsWith(prefix)) {
        const v = parseGoInt((prefix[0] === "-" ? "-" : "") + plain.slice(prefix.length), base, true);
        if (v !== undefined) return { tag: "int", value: v };
      }
    }
  }
  return { tag: "str", value: s };
}

const BASE60_FLOAT = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/;

/** encode.go stringv: a string may be written plain only if it reads back as a string, in YAML 1.1 too (v3's old bools, both's base 60). */
export function canBePlainString(s: string, v2 = false): boolean {
  return goResolve(s, v2).tag === "str" && !OLD_BOOLS.has(s) && !(s.includes(":") && BASE60_FLOAT.test(s));
}
