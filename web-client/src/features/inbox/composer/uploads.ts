// Uploading a file to the file library (multipart, one part named `file`), with the server's
// problem document turned into an ApiError like every other call.
import { ApiError, authedFetch, type Problem, type Schemas } from "../../../api/client";

export async function uploadFile(file: Blob, name: string): Promise<Schemas["FileView"]> {
  const form = new FormData();
  form.append("file", file, name);
  const res = await authedFetch("/api/v1/files", { method: "POST", body: form });
  if (res.ok) return (await res.json()) as Schemas["FileView"];
  let problem: Problem;
  try {
    problem = (await res.json()) as Problem;
  } catch {
    problem = { type: "about:blank", title: res.statusText, status: res.status, detail: "" };
  }
  if (res.status === 413) {
    problem = { ...problem, detail: `${name} is too large to upload. ${problem.detail ?? ""}`.trim() };
  } else if (!problem.detail) {
    problem = { ...problem, detail: `Uploading ${name} failed (${res.status}).` };
  }
  throw new ApiError(problem, res.status);
}
