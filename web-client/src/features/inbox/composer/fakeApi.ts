// Test-only: a fake server behind globalThis.fetch for component tests (relative "/api/v1/…"
// Requests work through the patch in src/test/setup.ts).
import { vi } from "vitest";

export type Call = { method: string; path: string; body: unknown; form?: FormData };
type Reply = { status?: number; body?: unknown } | undefined;
/** Routes as "METHOD /path" (path without /api/v1 and without the query) to a reply. */
export type Routes = Record<string, (call: Call) => Reply | Promise<Reply>>;

export function problem(status: number, detail: string, extra: Record<string, unknown> = {}) {
  return { status, body: { type: "about:blank", title: "Problem", status, detail, ...extra } };
}

export function fakeApi(routes: Routes) {
  const calls: Call[] = [];
  const spy = vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    const req = input instanceof Request ? input : new Request(String(input), init);
    const url = new URL(req.url);
    const path = url.pathname.replace(/^\/api\/v1/, "");
    const method = req.method.toUpperCase();
    let body: unknown = undefined;
    let form: FormData | undefined;
    if (init?.body instanceof FormData) form = init.body;
    else {
      const text = await req.text();
      body = text ? JSON.parse(text) : undefined;
    }
    const call = { method, path, body, form };
    calls.push(call);
    const handler = routes[`${method} ${path}`];
    const reply = handler ? await handler(call) : { status: 404, body: problem(404, `no fake for ${method} ${path}`).body };
    const status = reply?.status ?? 200;
    const isProblem = status >= 400;
    return new Response(status === 204 ? null : JSON.stringify(reply?.body ?? {}), {
      status,
      headers: { "content-type": isProblem ? "application/problem+json" : "application/json" },
    });
  });
  return {
    calls,
    /** The calls to one route, in order. */
    to: (route: string) => calls.filter((c) => `${c.method} ${c.path}` === route),
    restore: () => spy.mockRestore(),
  };
}
