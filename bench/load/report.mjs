// Markdown output for the load bench.

export function table(headers, rows) {
  const line = (cells) => `| ${cells.join(' | ')} |`;
  return [line(headers), line(headers.map(() => '---')), ...rows.map(line)].join('\n');
}

export const mb = (bytes) => (bytes / 1024 / 1024).toFixed(1);
export const fixed = (value, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');
export const count = (value) => value.toLocaleString('en-US');

/** `name: n` pairs, largest first. */
export function tallyText(tally) {
  const entries = [...tally.entries()].sort((a, b) => b[1] - a[1]);
  return entries.length === 0 ? '-' : entries.map(([name, n]) => `${name} ${count(n)}`).join(', ');
}

export function verdict(ok) {
  return ok ? 'yes' : '**NO**';
}
