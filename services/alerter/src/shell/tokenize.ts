/**
 * A small POSIX-shell word tokenizer, just enough to see which programs a command line runs and with which
 * arguments, so the danger detectors are not fooled by quoting, spacing or chaining.
 *
 * It splits a line into simple commands at `;`, `&&`, `||`, `|`, `&`, newlines, parentheses, backticks and
 * `$(`/`<(`/`>(` substitutions (the inner command of a substitution becomes a simple command of its own).
 * Quotes are removed the way the shell removes them: '…' is literal, "…" honours \" \\ \$ \`, and a
 * backslash outside quotes escapes the next character (so `\rm` is `rm`). Variables are not expanded:
 * `$HOME` stays the literal word `$HOME`, which is what the detectors want to see.
 *
 * It never throws: an unterminated quote ends at the end of the input.
 */

export interface Redirect {
  /** `>`, `>>`, `<`, `2>`, `&>` … */
  op: string;
  target: string;
}

export interface SimpleCommand {
  words: string[];
  redirects: Redirect[];
  /** True when the previous simple command piped its output into this one (`a | b`: b is piped). */
  piped: boolean;
  /** True when this command came from inside `$(…)`, `<(…)` or backticks. */
  substituted: boolean;
}

type Token = { kind: 'word'; value: string } | { kind: 'op'; value: string };

const REDIRECT_OPS = new Set(['>', '>>', '<', '<<', '<<<', '>|', '&>', '&>>', '2>', '2>>', '1>', '1>>', '>&', '2>&1']);

function lex(input: string): Token[] {
  const tokens: Token[] = [];
  let word = '';
  let inWord = false;
  let i = 0;
  const flush = () => {
    if (inWord) tokens.push({ kind: 'word', value: word });
    word = '';
    inWord = false;
  };
  while (i < input.length) {
    const c = input[i]!;
    if (c === '\\') {
      const next = input[i + 1];
      if (next === '\n') {
        i += 2;
        continue;
      }
      if (next !== undefined) {
        word += next;
        inWord = true;
      }
      i += 2;
      continue;
    }
    if (c === "'") {
      const end = input.indexOf("'", i + 1);
      const stop = end === -1 ? input.length : end;
      word += input.slice(i + 1, stop);
      inWord = true;
      i = stop + 1;
      continue;
    }
    if (c === '"') {
      inWord = true;
      i++;
      while (i < input.length && input[i] !== '"') {
        const d = input[i]!;
        if (d === '\\' && i + 1 < input.length && '"\\$`\n'.includes(input[i + 1]!)) {
          if (input[i + 1] !== '\n') word += input[i + 1];
          i += 2;
          continue;
        }
        // A substitution inside double quotes still runs a command: surface it as its own tokens.
        if ((d === '$' && input[i + 1] === '(') || d === '`') {
          flush();
          const close = d === '`' ? input.indexOf('`', i + 1) : matchParen(input, i + 1);
          const inner = input.slice(i + (d === '`' ? 1 : 2), close === -1 ? undefined : close);
          tokens.push({ kind: 'op', value: '$(' }, ...lex(inner), { kind: 'op', value: ')' });
          i = close === -1 ? input.length : close + 1;
          inWord = true;
          continue;
        }
        word += d;
        i++;
      }
      i++;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') {
      flush();
      i++;
      continue;
    }
    if (c === '#' && !inWord) {
      const nl = input.indexOf('\n', i);
      i = nl === -1 ? input.length : nl;
      continue;
    }
    if (c === '\n' || c === ';' || c === '(' || c === ')' || c === '`') {
      flush();
      tokens.push({ kind: 'op', value: c === '\n' ? ';' : c });
      i++;
      continue;
    }
    if ((c === '$' || c === '<' || c === '>') && input[i + 1] === '(') {
      flush();
      tokens.push({ kind: 'op', value: `${c}(` });
      i += 2;
      continue;
    }
    if (c === '&' || c === '|') {
      flush();
      const two = input.slice(i, i + 2);
      if (two === '&&' || two === '||') {
        tokens.push({ kind: 'op', value: two });
        i += 2;
        continue;
      }
      if (two === '&>') {
        const three = input.slice(i, i + 3);
        tokens.push({ kind: 'op', value: three === '&>>' ? '&>>' : '&>' });
        i += three === '&>>' ? 3 : 2;
        continue;
      }
      if (two === '|&') {
        tokens.push({ kind: 'op', value: '|' });
        i += 2;
        continue;
      }
      tokens.push({ kind: 'op', value: c });
      i++;
      continue;
    }
    if (c === '>' || c === '<') {
      // A file-descriptor number written right before the operator belongs to it (`2>`).
      let op = '';
      if (inWord && /^[0-9]$/.test(word)) {
        op = word;
        word = '';
        inWord = false;
      }
      flush();
      let j = i;
      while (
        j < input.length &&
        (input[j] === '>' || input[j] === '<' || input[j] === '|' || input[j] === '&') &&
        j - i < 3
      ) {
        if (input[j] === '&' && !/[0-9-]/.test(input[j + 1] ?? '')) break;
        op += input[j];
        j++;
      }
      if (op.endsWith('&') && /[0-9-]/.test(input[j] ?? '')) op += input[j++];
      tokens.push({ kind: 'op', value: op });
      i = j;
      continue;
    }
    word += c;
    inWord = true;
    i++;
  }
  flush();
  return tokens;
}

