/** A fenced ```ts or ```tsx block of a Markdown guide. */
export interface CodeBlock {
  /** The block's first line in the guide (1-based). */
  line: number
  code: string
  /** Fenced ```ts browser: compiled with the others, but it needs a browser (a page, a worker) to run. */
  browserOnly: boolean
}

/**
 * The TypeScript blocks of a guide, in order. A block fenced ```ts skip-check is left out (a
 * fragment); one fenced ```ts browser is in, marked `browserOnly`.
 */
export function codeBlocks(markdown: string): CodeBlock[] {
  const blocks: CodeBlock[] = []
  const lines = markdown.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const fence = /^```(ts|tsx)( browser)?\s*$/.exec(lines[i]!)
    if (fence === null) continue
    const start = i + 1
    while (i + 1 < lines.length && lines[++i] !== '```');
    blocks.push({ line: start + 1, code: lines.slice(start, i).join('\n'), browserOnly: fence[2] !== undefined })
  }
  return blocks
}
