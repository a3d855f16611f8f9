import "@testing-library/jest-dom/vitest";
import { cleanup } from "@testing-library/react";
import { afterEach } from "vitest";

// The API client builds `new Request("/api/v1/…")` from relative URLs, as a browser resolves
// them against the page; Node's Request refuses them. This file runs before every test file
// loads the client (which captures Request then), so one patch here serves every test.
const NodeRequest = globalThis.Request;
class PageRequest extends NodeRequest {
  constructor(input: RequestInfo | URL, init?: RequestInit) {
    super(typeof input === "string" && input.startsWith("/") ? new URL(input, location.origin) : input, init);
  }
}
globalThis.Request = PageRequest as typeof Request;

afterEach(() => {
  cleanup();
  localStorage.clear();
});
