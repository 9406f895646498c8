import { X509Certificate, createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parseConfig } from '../../platform/config/schema';
import { buildBoardApp, BoardConfigError, type BoardDeps } from '../../services/board/server';
import { alertLinks, startBoardWorld, type BoardWorld } from '../helpers/board-world';
import { chromiumPath } from '../helpers/chromium';
import { uniqueId } from '../helpers/fixtures';
import { startTestSmtp, type TestSmtp } from '../helpers/smtp';
import { makeTestPki, type TestPki } from '../helpers/tls-terminator';

// The board off loopback, as an operator runs it: over TLS 1.2 or later with the operator's certificate
// (made here with openssl, for the name board.test), never in plain HTTP. A browser that trusts that
// certificate follows a mail link to https://board.test and signs in.

const NAME = 'board.test';

let connection: Connection;
let native: NativeConnection;
let smtp: TestSmtp;
let pki: TestPki;
let world: BoardWorld;

beforeAll(async () => {
  connection = await Connection.connect({ address: inject('devServerAddress') });
  native = await NativeConnection.connect({ address: inject('devServerAddress') });
  smtp = await startTestSmtp();
  pki = await makeTestPki(path.join(os.tmpdir(), uniqueId('board-pki')), NAME);
  world = await startBoardWorld(
    { client: connection, native, smtp },
    { board: { port: 0, tls: { certPath: pki.server.cert, keyPath: pki.server.key } } },
    {},
    (url) => url.replace('127.0.0.1', NAME),
  );
});

afterAll(async () => {
  await world?.stop();
  await smtp?.close();
  await native?.close();
  await connection?.close();
});

const port = () => Number(new URL(world.board.url).port);

/** A TLS handshake with the board pinned to one protocol version: the version agreed, or the error. */
function handshake(version: tls.SecureVersion, caPem: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = tls.connect({
      host: '127.0.0.1',
      port: port(),
      servername: NAME,
      ca: [caPem],
      minVersion: version,
      maxVersion: version,
      // Let the client offer the old version, so that a refusal is the board's, not the client's.
      ciphers: 'DEFAULT@SECLEVEL=0',
    });
    socket.once('secureConnect', () => {
      resolve(String(socket.getProtocol()));
      socket.end();
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
}

describe('the board over TLS', () => {
  it('agrees TLS 1.2 and 1.3, and refuses TLS 1.1 and 1.0 in the handshake', async () => {
    const caPem = await readFile(pki.ca, 'utf8');
    const withCa = (v: tls.SecureVersion) => handshake(v, caPem);
    expect(await withCa('TLSv1.3')).toBe('TLSv1.3');
    expect(await withCa('TLSv1.2')).toBe('TLSv1.2');
    expect(await withCa('TLSv1.1')).toBe('ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION');
    expect(await withCa('TLSv1')).toBe('ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION');
  });

  it('a browser that trusts the certificate follows the mail link to https://board.test, confirms and is signed in', async () => {
    const incidentId = uniqueId('TLS');
    await world.incidents.open({
      incidentId,
      title: 'Ransomware note on fs-03',
      severity: 'SEV1',
      category: 'intrusion',
      systems: [],
      detection: 'EDR',
      awareAt: new Date().toISOString(),
      openedBy: 'alice',
    });
    const url = (await alertLinks(smtp, incidentId, 2)).get('cto@example.com')!;
    expect(url.startsWith(`https://${NAME}:${port()}/l/`)).toBe(true);
    // Chromium trusts this one certificate's key (not every certificate) and finds board.test on loopback.
    const spki = createHash('sha256')
      .update(new X509Certificate(await readFile(pki.server.cert)).publicKey.export({ type: 'spki', format: 'der' }))
      .digest('base64');
    const browser = await chromium.launch({
      executablePath: chromiumPath(),
      args: [
        '--no-sandbox',
        `--ignore-certificate-errors-spki-list=${spki}`,
        `--host-resolver-rules=MAP ${NAME} 127.0.0.1`,
      ],
    });
    try {
      const page = await browser.newPage();
      const res = await page.goto(url);
      expect(res?.status()).toBe(200);
      expect(res?.headers()['strict-transport-security']).toBe('max-age=31536000');
      await page.getByRole('button', { name: 'Acknowledge' }).click();
      await expect.poll(() => page.locator('h1').innerText()).toBe(`Incident ${incidentId} acknowledged`);
      const [cookie] = await page.context().cookies();
      expect(cookie).toMatchObject({
        name: 'board_session',
        domain: NAME,
        secure: true,
        httpOnly: true,
        sameSite: 'Strict',
      });
      await page.goto(`https://${NAME}:${port()}/`);
      expect(await page.locator('main').innerText()).toContain(incidentId);
    } finally {
      await browser.close();
    }
  });

  it('refuses to serve plain HTTP off loopback, or half a TLS setting, before listening', () => {
    const board = (over: Record<string, unknown>) =>
      parseConfig({ dataDir: os.tmpdir(), board: { port: 0, ...over } }, {}, 'test').board;
    const deps = {} as BoardDeps;
    expect(() => buildBoardApp(board({ host: '0.0.0.0' }), deps)).toThrow(BoardConfigError);
    expect(() => buildBoardApp(board({ host: '0.0.0.0' }), deps)).toThrow(
      'The board would serve plain HTTP on 0.0.0.0: set board.tls.certPath and board.tls.keyPath, or board.host to 127.0.0.1 behind a TLS proxy.',
    );
    expect(() => buildBoardApp(board({ tls: { certPath: pki.server.cert } }), deps)).toThrow(
      'board.tls needs both certPath and keyPath (a certificate and its private key in PEM).',
    );
    expect(() =>
      buildBoardApp(board({ tls: { certPath: '/nonexistent/cert.pem', keyPath: '/nonexistent/key.pem' } }), deps),
    ).toThrow('board.tls: cannot read /nonexistent/cert.pem.');
  });
});
