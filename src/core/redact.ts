// Text from the user shown back in a message — a path, a recipient, a URL — is sometimes a secret
// pasted in the wrong place (an age identity in SOPS_AGE_KEY_FILE, a PEM key or its base64 in
// --private-key, a token in a URL). Such text is named for what it is, never shown.

// the markers of age identities and PEM private keys, also base64-encoded (a Secret's data holds them so)
const KEY_MARKERS = /AGE-SECRET-KEY-|AGE-PLUGIN-|PRIVATE KEY|QUdFLVNFQ1JFVC1LRVkt|QUdFLVBMVUdJTi|LS0tLS1CRUdJTi|\n/i;

/** True when `text` holds what looks like an age identity or a private key (plain or base64). */
export function looksLikeKeyMaterial(text: string): boolean {
  return KEY_MARKERS.test(text);
}

/**
 * True when `text`, given as a path or name, is more likely data: key material, anything longer than
 * a file name can be, a JWT, or a long run of mixed-case base64 with no directory or extension in it
 * (a token, an encoded key; long file names are words, lower case or with a dot).
 */
export function looksLikeData(text: string): boolean {
  if (looksLikeKeyMaterial(text) || text.length > 255) return true;
  if (/^eyJ[A-Za-z0-9_-]{7,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]*$/.test(text)) return true;
  return /^[A-Za-z0-9+_=-]{40,}$/.test(text) && /[a-z]/.test(text) && /[A-Z]/.test(text) && /[0-9]/.test(text);
}

/** `text` as a message may show it: data replaced by a note, a URL without its credentials and query. */
export function shownInMessage(text: string, what = "a path"): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) return withoutUrlSecrets(text);
  if (looksLikeData(text)) return `(key material or data, not ${what}: not shown)`;
  return text;
}

/** URLs in `text` without their user, password, query and fragment. */
function withoutUrlSecrets(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)(?:[^\s/@'"]*@)?([^\s?#'"]*)(?:[?#][^\s'"]*)?/gi, "$1$2");
}

/** `text` (a stack trace, say) with every private key block, age identity and URL credential in it removed. */
export function withoutKeyMaterial(text: string): string {
  return withoutUrlSecrets(text)
    .replace(/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/g, "(private key, not shown)")
    .replace(/AGE-(?:SECRET-KEY|PLUGIN)-[0-9A-Z-]+/gi, "(age identity, not shown)")
    .replace(/(?:LS0tLS1CRUdJTi|QUdFLVNFQ1JFVC1LRVkt|QUdFLVBMVUdJTi)[A-Za-z0-9+/=]*/g, "(encoded key, not shown)");
}
