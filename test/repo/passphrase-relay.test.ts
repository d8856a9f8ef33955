// rotate's workers ask the main thread for passphrases over a real MessageChannel, as they do over a
// worker's port: one prompt per identity whoever asks, and a failed prompt arrives as the same error.
import { setTimeout as delay } from "node:timers/promises";
import { MessageChannel } from "node:worker_threads";
import { describe, expect, it } from "vitest";
import { SealboxError } from "../../src/errors.js";
import { answerRequest, askOncePerSource, askOverPort, type AskPassphrase, type PassphraseRequest } from "../../src/repo/passphrase-relay.js";

function channel(ask: AskPassphrase) {
  const { port1: workerPort, port2: mainPort } = new MessageChannel();
  mainPort.on("message", (message: PassphraseRequest) => answerRequest(mainPort, message.ask, ask));
  return { fromWorker: askOverPort(workerPort), workerPort, close: () => mainPort.close() };
}

describe("passphrase relay", () => {
  it("answers a worker's questions with the main thread's prompt, asked once per identity", async () => {
    const asked: string[] = [];
    const ask = askOncePerSource(async (source) => {
      asked.push(source);
      await delay(20);
      return `pass-${source}`;
    });
    const { fromWorker, workerPort, close } = channel(ask);
    const answers = await Promise.all([fromWorker("a.age"), fromWorker("a.age"), ask("a.age"), fromWorker("id_rsa")]);
    expect(answers).toEqual(["pass-a.age", "pass-a.age", "pass-a.age", "pass-id_rsa"]);
    expect(asked.sort()).toEqual(["a.age", "id_rsa"]);
    // no question open: the port no longer listens, so it does not keep a worker alive
    expect(workerPort.listenerCount("message")).toBe(0);
    close();
  });

  it("a cancelled prompt reaches the worker as the same error, anything else as a key error", async () => {
    const interrupted = channel(async () => {
      throw new SealboxError("KeyboardInterrupt", "interrupted");
    });
    const error = await interrupted.fromWorker("a.age").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SealboxError);
    expect(error).toMatchObject({ code: "KeyboardInterrupt", message: "interrupted" });
    interrupted.close();
    const broken = channel(async () => {
      throw new Error("no terminal");
    });
    expect(await broken.fromWorker("a.age").catch((e: unknown) => e)).toMatchObject({ code: "CouldNotRetrieveKey", message: "no terminal" });
    broken.close();
  });
});
