/**
 * The answers to HTTP/1.1 requests sent one after another on one connection (pipelined), read back
 * as one stream of bytes: each answer is told from the next by its own framing (Content-Length or
 * chunked transfer coding, RFC 9112 §6), never by looking for text in a body. The bytes came from
 * a host and are untrusted: every length is bounded, and once an answer cannot be framed, no later
 * one is believed (they could not be told apart). Pure.
 */
import type { ApiAnswer } from './http-on-host.js';

/** Headers longer than this are not an API's (CometBFT sends a few hundred bytes). */
const MAX_HEAD_BYTES = 16 * 1024;

interface Framed {
  answer: ApiAnswer;
  /** Where the next answer starts; undefined when nothing after this one can be believed. */
  next: number | undefined;
}

/**
 * `count` answers in order from the stream. `maxBody` bounds one body: a larger one is an error
 * of that request, and the ones after it are still read (its framing says where it ends).
 */
export function splitHttpAnswers(bytes: Buffer, count: number, maxBody: number): ApiAnswer[] {
  const answers: ApiAnswer[] = [];
  let at: number | undefined = 0;
  let lost = '';
  while (answers.length < count) {
    if (at === undefined) {
      answers.push({ error: lost });
      continue;
    }
    if (at >= bytes.length) {
      answers.push({ error: 'the API closed the connection before answering' });
      lost = 'the API closed the connection before answering';
      at = undefined;
      continue;
    }
    const framed = frameOne(bytes, at, maxBody);
    answers.push(framed.answer);
    at = framed.next;
    if (at === undefined) lost = `an earlier answer on the connection could not be framed`;
  }
  return answers;
}

function frameOne(bytes: Buffer, start: number, maxBody: number): Framed {
  let at = start;
  for (;;) {
    const end = bytes.indexOf('\r\n\r\n', at);
    if (end < 0 || end - at > MAX_HEAD_BYTES)
      return { answer: { error: 'the answer has no end of headers (cut off?)' }, next: undefined };
    const [statusLine = '', ...headers] = bytes.subarray(at, end).toString('latin1').split('\r\n');
    const status = /^HTTP\/1\.[01] (\d{3})(?: |$)/.exec(statusLine);
    if (!status)
      return { answer: { error: `not an HTTP answer: ${JSON.stringify(statusLine.slice(0, 40))}` }, next: undefined };
    const code = Number(status[1]);
    // an interim answer (100 Continue) comes before the real one to the same request
    if (code >= 100 && code < 200) {
      at = end + 4;
      continue;
    }
    return frameBody(bytes, end + 4, code, headers, maxBody);
  }
}

function frameBody(bytes: Buffer, bodyStart: number, code: number, headers: string[], maxBody: number): Framed {
  const values = (name: string) =>
    headers.filter((h) => h.toLowerCase().startsWith(`${name}:`)).map((h) => h.slice(name.length + 1).trim());
  const encodings = values('transfer-encoding');
  if (encodings.length > 0) {
    if (encodings.join(',').toLowerCase().replace(/\s/g, '') !== 'chunked')
      return { answer: { error: `an answer in transfer coding ${encodings.join(', ')}` }, next: undefined };
    return dechunk(bytes, bodyStart, code, maxBody);
  }
  const lengths = [...new Set(values('content-length'))];
  if (lengths.length === 1) {
    if (!/^\d{1,12}$/.test(lengths[0]!))
      return {
        answer: { error: `a bad Content-Length: ${JSON.stringify(lengths[0]!.slice(0, 20))}` },
        next: undefined,
      };
    const length = Number(lengths[0]);
    if (bodyStart + length > bytes.length) return { answer: { error: 'the answer was cut off' }, next: undefined };
    return {
      answer:
        length > maxBody
          ? { error: `the answer is over ${maxBody} bytes` }
          : { status: code, body: bytes.subarray(bodyStart, bodyStart + length).toString('utf8') },
      next: bodyStart + length,
    };
  }
  if (lengths.length > 1) return { answer: { error: 'an answer with two Content-Lengths' }, next: undefined };
  // neither: the body runs to the end of the connection, and nothing can follow it
  const body = bytes.subarray(bodyStart);
  return {
    answer:
      body.length > maxBody
        ? { error: `the answer is over ${maxBody} bytes` }
        : { status: code, body: body.toString('utf8') },
    next: undefined,
  };
}

/** A chunked body: hex sizes (extensions after `;` ignored), then trailers up to an empty line. */
function dechunk(bytes: Buffer, start: number, code: number, maxBody: number): Framed {
  const parts: Buffer[] = [];
  let size = 0;
  let at = start;
  for (;;) {
    const eol = bytes.indexOf('\r\n', at);
    if (eol < 0 || eol - at > 64) return { answer: { error: 'the answer was cut off' }, next: undefined };
    const hex = /^([0-9A-Fa-f]{1,8})(?:;.*)?$/.exec(bytes.subarray(at, eol).toString('latin1'));
    if (!hex) return { answer: { error: 'a bad chunk size in the answer' }, next: undefined };
    const chunk = parseInt(hex[1]!, 16);
    at = eol + 2;
    if (chunk === 0) break;
    if (at + chunk + 2 > bytes.length) return { answer: { error: 'the answer was cut off' }, next: undefined };
    if (bytes.subarray(at + chunk, at + chunk + 2).toString('latin1') !== '\r\n')
      return { answer: { error: 'a chunk of the answer is not the size it says' }, next: undefined };
    size += chunk;
    if (size <= maxBody) parts.push(bytes.subarray(at, at + chunk));
    at += chunk + 2;
  }
  // trailers, if any, end with an empty line
  for (;;) {
    const eol = bytes.indexOf('\r\n', at);
    if (eol < 0 || eol - at > MAX_HEAD_BYTES) return { answer: { error: 'the answer was cut off' }, next: undefined };
    const empty = eol === at;
    at = eol + 2;
    if (empty) break;
  }
  return {
    answer:
      size > maxBody
        ? { error: `the answer is over ${maxBody} bytes` }
        : { status: code, body: Buffer.concat(parts).toString('utf8') },
    next: at,
  };
}
