/** The streams a hidden prompt uses (the process's own by default). */
export interface PromptStreams {
  input: NodeJS.ReadStream;
  output: NodeJS.WriteStream;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: terminal escape sequences start with ESC
const ESCAPE_SEQUENCE = /\u001b\[[0-9;?]*[ -/]*[@-~]|\u001b[@-_]/g;

/**
 * Asks for a secret on the terminal without echoing it: `question` goes to the
 * output (stderr, so stdout stays clean), keys are read in raw mode until Enter.
 * Backspace deletes, arrow keys and other escape sequences are ignored, Ctrl-D on
 * an empty line answers '', Ctrl-C cancels (resolves null). Only for an
 * interactive terminal (input.isTTY).
 */
export function promptHidden(question: string, streams: PromptStreams = defaultStreams()): Promise<string | null> {
  const { input, output } = streams;
  return new Promise((resolve) => {
    let value = '';
    const finish = (cancelled = false) => {
      input.off('data', onData);
      input.setRawMode(false);
      input.pause();
      output.write('\n');
      resolve(cancelled ? null : value);
    };
    const onData = (chunk: Buffer | string) => {
      for (const ch of String(chunk).replace(ESCAPE_SEQUENCE, '')) {
        if (ch === '\r' || ch === '\n') return finish();
        if (ch === '\u0003') return finish(true);
        if (ch === '\u0004') {
          if (value === '') return finish();
          continue;
        }
        if (ch === '\u007f' || ch === '\b') {
          value = [...value].slice(0, -1).join('');
          continue;
        }
        if (ch < ' ') continue;
        value += ch;
      }
    };
    output.write(question);
    input.setRawMode(true);
    input.setEncoding('utf8');
    input.on('data', onData);
    input.resume();
  });
}

function defaultStreams(): PromptStreams {
  return { input: process.stdin, output: process.stderr };
}

/** Everything on standard input, as text (for `--code-stdin`). */
export async function readAll(input: NodeJS.ReadableStream = process.stdin): Promise<string> {
  let text = '';
  input.setEncoding('utf8');
  for await (const chunk of input) text += chunk;
  return text;
}
