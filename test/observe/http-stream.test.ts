/**
 * Pipelined HTTP/1.1 answers told apart by their own framing (Content-Length, chunked), from
 * bytes a host sent back: what cannot be framed ends what is believed on the connection.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { splitHttpAnswers } from '../../src/observe/http-stream.js';

const sized = (body: string, status = '200 OK') =>
  `HTTP/1.1 ${status}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
const chunked = (chunks: string[], trailer = '') =>
  `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${chunks
    .map((c) => `${Buffer.byteLength(c).toString(16)}\r\n${c}\r\n`)
    .join('')}0\r\n${trailer}\r\n`;
const split = (text: string, count: number, max = 1000) => splitHttpAnswers(Buffer.from(text), count, max);

describe('pipelined HTTP answers', () => {
  test('sized and chunked answers in order, with chunk extensions, trailers and an interim 100', () => {
    const text =
      sized('{"a":1}') +
      chunked(['{"b":', '2}']).replace('5\r\n', '5;ext=1\r\n') +
      'HTTP/1.1 100 Continue\r\n\r\n' +
      sized('{"e":"bad"}', '500 Internal Server Error') +
      chunked(['ü'], 'X-Trailer: 1\r\n');
    assert.deepEqual(split(text, 4), [
      { status: 200, body: '{"a":1}' },
      { status: 200, body: '{"b":2}' },
      { status: 500, body: '{"e":"bad"}' },
      { status: 200, body: 'ü' },
    ]);
  });

  test('an answer over the bound is an error of its own; the next is still read', () => {
    assert.deepEqual(split(sized('x'.repeat(20)) + chunked(['y'.repeat(11), 'z'.repeat(11)]) + sized('ok'), 3, 16), [
      { error: 'the answer is over 16 bytes' },
      { error: 'the answer is over 16 bytes' },
      { status: 200, body: 'ok' },
    ]);
  });

  test('a connection closed early, a bad chunk and a lying length end what is believed after them', () => {
    assert.deepEqual(split(sized('a'), 3), [
      { status: 200, body: 'a' },
      { error: 'the API closed the connection before answering' },
      { error: 'the API closed the connection before answering' },
    ]);
    assert.deepEqual(
      split('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcdef\r\n0\r\n\r\n' + sized('b'), 2),
      [
        { error: 'a chunk of the answer is not the size it says' },
        { error: 'an earlier answer on the connection could not be framed' },
      ],
    );
    assert.deepEqual(split('HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\nshort', 1), [
      { error: 'the answer was cut off' },
    ]);
    assert.deepEqual(split('HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab', 1), [
      { error: 'an answer with two Content-Lengths' },
    ]);
    assert.deepEqual(split('HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n', 1), [
      { error: 'an answer in transfer coding gzip, chunked' },
    ]);
    assert.deepEqual(split('SSH-2.0-OpenSSH\r\n\r\n', 1), [{ error: 'not an HTTP answer: "SSH-2.0-OpenSSH"' }]);
  });

  test('an answer with no framing runs to the end of the connection: nothing after it is believed', () => {
    assert.deepEqual(split(`HTTP/1.1 200 OK\r\n\r\n${sized('forged')}`, 2), [
      { status: 200, body: sized('forged') },
      { error: 'an earlier answer on the connection could not be framed' },
    ]);
  });
});
