// Kubernetes objects as parsed values, before they are read as Secrets or SealedSecrets. Imports
// nothing, so the repository classifier can look into manifests without loading their codec.

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * The items of a `v1 List`, as `kubectl get … -o yaml` writes several objects (`kinds` may add the
 * API's typed lists, e.g. SecretList); undefined for anything else, a List without items included.
 */
export function listItems(value: unknown, kinds: readonly string[] = ["List"]): unknown[] | undefined {
  return isRecord(value) && kinds.includes(value.kind as string) && Array.isArray(value.items) ? value.items : undefined;
}
