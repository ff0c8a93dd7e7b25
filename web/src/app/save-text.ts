/** Offers text to the browser as a download with the given file name (UTF-8, with a byte order mark for Windows Notepad). */
export function downloadTextFile(fileName: string, text: string): void {
  const blob = new Blob(['\uFEFF', text], { type: 'text/plain;charset=utf-8' });
  const url = URL.createObjectURL(blob);

  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.rel = 'noopener';
  document.body.append(link);
  link.click();
  link.remove();

  // Revoked on the next task, after the browser has started reading the blob.
  window.setTimeout(() => URL.revokeObjectURL(url), 0);
}

/** Copies text to the clipboard. Rejects when the browser refuses, e.g. outside a secure context. */
export async function copyText(text: string): Promise<void> {
  if (navigator.clipboard === undefined) throw new Error('The clipboard API is not available in this context.');
  await navigator.clipboard.writeText(text);
}
