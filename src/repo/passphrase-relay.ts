// rotate's worker threads cannot prompt: the terminal belongs to the main thread. A worker that needs
// a locked identity's passphrase asks the main thread over its port; the main thread asks once per
// identity, whichever thread needs it first, and gives every thread the same answer (or error).
import type { MessagePort } from "node:worker_threads";
import { SealboxError, type ExitCodeName } from "../errors.js";

/** A worker's question: the passphrase of the identity read from `source`. */
export interface PassphraseRequest {
  ask: { id: number; source: string };
}

/** The main thread's answer to question `id`: the passphrase, or why there is none (a cancelled prompt, no terminal). */
export interface PassphraseAnswer {
  answer: { id: number; passphrase?: string; error?: { code: ExitCodeName; message: string } };
}

export type AskPassphrase = (source: string) => Promise<string>;

/**
 * The worker's side: asks over `port` and waits for the answer. The port listens (and so keeps the
 * thread alive) only while a question is open.
 */
export function askOverPort(port: MessagePort): AskPassphrase {
  const open = new Map<number, { resolve: (passphrase: string) => void; reject: (error: Error) => void }>();
  let nextId = 0;
  const onMessage = (message: unknown): void => {
    const answer = (message as Partial<PassphraseAnswer>).answer;
    const waiting = answer && open.get(answer.id);
    if (!answer || !waiting) return;
    open.delete(answer.id);
    if (open.size === 0) port.off("message", onMessage);
    if (answer.error) waiting.reject(new SealboxError(answer.error.code, answer.error.message));
    else waiting.resolve(answer.passphrase ?? "");
  };
  return (source) =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      if (open.size === 0) port.on("message", onMessage);
      open.set(id, { resolve, reject });
      port.postMessage({ ask: { id, source } } satisfies PassphraseRequest);
    });
}

/** `ask` at most once per identity source, however many threads and files need it. */
export function askOncePerSource(ask: AskPassphrase): AskPassphrase {
  const asked = new Map<string, Promise<string>>();
  return (source) => {
    let answer = asked.get(source);
    if (!answer) asked.set(source, (answer = ask(source)));
    return answer;
  };
}

/** The main thread's side: answers a worker's question with `ask`. */
export function answerRequest(port: { postMessage(message: unknown): void }, request: PassphraseRequest["ask"], ask: AskPassphrase): void {
  ask(request.source).then(
    (passphrase) => port.postMessage({ answer: { id: request.id, passphrase } } satisfies PassphraseAnswer),
    (error: unknown) => {
      const code: ExitCodeName = error instanceof SealboxError ? error.code : "CouldNotRetrieveKey";
      const message = error instanceof Error ? error.message : String(error);
      port.postMessage({ answer: { id: request.id, error: { code, message } } } satisfies PassphraseAnswer);
    },
  );
}
