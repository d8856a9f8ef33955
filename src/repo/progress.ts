// A one-line progress bar on stderr, drawn only when stderr is a terminal and --quiet is not given:
// pipes and CI logs get the closing summary and nothing else.
export interface Progress {
  tick(label?: string): void;
  done(): void;
}

const SILENT: Progress = { tick() {}, done() {} };
const WIDTH = 24;

// The bar on screen, if any, and how many prompts are up: a prompt must not be drawn over.
let shown: { clear(): void; redraw(): void } | undefined;
let prompts = 0;

/** Runs `prompt` with the progress bar cleared, and held until the prompt is answered. */
export async function withProgressHidden<T>(prompt: () => Promise<T>): Promise<T> {
  if (prompts++ === 0) shown?.clear();
  try {
    return await prompt();
  } finally {
    if (--prompts === 0) shown?.redraw();
  }
}

export function progressBar(total: number, options: { quiet?: boolean; stream?: NodeJS.WriteStream; verb?: string } = {}): Progress {
  const stream = options.stream ?? process.stderr;
  if (options.quiet || !stream.isTTY || total === 0) return SILENT;
  let count = 0;
  let lastDraw = 0;
  let lastLabel = "";
  const clear = (): void => void stream.write("\r\x1b[2K");
  const draw = (label = lastLabel): void => {
    lastLabel = label;
    if (prompts > 0) return;
    const filled = Math.round((count / total) * WIDTH);
    const columns = stream.columns || 80;
    const head = `${options.verb ?? "working"} [${"#".repeat(filled)}${".".repeat(WIDTH - filled)}] ${count}/${total} `;
    const room = Math.max(0, columns - head.length - 1);
    const tail = label.length > room ? "…" + label.slice(label.length - room + 1) : label;
    stream.write(`\r\x1b[2K${head}${tail}`);
  };
  shown = { clear, redraw: () => draw() };
  return {
    tick(label) {
      count++;
      const now = Date.now();
      // Redraw at most every 50 ms: hundreds of files must not flood a slow terminal.
      if (count === total || now - lastDraw >= 50) {
        lastDraw = now;
        draw(label);
      }
    },
    done() {
      shown = undefined;
      if (prompts === 0) clear();
    },
  };
}
