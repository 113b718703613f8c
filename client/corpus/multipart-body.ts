/**
 * A multipart/form-data body (RFC 7578) built in one Buffer: a field, then files, each part's bytes as they
 * are. Why not FormData: fetch serialises a FormData through a chain of streams, which cost tens of ms per
 * upload batch (more than the gate spends storing it); a batch is already in memory, so one concatenation
 * is all the encoding needs. Names and file names here are document ids and part names.
 */
import { randomBytes } from 'node:crypto';

export interface MultipartFile {
  name: string;
  type: string;
  /** the file's bytes, or pieces of them in order (joined into the body, not copied before) */
  data: Buffer | Buffer[];
}

/** `"` and line breaks cannot stand in a quoted header value: percent-encode them (as browsers do). */
const quoted = (value: string) => `"${value.replace(/"/g, '%22').replace(/\r/g, '%0D').replace(/\n/g, '%0A')}"`;

export function multipartBody(
  fields: Record<string, string>,
  files: MultipartFile[],
): { body: Buffer; contentType: string } {
  const boundary = `----reyestr-${randomBytes(16).toString('hex')}`;
  const chunks: Buffer[] = [];
  for (const [name, value] of Object.entries(fields))
    chunks.push(
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name=${quoted(name)}\r\n\r\n`),
      Buffer.from(value, 'utf8'),
      Buffer.from('\r\n'),
    );
  for (const file of files)
    chunks.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name=${quoted(file.name)}; filename=${quoted(file.name)}\r\n` +
          `Content-Type: ${file.type}\r\n\r\n`,
      ),
      ...(Array.isArray(file.data) ? file.data : [file.data]),
      Buffer.from('\r\n'),
    );
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}
