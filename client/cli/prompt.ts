import { createInterface, type Interface } from 'node:readline/promises';

// Asks for what `incident open` is missing, only when a person is at a terminal. A script without a
// terminal gets a usage error at once instead of hanging on a prompt nobody will answer.

export interface Prompter {
  ask(question: string, opts: { required: boolean; default?: string }): Promise<string>;
  choose<T extends string>(question: string, choices: readonly T[]): Promise<T>;
  close(): void;
}

export function terminalPrompter(
  input: NodeJS.ReadStream = process.stdin,
  output: NodeJS.WriteStream = process.stdout,
): Prompter | undefined {
  if (!input.isTTY || !output.isTTY) return undefined;
  let rl: Interface | undefined;
  const line = () => (rl ??= createInterface({ input, output }));
  const prompter: Prompter = {
    async ask(question, { required, default: fallback }) {
      for (;;) {
        const answer = (await line().question(`${question}${fallback ? ` [${fallback}]` : ''}: `)).trim();
        if (answer) return answer;
        if (fallback !== undefined) return fallback;
        if (!required) return '';
        output.write('  This is required.\n');
      }
    },
    async choose(question, choices) {
      for (;;) {
        const answer = (await line().question(`${question} (${choices.join('/')}): `)).trim();
        const match = choices.find((c) => c.toLowerCase() === answer.toLowerCase());
        if (match) return match;
        output.write(`  Choose one of: ${choices.join(', ')}\n`);
      }
    },
    close: () => rl?.close(),
  };
  return prompter;
}
