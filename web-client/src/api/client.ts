// The typed API client: every call goes through openapi-fetch with types generated from
// openapi/openapi.json. A middleware adds the bearer token, refreshes it before it expires,
// retries once after a 401, and ends the session when refreshing fails.
import createClient, { type Middleware } from "openapi-fetch";
import type { components, paths } from "./schema";
import { clearTokens, freshTokens } from "./session";

export type Schemas = components["schemas"];
export type Problem = Schemas["Problem"];

// A copy of each request before it is sent, so it can be sent again after a refresh.
const copies = new WeakMap<Request, Request>();

const auth: Middleware = {
  async onRequest({ request }) {
    if (request.url.includes("/api/v1/auth/")) return request;
    const tokens = await freshTokens();
    if (tokens) request.headers.set("Authorization", `Bearer ${tokens.access_token}`);
    copies.set(request, request.clone());
    return request;
  },
  async onResponse({ request, response }) {
    if (response.status !== 401 || request.url.includes("/api/v1/auth/")) return response;
    const tokens = await freshTokens(true);
    if (!tokens) {
      clearTokens();
      return response;
    }
    const again = copies.get(request);
    if (!again) return response;
    again.headers.set("Authorization", `Bearer ${tokens.access_token}`);
    const second = await fetch(again);
    if (second.status === 401) clearTokens();
    return second;
  },
};

export const api = createClient<paths>({
  baseUrl: "",
  fetch: (r) => globalThis.fetch(r),
});
api.use(auth);

/** An API failure carrying the server's problem document. */
export class ApiError extends Error {
  constructor(
    public problem: Problem,
    public status: number,
  ) {
    super(problem.detail || problem.title);
  }
  /** The message for one field of a 422, if the server named it. */
  field(name: string): string | undefined {
    return this.problem.errors?.find((e) => e.field === name)?.message;
  }
}

/** Unwraps an openapi-fetch result: the data, or an ApiError with the problem document. */
export async function ok<T>(
  call: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<T> {
  const { data, error, response } = await call;
  if (response.ok) return data as T;
  const problem =
    error && typeof error === "object" && "status" in error
      ? (error as Problem)
      : {
          type: "about:blank",
          title: response.statusText || "Request failed",
          status: response.status,
          detail: `The server answered ${response.status}.`,
        };
  throw new ApiError(problem, response.status);
}

/** A readable message for any error thrown by a query or mutation. */
export function messageOf(e: unknown): string {
  if (e instanceof ApiError) {
    const fields = e.problem.errors?.map((f) => f.message).join(" ");
    return fields ? `${e.problem.detail} ${fields}`.trim() : e.problem.detail || e.problem.title;
  }
  if (e instanceof Error) return e.message;
  return "Something went wrong.";
}

/** Plain fetch with the session's bearer token, for uploads and downloads. */
export async function authedFetch(input: string, init: RequestInit = {}): Promise<Response> {
  const tokens = await freshTokens();
  const headers = new Headers(init.headers);
  if (tokens) headers.set("Authorization", `Bearer ${tokens.access_token}`);
  return fetch(input, { ...init, headers });
}
