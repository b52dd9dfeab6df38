/**
 * Reads a roster CSV file picked by a coordinator. The server wants UTF-8;
 * Excel on a Chinese Windows PC saves "CSV" in GB18030 (GBK), so a file that is
 * not valid UTF-8 is read as GB18030 instead of turning every name into "�".
 */
export function decodeCsv(bytes: Uint8Array): string {
  try {
    // The BOM Excel writes for "CSV UTF-8" is dropped by the decoder.
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return new TextDecoder('gb18030').decode(bytes);
  }
}

/** Non-empty lines after the header: what the import is about to send. */
export function csvRowCount(text: string): number {
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '');
  return Math.max(0, lines.length - 1);
}
