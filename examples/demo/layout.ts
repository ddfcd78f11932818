// The frame every demo page shares: escaping, and one page layout with its style sheet.

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}

export function page(title: string, content: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)} · sessionup demo</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:16px/1.5 system-ui,sans-serif;max-width:72rem;margin:2rem auto;padding:0 1rem;color:#222}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.4rem .6rem;border-bottom:1px solid #ddd;vertical-align:top}
tr.current{background:#eef6ff}.msg{background:#fff8e1;border:1px solid #f0d98c;padding:.6rem 1rem;border-radius:6px}
form.inline{display:inline}button{cursor:pointer}.actions{display:flex;flex-wrap:wrap;gap:.5rem;margin-top:1rem}
th,td time,td button{white-space:nowrap}.note{color:#555;font-size:.9rem}.agent{display:block;color:#555;font-size:.85rem}
.tag{display:inline-block;background:#e6f4ea;color:#1e5631;border-radius:4px;padding:0 .3rem;font-size:.8rem}
caption{caption-side:bottom;text-align:left;color:#555;font-size:.9rem;padding-top:.6rem}
caption p{margin:.3rem 0}input{max-width:100%;box-sizing:border-box}h2{font-size:1.2rem;margin-top:2rem}
.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%);white-space:nowrap}
/* Phones: each session becomes a card of label/value lines (labels from data-label). */
@media (max-width:600px){body{margin:1rem auto}h1{font-size:1.6rem}
table{display:flex;flex-direction:column}caption{order:1}tbody,tr,td{display:block}thead{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%)}
tr{border:1px solid #ddd;border-radius:8px;margin-bottom:.8rem;padding:.4rem .8rem}
td{border:0;padding:.2rem 0;display:flex;flex-wrap:wrap;justify-content:space-between;gap:0 1rem;overflow-wrap:anywhere}
td[data-label]::before{content:attr(data-label);font-weight:600}td>*{margin-left:auto;text-align:right}
td.action{padding-top:.5rem}td.action>*{margin-left:0}}
</style></head><body><h1>${escapeHtml(title)}</h1>${content}</body></html>`
}
