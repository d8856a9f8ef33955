// Asks for a passphrase on the terminal itself (/dev/tty), never echoing it, so it works even when
// stdin and stdout carry data. Used only when a locked identity is the way to a data key.
import { SealboxError } from "../errors.js";
import { withProgressHidden } from "../repo/progress.js";

let prompting: Promise<unknown> = Promise.resolve();

/**
 * One prompt at a time (files in flight may need different locked identities), with any progress
 * bar cleared until it is answered.
 */
export function promptPassphrase(source: string): Promise<string> {
  const answer = prompting.then(() => withProgressHidden(() => askTerminal(source)));
  prompting = answer.catch(() => {});
  return answer;
}

async function askTerminal(source: string): Promise<string> {
  const { openSync } = await import("node:fs");
  const tty = await import("node:tty");
  let fd: number;
  try {
    fd = openSync("/dev/tty", "r+");
  } catch {
    throw new SealboxError("CouldNotRetrieveKey", `${source} is passphrase-protected and there is no terminal to ask for its passphrase`);
  }
  const input = new tty.ReadStream(fd);
  const output = new tty.WriteStream(fd);
  output.write(`Enter passphrase for ${source}: `);
  input.setRawMode(true);
  return new Promise((resolve, reject) => {
    let typed = "";
    const finish = (error?: SealboxError): void => {
      input.setRawMode(false);
      input.pause();
      input.removeAllListeners("data");
      output.write("\n");
      input.destroy();
      if (error) reject(error);
      else resolve(typed);
    };
    input.on("data", (chunk: Buffer) => {
      for (const char of chunk.toString("utf8")) {
        if (char === "\r" || char === "\n") return finish();
        if (char === "\u0003") {
          // Ctrl-C in raw mode is a character: hand it back as the signal it would have been, so it
          // stops the command (exit 130, private temp files removed) as Ctrl-C does anywhere else
          finish(new SealboxError("KeyboardInterrupt", "interrupted"));
          process.kill(process.pid, "SIGINT");
          return;
        }
        if (char === "\u007f" || char === "\b") typed = typed.slice(0, -1);
        else typed += char;
      }
    });
  });
}
