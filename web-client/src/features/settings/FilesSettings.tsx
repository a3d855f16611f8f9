// The file library: documents agents send from the inbox and snippets offer. Upload, list
// with type and size, download, delete.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRef, useState } from "react";
import { api, messageOf, ok } from "../../api/client";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { toast } from "../../components/Toasts";
import { Button, EmptyState, ErrorState, FormError, Spinner } from "../../components/ui";
import { bytes, dateTime } from "../../lib/format";
import { useMemberName } from "../../lib/members";
import { downloadFile, uploadFile } from "./files";
import { useLibraryFiles, type LibraryFile } from "./queries";

export function FilesSettings() {
  const files = useLibraryFiles();
  const qc = useQueryClient();
  const memberName = useMemberName();
  const input = useRef<HTMLInputElement>(null);
  const [deleting, setDeleting] = useState<LibraryFile | null>(null);
  const upload = useMutation({
    mutationFn: async (list: File[]) => {
      for (const f of list) await uploadFile(f);
    },
    onSettled: () => {
      void qc.invalidateQueries({ queryKey: ["files"] });
      if (input.current) input.current.value = "";
    },
    onSuccess: () => toast("Upload complete."),
  });
  const remove = useMutation({
    mutationFn: (id: number) => ok(api.DELETE("/api/v1/files/{id}", { params: { path: { id } } })),
    onSuccess: () => {
      setDeleting(null);
      void qc.invalidateQueries({ queryKey: ["files"] });
      void qc.invalidateQueries({ queryKey: ["snippets"] });
    },
  });
  const download = (f: LibraryFile) =>
    downloadFile(f).catch((e: unknown) => toast(`Could not download ${f.name}: ${messageOf(e)}`, "error"));
  return (
    <div className="stack settings-page">
      <div className="page-header">
        <div>
          <h2>Files</h2>
          <p className="muted">Documents agents can send and snippets can attach.</p>
        </div>
        <div>
          <input
            ref={input}
            id="library-upload"
            type="file"
            multiple
            className="sr-only"
            aria-label="Upload files"
            onChange={(e) => {
              const list = Array.from(e.target.files ?? []);
              if (list.length) upload.mutate(list);
            }}
          />
          <Button variant="primary" busy={upload.isPending} onClick={() => input.current?.click()}>
            Upload files
          </Button>
        </div>
      </div>
      <FormError error={upload.error} />
      {files.isPending ? (
        <Spinner />
      ) : files.isError ? (
        <ErrorState error={files.error} retry={() => void files.refetch()} />
      ) : files.data.length === 0 ? (
        <EmptyState title="No files yet" />
      ) : (
        <table className="table" aria-label="Files">
          <thead>
            <tr>
              <th>File</th>
              <th>ID</th>
              <th>Type</th>
              <th>Size</th>
              <th>Added</th>
              <th>
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {files.data.map((f) => (
              <tr key={f.id}>
                <td className="truncate file-name" title={f.name}>
                  {f.name}
                </td>
                <td>{f.id}</td>
                <td>
                  <span className="pill">{f.kind}</span> <span className="muted small">{f.mime}</span>
                </td>
                <td>{bytes(f.size)}</td>
                <td>
                  {dateTime(f.created_at)}
                  {f.uploaded_by ? <span className="muted"> by {memberName(f.uploaded_by)}</span> : null}
                </td>
                <td className="actions">
                  <Button variant="ghost" onClick={() => void download(f)} aria-label={`Download ${f.name}`}>
                    Download
                  </Button>
                  <Button variant="ghost" onClick={() => setDeleting(f)} aria-label={`Delete ${f.name}`}>
                    Delete
                  </Button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <ConfirmDialog
        open={deleting !== null}
        title="Delete file"
        confirmLabel="Delete file"
        busy={remove.isPending}
        error={remove.error}
        onClose={() => {
          setDeleting(null);
          remove.reset();
        }}
        onConfirm={() => deleting && remove.mutate(deleting.id)}
      >
        <p>
          <strong>{deleting?.name}</strong> and its bytes are deleted; snippets that offered it no longer
          do.
        </p>
      </ConfirmDialog>
    </div>
  );
}
