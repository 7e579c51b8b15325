/** A fenced ```ts or ```tsx block of a Markdown guide. */
export interface CodeBlock {
  /** The block's first line in the guide (1-based). */
  line: number
  code: string
}

/** The TypeScript blocks of a guide, in order (a block fenced ```ts skip-check is left out). */
export function codeBlocks(markdown: string): CodeBlock[] {
  const blocks: CodeBlock[] = []
  const lines = markdown.split('\n')
  for (let i = 0; i < lines.length; i++) {
    if (!/^```(ts|tsx)\s*$/.test(lines[i]!)) continue
    const start = i + 1
    while (i + 1 < lines.length && lines[++i] !== '```');
    blocks.push({ line: start + 1, code: lines.slice(start, i).join('\n') })
  }
  return blocks
}