/** Index of the `)` closing the `(` at `open`, skipping quotes and nested parentheses; -1 when unbalanced. */
function matchParen(input: string, open: number): number {
  let depth = 0;
  for (let i = open; i < input.length; i++) {
    const c = input[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (c === "'") {
      const e = input.indexOf("'", i + 1);
      if (e === -1) return -1;
      i = e;
      continue;
    }
    if (c === '(') depth++;
    else if (c === ')') {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

/** Splits a command line into simple commands (see the header comment). */
export function splitCommands(input: string): SimpleCommand[] {
  const out: SimpleCommand[] = [];
  const stack: boolean[] = [];
  let current: SimpleCommand = { words: [], redirects: [], piped: false, substituted: false };
  let pendingRedirect: string | null = null;
  const finish = (nextPiped: boolean, nextSubstituted: boolean) => {
    if (current.words.length > 0 || current.redirects.length > 0) out.push(current);
    current = { words: [], redirects: [], piped: nextPiped, substituted: nextSubstituted };
  };
  for (const t of lex(input)) {
    if (t.kind === 'word') {
      if (pendingRedirect !== null) {
        current.redirects.push({ op: pendingRedirect, target: t.value });
        pendingRedirect = null;
      } else {
        current.words.push(t.value);
      }
      continue;
    }
    const op = t.value;
    if (REDIRECT_OPS.has(op) || /^[0-9]?[<>]{1,3}&?[0-9-]?$/.test(op)) {
      // `2>&1` style duplications take no target word.
      if (/&[0-9-]$/.test(op)) current.redirects.push({ op, target: '' });
      else pendingRedirect = op;
      continue;
    }
    pendingRedirect = null;
    const inSub = stack.length > 0;
    if (op === '|') finish(true, inSub);
    else if (op === '$(' || op === '<(' || op === '>(' || op === '(') {
      stack.push(op !== '(');
      finish(false, op !== '(' || inSub);
    } else if (op === '`') {
      // Backticks toggle: an opening one starts a substitution, the next closes it.
      if (stack.length > 0 && stack[stack.length - 1] === true && current.substituted) {
        stack.pop();
        finish(false, stack.length > 0);
      } else {
        stack.push(true);
        finish(false, true);
      }
    } else if (op === ')') {
      stack.pop();
      finish(false, stack.length > 0);
    } else finish(false, inSub);
  }
  finish(false, false);
  return out;
}
