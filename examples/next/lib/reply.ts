// Route handlers answer JSON to `fetch` callers and a 303 back to the page to HTML forms, so the
// example works without any client-side JavaScript.

/** A request body's fields, from an HTML form or a JSON object. */
export interface Input {
  form: boolean
  get(name: string): string
}

/** Reads the request's fields; a body that is neither a form nor JSON has none. */
export async function readInput(req: Request): Promise<Input> {
  const type = req.headers.get('content-type') ?? ''
  if (type.startsWith('application/x-www-form-urlencoded') || type.startsWith('multipart/')) {
    const data = await req.formData()
    return { form: true, get: (name) => String(data.get(name) ?? '') }
  }
  const json = type.startsWith('application/json')
  const data: unknown = json ? await req.json().catch(() => ({})) : {}
  const fields = typeof data === 'object' && data !== null ? (data as Record<string, unknown>) : {}
  return { form: false, get: (name) => (typeof fields[name] === 'string' ? fields[name] : '') }
}

/** JSON with `status`, or for a form, a 303 to `location` (the page shows the outcome). */
export function reply(input: Input, status: number, body: unknown, location = '/'): Response {
  if (input.form) return new Response(null, { status: 303, headers: { location } })
  return Response.json(body, { status })
}
