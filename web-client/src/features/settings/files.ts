// Library file transfers that need plain fetch: multipart upload and authenticated download.
import { ApiError, authedFetch, type Problem, type Schemas } from "../../api/client";

async function problemOf(res: Response): Promise<ApiError> {
  const body = (await res.json().catch(() => null)) as Problem | null;
  return new ApiError(
    body && typeof body === "object" && "status" in body
      ? body
      : { type: "about:blank", title: res.statusText || "Request failed", status: res.status, detail: `The server answered ${res.status}.` },
    res.status,
  );
}

export async function uploadFile(file: File): Promise<Schemas["FileView"]> {
  const form = new FormData();
  form.append("file", file, file.name);
  const res = await authedFetch("/api/v1/files", { method: "POST", body: form });
  if (!res.ok) throw await problemOf(res);
  return (await res.json()) as Schemas["FileView"];
}

/** Downloads a file with the session's token and hands it to the browser under its name. */
export async function downloadFile(file: Pick<Schemas["FileView"], "id" | "name">): Promise<void> {
  const res = await authedFetch(`/api/v1/files/${file.id}/content`);
  if (!res.ok) throw await problemOf(res);
  const url = URL.createObjectURL(await res.blob());
  try {
    const a = document.createElement("a");
    a.href = url;
    a.download = file.name;
    document.body.appendChild(a);
    a.click();
    a.remove();
  } finally {
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }
}
