// The C2SP CCTV age vectors shipped by the npm package cctv-age, parsed once for every test that
// uses them: the header lines (expect, payload, identity, passphrase, armored, compressed) and the body.
import { inflateSync } from "node:zlib";
import * as vectors from "cctv-age";

export type Expect = "success" | "no match" | "HMAC failure" | "header failure" | "payload failure" | "armor failure";

export interface Vector {
  name: string;
  expect: Expect;
  payload: string;
  identities: string[];
  passphrases: string[];
  armored: boolean;
  body: Uint8Array;
}

function parseVector(name: string, bytes: Uint8Array): Vector {
  const split = Buffer.from(bytes).indexOf("\n\n");
  const header = Buffer.from(bytes.subarray(0, split)).toString("utf8");
  const meta = header.split("\n").map((line) => [line.slice(0, line.indexOf(": ")), line.slice(line.indexOf(": ") + 2)] as const);
  const get = (key: string): string[] => meta.filter(([k]) => k === key).map(([, v]) => v);
  let body = bytes.subarray(split + 2);
  if (get("compressed")[0] === "zlib") body = new Uint8Array(inflateSync(body));
  return {
    name,
    expect: get("expect")[0] as Expect,
    payload: get("payload")[0] ?? "",
    identities: get("identity"),
    passphrases: get("passphrase"),
    armored: get("armored")[0] === "yes",
    body,
  };
}

/** Every vector in the package. */
export const CCTV_VECTORS: Vector[] = Object.entries(vectors as unknown as Record<string, Uint8Array>)
  .filter(([name, v]) => name !== "default" && v instanceof Uint8Array)
  .map(([name, v]) => parseVector(name, v));
