// Text from the user shown back in a message — a path, a recipient, a URL — is sometimes a secret
// pasted in the wrong place (an age identity in SOPS_AGE_KEY_FILE, a PEM key in --private-key, a
// token in a URL). Such text is named for what it is, never shown.
const KEY_MATERIAL = /AGE-SECRET-KEY-|AGE-PLUGIN-|PRIVATE KEY|\n/i;

/** True when `text` looks like key material rather than a name. */
export function looksLikeKeyMaterial(text: string): boolean {
  return KEY_MATERIAL.test(text);
}

/** `text` as a message may show it: key material replaced by a note, a URL without its credentials and query. */
export function shownInMessage(text: string, what = "a path"): string {
  if (looksLikeKeyMaterial(text)) return `(key material, not ${what}: not shown)`;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    try {
      const url = new URL(text);
      if (url.username || url.password || url.search) {
        url.username = "";
        url.password = "";
        url.search = "";
        return url.toString();
      }
    } catch {
      // not a URL after all: shown as it is
    }
  }
  return text;
}

/** `text` (a stack trace, say) with every private key block and age identity in it replaced. */
export function withoutKeyMaterial(text: string): string {
  return text
    .replace(/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/g, "(private key, not shown)")
    .replace(/AGE-(?:SECRET-KEY|PLUGIN)-[0-9A-Z-]+/gi, "(age identity, not shown)");
}
