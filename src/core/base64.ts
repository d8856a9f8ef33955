// Strict standard base64, as Go's StdEncoding reads it: sops, kubeseal and the KMS stanza's `enc`
// are written by Go, and Node's own decoder skips anything it does not understand.

const STD_BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Whether `text` is padded standard base64 ("" included). */
export function isStdBase64(text: string): boolean {
  return text.length % 4 === 0 && STD_BASE64.test(text);
}

/** The bytes of padded standard base64; undefined when `text` is not. */
export function decodeStdBase64(text: string): Buffer | undefined {
  return isStdBase64(text) ? Buffer.from(text, "base64") : undefined;
}
