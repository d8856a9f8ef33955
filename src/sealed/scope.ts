// Sealing scopes: which label a value is sealed under, and how the scope is written in annotations.
// As the controller (sealedsecret_expansion.go): cluster-wide wins over namespace-wide; only "true" counts.
import { SealboxError } from "../errors.js";

export type Scope = "strict" | "namespace-wide" | "cluster-wide";
export const SCOPES: readonly Scope[] = ["strict", "namespace-wide", "cluster-wide"];

export const NAMESPACE_WIDE_ANNOTATION = "sealedsecrets.bitnami.com/namespace-wide";
export const CLUSTER_WIDE_ANNOTATION = "sealedsecrets.bitnami.com/cluster-wide";

export function parseScope(value: string): Scope {
  if ((SCOPES as readonly string[]).includes(value)) return value as Scope;
  throw new SealboxError("ConflictingParameters", `unknown scope "${value}": must be one of ${SCOPES.join(", ")}`);
}

export function scopeFromAnnotations(annotations: Record<string, string> | undefined): Scope {
  if (annotations?.[CLUSTER_WIDE_ANNOTATION] === "true") return "cluster-wide";
  if (annotations?.[NAMESPACE_WIDE_ANNOTATION] === "true") return "namespace-wide";
  return "strict";
}

/** The annotations with the scope's own annotation set and the other removed; undefined when empty. */
export function withScopeAnnotations(annotations: Record<string, string> | undefined, scope: Scope): Record<string, string> | undefined {
  const out = { ...annotations };
  delete out[NAMESPACE_WIDE_ANNOTATION];
  delete out[CLUSTER_WIDE_ANNOTATION];
  if (scope === "namespace-wide") out[NAMESPACE_WIDE_ANNOTATION] = "true";
  if (scope === "cluster-wide") out[CLUSTER_WIDE_ANNOTATION] = "true";
  return Object.keys(out).length ? out : undefined;
}

/** The RSA-OAEP label: strict `namespace/name`, namespace-wide `namespace`, cluster-wide empty. */
export function scopeLabel(scope: Scope, namespace: string, name: string): Uint8Array {
  const text = scope === "cluster-wide" ? "" : scope === "namespace-wide" ? namespace : `${namespace}/${name}`;
  return new TextEncoder().encode(text);
}

const RANK: Record<Scope, number> = { strict: 0, "namespace-wide": 1, "cluster-wide": 2 };

/** A plain sentence saying what a scope change lets the values do, or undefined when it narrows. */
export function describeWidening(from: Scope, to: Scope, namespace: string, name: string): string | undefined {
  if (RANK[to] <= RANK[from]) return undefined;
  const where =
    to === "cluster-wide"
      ? "in ANY namespace under ANY name in the cluster"
      : `under ANY name in namespace "${namespace}"`;
  return `widening ${namespace}/${name} from ${from} to ${to}: its values will unseal ${where}, not only as ${from === "strict" ? `${namespace}/${name}` : `namespace "${namespace}"`}`;
}
