// rotate's workers ask the main thread for passphrases over a real MessageChannel, as they do over a
// worker's port: one prompt per identity whoever asks, a failed prompt arrives as the same error, and a
// worker that dies mid-question takes nothing from the others.
import { setTimeout as delay } from "node:timers/promises";
import { MessageChannel, Worker } from "node:worker_threads";
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

  it("a worker that dies with its question open: the prompt stays for whoever else asks, and the dead worker's answer goes nowhere", async () => {
    const asked: string[] = [];
    let type!: (passphrase: string) => void;
    const ask = askOncePerSource((source) => {
      asked.push(source);
      return new Promise((resolve) => (type = resolve));
    });
    // a real worker thread, answered as threads.ts answers one: it asks, then crashes before the answer
    const worker = new Worker(
      `const { parentPort } = require("node:worker_threads");
      parentPort.postMessage({ ask: { id: 0, source: "a.age" } });
      parentPort.on("message", () => { throw new Error("crashed"); });`,
      { eval: true },
    );
    const posted: unknown[] = [];
    const toWorker = {
      postMessage(message: unknown): void {
        posted.push(message);
        worker.postMessage(message); // a throw here would fail the run as an unhandled rejection
      },
    };
    const exited = new Promise((resolve) => worker.on("exit", resolve));
    worker.on("error", () => {});
    worker.once("message", (message: PassphraseRequest) => {
      answerRequest(toWorker, message.ask, ask);
      worker.postMessage("crash now");
    });
    expect(await exited).toBe(1);
    // the prompt is still up: another thread needing the same identity is answered by it, not asked again
    const other = channel(ask);
    const otherAnswer = other.fromWorker("a.age");
    type("pa55word");
    expect(await otherAnswer).toBe("pa55word");
    expect(asked).toEqual(["a.age"]);
    // and the dead worker's answer is posted to a worker that is gone: dropped, no error
    expect(posted).toEqual([{ answer: { id: 0, passphrase: "pa55word" } }]);
    other.close();
  });
});
